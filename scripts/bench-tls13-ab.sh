#!/usr/bin/env bash
# Server CPU per full TLS 1.3 login with certgate's TLS 1.3 server and with OpenSSL's (node:tls),
# alternating in one run (the machine is shared and noisy: compare within a run).
#   npx tsc -p . && bash scripts/bench-tls13-ab.sh [ROUNDS] [LOGINS] [NODE] [TREE]
# NODE runs the gateway (default: node); TREE is a repository copy whose node_modules load under
# it (scripts/bench-node24.sh makes /tmp/certgate-node24-bs13 for Node 24; dist/ and bin/ are
# copied into it first). The load generator is `certgate bench` on the machine's node.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
. "$REPO/scripts/lib-gateway.sh"
ROUNDS=${1:-5}; LOGINS=${2:-3000}; NODE=${3:-node}; TREE=${4:-$REPO}
[ "$TREE" = "$REPO" ] || { rm -rf "$TREE/dist" "$TREE/bin"; cp -r "$REPO/dist" "$REPO/bin" "$TREE/"; }
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
P="$REPO/certs-fixtures"
PORT=$((20000 + RANDOM % 20000))
BENCH=(node "$REPO/bin/certgate.js" bench --server "127.0.0.1:$PORT" --secret testing123 --ca "$P/ca/ca.pem" --cert "$P/members/alice.pem" --key "$P/members/alice.key" --tls 1.3 --concurrency 16 --quiet --json)

run() { # $1: certgate | openssl
  gateway_start "$NODE" "$TREE" "$W" "$PORT" "  tls13Server: $1"
  local pid=$GATEWAY_PID c0 c1
  "${BENCH[@]}" --count 300 >/dev/null # warm-up
  c0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  "${BENCH[@]}" --count "$LOGINS" >"$W/out.json"
  c1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  # clock ticks are 10 ms
  echo "$1 $(echo "scale=3; ($c1 - $c0) * 10 / $LOGINS" | bc) ms/login, rounds $(grep -o '"roundsPerLogin":[0-9.]*' "$W/out.json" | cut -d: -f2)"
}

echo "$("$NODE" -p 'process.version + " OpenSSL " + process.versions.openssl'): $ROUNDS rounds of $LOGINS full TLS 1.3 logins each way"
for _ in $(seq "$ROUNDS"); do run certgate; run openssl; done
