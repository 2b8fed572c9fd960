#!/usr/bin/env bash
# Pre-flight as the portal calls it, against the build and samples of scripts/run-samples.sh:
# starts sot-intaked on a scratch spool with a pre-flight token, posts the draft of one sample
# (its manifest.json and files/, without the signature) with curl, prints the answer, stops.
#
#   scripts/preflight-demo.sh [SAMPLE]      default: scan-resolution-low-readable
set -euo pipefail
cd "$(dirname "$0")/.."
sample=${1:-scan-resolution-low-readable}
out=var/samples
bin=build/release/daemon
[[ -x $bin/sot-intaked && -d $out/bundles/$sample ]] || {
  echo "run scripts/run-samples.sh first (and name a sample under $out/bundles/)" >&2; exit 2; }

demo=var/preflight-demo
rm -rf "$demo" && mkdir -p "$demo/draft"
TOKEN=$(openssl rand -hex 24)
port=$((20000 + RANDOM % 20000))
# The samples' config (their test PKI) with an endpoint and a token.
sed '/^\[http\]/,$d' "$out/config.toml" | sed "s|\"pki/|\"$PWD/$out/pki/|" > "$demo/sot-intake.toml"
cat >> "$demo/sot-intake.toml" <<TOML
[http]
listen = "127.0.0.1:$port"
[preflight]
token = "$TOKEN"
work_dir = "$PWD/$demo/work"
TOML
"$bin/sot-intaked" --config "$demo/sot-intake.toml" --spool "$demo/spool" 2>"$demo/daemon.log" &
daemon=$!
trap 'kill $daemon 2>/dev/null; wait $daemon 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

# The draft: what the filer uploaded, not yet signed.
cp "$out/bundles/$sample/manifest.json" "$demo/draft/"
cp -r "$out/bundles/$sample/files" "$demo/draft/"
tar -C "$demo/draft" -cf "$demo/draft.tar" manifest.json files

curl -sS -X POST --data-binary @"$demo/draft.tar" -H 'Content-Type: application/x-tar' \
     -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$port/api/preflight?wait=30" |
  /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)
print("would_be:", r.get("would_be"))
for f in r.get("findings", []):
    where = " ".join(str(x) for x in (f.get("file"), f.get("page")) if x)
    print("- %s (%s) %s" % (f["code"], f["severity"], where))
    print("  kk:", f["message"]["kk"]); print("  ru:", f["message"]["ru"])
    if "action" in f: print("  →", f["action"]["ru"])
'
