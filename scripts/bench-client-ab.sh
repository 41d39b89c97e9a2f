#!/usr/bin/env bash
# Server CPU per full TLS 1.3 login with the load generator's own TLS 1.3 client and with
# OpenSSL's (node:tls), alternating against one running server (certgate or FreeRADIUS), so the
# two clients are compared in one run (the machine is shared and noisy).
#   bash scripts/bench-client-ab.sh SERVER_PID PORT [ROUNDS] [LOGINS]
# The server must accept alice of certs-fixtures with secret testing123 (for FreeRADIUS:
# bash ../shared/peers/freeradius.sh DIR PORT certs-fixtures/server.pem certs-fixtures/server.key
# certs-fixtures/ca/ca.pem certs-fixtures/ca/crl.pem &). Run `npx tsc -p .` first.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
PID=$1; PORT=$2; ROUNDS=${3:-5}; LOGINS=${4:-1500}; P="$REPO/certs-fixtures"
B=(node "$REPO/bin/certgate.js" bench --server "127.0.0.1:$PORT" --secret testing123 --ca "$P/ca/ca.pem" --cert "$P/members/alice.pem" --key "$P/members/alice.key" --quiet --json --tls 1.3 --concurrency 16)
"${B[@]}" --count 300 >/dev/null # warm-up
for _ in $(seq "$ROUNDS"); do
  for c in certgate openssl; do
    c0=$(awk '{print $14 + $15}' "/proc/$PID/stat")
    out=$("${B[@]}" --count "$LOGINS" --tls-client "$c" | tail -1)
    c1=$(awk '{print $14 + $15}' "/proc/$PID/stat")
    # clock ticks are 10 ms
    echo "$c server $(echo "scale=3; ($c1 - $c0) * 10 / $LOGINS" | bc) ms/login, $(echo "$out" | node -e 'const j = JSON.parse(require("fs").readFileSync(0)); console.log(`${j.authsPerSecond}/s, load generator ${j.clientCpuMsPerLogin} ms/login, ${j.roundsPerLogin} rounds`)')"
  done
done
