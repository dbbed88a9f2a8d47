#!/usr/bin/env bash
# Times Hurl and vvcheck on the same request set against the reference server on loopback: N
# trivial checks, each one authenticated `GET /api/conversations` of one patient, as
# `vvcheck bench` generates them. Hurl runs them sequentially and with `--parallel --jobs 16`
# over 16 files; vvcheck runs them as 16 at once. For anyone who has Hurl installed: Hurl is not a
# dependency of vvcheck, and this script is not part of its tests.
#
# Usage: scripts/hurl-compare.sh [N]   (default 10000; VVCHECK=path/to/vvcheck, default
#        target/release/vvcheck)
set -euo pipefail
n="${1:-10000}"
vv="${VVCHECK:-target/release/vvcheck}"
command -v hurl >/dev/null || { echo "hurl is not installed (https://hurl.dev)" >&2; exit 2; }
command -v curl >/dev/null || { echo "curl is needed to sign in" >&2; exit 2; }
[ -x "$vv" ] || { echo "$vv not found: cargo build --release" >&2; exit 2; }

work="$(mktemp -d)"
"$vv" serve-reference --port 0 --write-profile "$work/ref.yaml" >"$work/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 50); do grep -q '^profile:' "$work/serve.log" && break; sleep 0.1; done
base="$(grep -o 'https://127\.0\.0\.1:[0-9]*' "$work/serve.log" | head -1)"
[ -n "$base" ] || { cat "$work/serve.log" >&2; exit 2; }
ca="$work/ref-ca.pem"
password="$(sed -n 's/^PATIENT_B_PASSWORD=//p' "$work/ref.secrets.env")"
token="$(curl -s --cacert "$ca" "$base/oauth/token" \
  --data-urlencode grant_type=password --data-urlencode client_id=vvcheck-demo \
  --data-urlencode username=marc.lefebvre@patients.reference.test \
  --data-urlencode "password=$password" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')"
[ -n "$token" ] || { echo "could not sign in as patient_b" >&2; exit 2; }

# The same calls for both: 16 Hurl files of n/16 requests; one vvcheck suite of n checks.
mkdir -p "$work/hurl" "$work/suites"
for f in $(seq 1 16); do
  # n requests in all: the first n % 16 files take one more.
  count=$(( n / 16 + (f <= n % 16 ? 1 : 0) ))
  [ "$count" -gt 0 ] || continue
  for _ in $(seq "$count"); do
    printf 'GET %s/api/conversations\nAuthorization: Bearer %s\nHTTP 200\n\n' "$base" "$token"
  done >"$work/hurl/calls-$(printf %02d "$f").hurl"
done
for i in $(seq 0 $((n - 1))); do
  printf -- '- id: bench.trivial-%05d\n  title: Trivial check %d\n  requirements: [FUN-01]\n  steps:\n    - call: list_conversations\n      as: patient_b\n' "$i" "$i"
done >"$work/suites/bench.yaml"

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc; }
t0=$(now); hurl --test --jobs 1 --cacert "$ca" "$work"/hurl/*.hurl >/dev/null 2>&1; t1=$(now)
hurl --test --parallel --jobs 16 --cacert "$ca" "$work"/hurl/*.hurl >/dev/null 2>&1; t2=$(now)
"$vv" run --target "$work/ref.yaml" --suites "$work/suites" --out "$work/out" --quiet >/dev/null || true; t3=$(now)
seq_s=$(elapsed "$t0" "$t1"); par_s=$(elapsed "$t1" "$t2"); vv_s=$(elapsed "$t2" "$t3")
total=$n
printf 'hurl sequential      %8.2f s  %8.0f requests/s\n' "$seq_s" "$(echo "$total / $seq_s" | bc -l)"
printf 'hurl --parallel 16   %8.2f s  %8.0f requests/s\n' "$par_s" "$(echo "$total / $par_s" | bc -l)"
printf 'vvcheck (16 at once) %8.2f s  %8.0f checks/s\n' "$vv_s" "$(echo "$n / $vv_s" | bc -l)"
printf 'vvcheck / hurl --parallel: %.2f (time ratio; below 1 is faster)\n' "$(echo "$vv_s / $par_s" | bc -l)"
