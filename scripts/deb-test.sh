#!/usr/bin/env bash
# Installs sot-intake the way a court's IT installs a service, and takes it away again:
#   1. builds the .deb from this repository with Debian's tools (dpkg-buildpackage, debian/);
#   2. lintian: no errors;
#   3. apt-get install ./sot-intake_*.deb: the binaries, /etc/sot-intake (conffiles), the
#      account, the spool and state directories, the unit enabled but not started;
#   4. sot-intake --version, and sot-intake check with the installed config on the samples
#      (their test PKI named by flags): every verdict as the samples expect;
#   5. sot-intaked started as the installed unit's ExecStart says (as its user, on a temporary
#      spool): a delivered bundle is decided;
#   6. systemd-analyze verify and security on the installed unit;
#   7. apt-get remove, then purge: the binaries and /etc/sot-intake and the account go, the
#      spool and the registry stay.
# Needs root (it installs a package) and the dev build's sample generator (scripts/test.sh
# builds it). Leaves the machine without the package.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
[ "$(id -u)" = 0 ] || { echo "deb-test: needs root (apt-get install)" >&2; exit 2; }
samples_bin="$root/build/dev/samples/sot-samples"
[ -x "$samples_bin" ] || { echo "deb-test: build the dev preset first (scripts/test.sh)" >&2; exit 2; }

work=$(mktemp -d /tmp/sot-deb-XXXXXX)
chmod 0755 "$work"
cleanup() {
  [ -n "${daemon_pid:-}" ] && kill "$daemon_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
say() { echo "deb-test: $*"; }
fail() { echo "deb-test: FAILED: $*" >&2; exit 1; }

# 1. The package, from the repository's files (what git tracks, and new files not ignored).
mkdir -p "$work/src/sot-intake"
git ls-files -co --exclude-standard -z | tar --null -T - -cf - | tar -C "$work/src/sot-intake" -xf -
say "dpkg-buildpackage (release build of the product; the log is $work/build.log on failure)"
if ! (cd "$work/src/sot-intake" && dpkg-buildpackage -b -us -uc -j"$(nproc)") >"$work/build.log" 2>&1; then
  tail -40 "$work/build.log"
  trap - EXIT
  fail "dpkg-buildpackage"
fi
deb=$(ls "$work"/src/sot-intake_*.deb)
say "built $(basename "$deb") ($(du -h "$deb" | cut -f1))"
dpkg-deb --field "$deb" Depends | tr ',' '\n' | sed 's/^ */deb-test:   depends /'

# 2. lintian: errors fail, warnings are shown.
lintian --fail-on error --tag-display-limit 0 "$deb" || fail "lintian reports errors"
say "lintian: no errors"

# 3. Install.
apt-get install -y -q "$deb" >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "apt-get install"; }
command -v sot-intake >/dev/null && command -v sot-intaked >/dev/null || fail "binaries not installed"
sot-intake --version
for f in /etc/sot-intake/sot-intake.toml /etc/sot-intake/rules.toml \
         /usr/share/sot-intake/rules.toml /lib/systemd/system/sot-intaked.service \
         /usr/lib/sysusers.d/sot-intake.conf /usr/lib/tmpfiles.d/sot-intake.conf \
         /usr/share/man/man1/sot-intake.1.gz /usr/share/man/man8/sot-intaked.8.gz \
         /usr/share/man/man5/sot-intake.toml.5.gz /usr/share/doc/sot-intake/README.md.gz; do
  [ -e "$f" ] || fail "$f missing"
done
getent passwd sot-intake >/dev/null || fail "no sot-intake account"
[ -d /var/spool/sot-intake/incoming ] && [ -d /var/lib/sot-intake ] || fail "spool or state missing"
[ "$(stat -c %U:%G /var/spool/sot-intake)" = "sot-intake:sot-intake" ] || fail "spool owner"
[ -L /etc/systemd/system/multi-user.target.wants/sot-intaked.service ] || fail "unit not enabled"
dpkg -s sot-intake | grep -q '^Conffiles:' || fail "no conffiles"
say "installed: binaries, /etc/sot-intake (conffiles), account, spool, state, unit enabled"

