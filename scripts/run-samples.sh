#!/usr/bin/env bash
# The main job over the shipped samples: installs what is missing (Debian packages), builds
# the release preset, generates the sample bundles and runs `sot-intake check` over every
# one. Prints each bundle's outcome and codes beside what the sample expects, and where its
# report.json was written (var/samples/reports/<bundle>.json).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release

out=var/samples
bin=build/release
"$bin/samples/sot-samples" "$out"
rm -rf "$out/reports"
mkdir -p "$out/reports"

# One check run over all bundles against the generated test PKI (config.toml names its trust
# anchors, intermediates and CRLs); one report line each, split into files by bundle id.
"$bin/daemon/sot-intake" check --config "$out/config.toml" "$out"/bundles/* > "$out/reports.jsonl"

/usr/bin/python3 - "$out" <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
rows, mismatches = [], 0
for line in (out / "reports.jsonl").read_text(encoding="utf-8").splitlines():
    report = json.loads(line)
    bundle = report["bundle"]
    path = out / "reports" / f"{bundle}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    codes = sorted({f["code"] for f in report["findings"]})
    expected = json.loads((out / "expected" / f"{bundle}.json").read_text(encoding="utf-8"))
    ok = report["outcome"] == expected["outcome"] and codes == sorted(expected["codes"])
    mismatches += not ok
    rows.append((bundle, report["outcome"], ", ".join(codes) or "-", "ok" if ok else
                 f"EXPECTED {expected['outcome']} {expected['codes']}", str(path)))
w = [max(len(r[i]) for r in rows) for i in range(3)]
print(f"{'bundle':<{w[0]}}  {'outcome':<{w[1]}}  {'codes':<{w[2]}}  expected  report")
for r in rows:
    print(f"{r[0]:<{w[0]}}  {r[1]:<{w[1]}}  {r[2]:<{w[2]}}  {r[3]:<8}  {r[4]}")
by = {}
for r in rows:
    by[r[1]] = by.get(r[1], 0) + 1
print(f"\n{len(rows)} bundles: " + ", ".join(f"{n} {o}" for o, n in sorted(by.items())) +
      f"; {mismatches} differ from their expectation")
sys.exit(1 if mismatches else 0)
PY