# 4. check with the installed config on the samples (their test PKI by flags).
"$samples_bin" "$work/samples" >/dev/null
pki="$work/samples/pki"
sot-intake check --config /etc/sot-intake/sot-intake.toml --trust-dir "$pki/trust" \
  --intermediates-dir "$pki/intermediates" --crl-dir "$pki/crl" -j "$(nproc)" \
  "$work"/samples/bundles/*/ >"$work/check.jsonl" || fail "sot-intake check"
read -r total mismatch < <(python3 - "$work/samples" "$work/check.jsonl" <<'PY'
import json, os, sys
samples, reports = sys.argv[1], sys.argv[2]
names = os.listdir(os.path.join(samples, "bundles"))
got = {}
for line in open(reports).read().splitlines():
    r = json.loads(line)
    got[r["bundle"]] = r["outcome"]
bad = 0
for name in names:
    want = json.load(open(os.path.join(samples, "expected", name + ".json")))["outcome"]
    if got.get(name) != want:
        bad += 1
        print(f"deb-test:   {name}: {got.get(name)}, expected {want}", file=sys.stderr)
print(len(names), bad)
PY
)
[ "$mismatch" = 0 ] || fail "$mismatch of $total samples differ"
say "check with the installed config: $total samples, every outcome as expected"

# 5. The daemon as the unit starts it, as its user, on a temporary spool and registry.
exec_start=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/sot-intaked.service)
spool="$work/spool"
mkdir -p "$spool/tmp" "$spool/incoming"
cp -r "$pki" "$work/pki-daemon"
chown -R sot-intake:sot-intake "$spool" "$work/pki-daemon"
# shellcheck disable=SC2086
setpriv --reuid=sot-intake --regid=sot-intake --init-groups -- $exec_start --spool "$spool" --registry "sqlite:$spool/state/registry.sqlite" \
  --trust-dir "$work/pki-daemon/trust" --intermediates-dir "$work/pki-daemon/intermediates" \
  --crl-dir "$work/pki-daemon/crl" --http-listen "" --workers 1 >"$work/daemon.log" 2>&1 &
daemon_pid=$!
cp -r "$work/samples/bundles/clean-letter" "$spool/tmp/deb-1"
chown -R sot-intake:sot-intake "$spool/tmp/deb-1"
mv "$spool/tmp/deb-1" "$spool/incoming/deb-1"
for _ in $(seq 1 120); do
  [ -f "$spool/registered/deb-1/result/report.json" ] && break
  sleep 0.5
done
kill -TERM "$daemon_pid"
wait "$daemon_pid" || { cat "$work/daemon.log"; fail "the daemon did not stop cleanly"; }
daemon_pid=""
[ -f "$spool/registered/deb-1/result/receipt.pdf" ] || { cat "$work/daemon.log"; fail "bundle not registered"; }
say "sot-intaked from the unit's ExecStart: the bundle was registered ($(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["registration_number"])' "$spool/registered/deb-1/result/report.json"))"

# 6. The installed unit.
systemd-analyze verify /lib/systemd/system/sot-intaked.service || fail "systemd-analyze verify"
systemd-analyze security --offline=true /lib/systemd/system/sot-intaked.service 2>&1 |
  grep 'Overall exposure level' | sed 's/^/deb-test: security: /' || true

# 7. Remove, then purge: the records stay.
echo "registry stays" >/var/lib/sot-intake/marker
apt-get remove -y -q sot-intake >"$work/remove.log" 2>&1 || { cat "$work/remove.log"; fail "remove"; }
! command -v sot-intaked >/dev/null || fail "binary left after remove"
[ -f /etc/sot-intake/sot-intake.toml ] || fail "remove took the configuration (conffiles stay until purge)"
apt-get purge -y -q sot-intake >"$work/purge.log" 2>&1 || { cat "$work/purge.log"; fail "purge"; }
[ ! -e /etc/sot-intake ] || fail "/etc/sot-intake left after purge"
! getent passwd sot-intake >/dev/null || fail "account left after purge"
[ -d /var/spool/sot-intake/incoming ] || fail "purge took the spool"
[ -f /var/lib/sot-intake/marker ] || fail "purge took the registry"
rm -f /var/lib/sot-intake/marker
say "removed and purged: configuration and account gone, spool and registry kept"
say "passed"
