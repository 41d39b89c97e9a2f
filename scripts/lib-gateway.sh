# lib-gateway.sh — sourced by the bench scripts: a loopback certgate on certs-fixtures, alice in
# its store, started as npm start does (shipped OpenSSL settings, capped young generation).
#   gateway_start NODE TREE DIR PORT TLS_LINES   TLS_LINES: extra lines under `tls:` (indented);
#                                                sets GATEWAY_PID once "certgate ready" is logged
gateway_start() {
  local node=$1 tree=$2 dir=$3 port=$4 tls_lines=$5 repo p
  repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"; p="$repo/certs-fixtures"
  cat > "$dir/cfg.yaml" <<Y
radius:
  listen: ["127.0.0.1:$port"]
  clients: [{ name: lo, network: 127.0.0.0/8, secret: testing123 }]
tls:
  certificate: $p/server.pem
  privateKey: $p/server.key
  trustAnchors: [$p/ca/ca.pem]
$tls_lines
identity: { realms: [jaist.ac.jp] }
store: { path: $dir/store.db }
log: { level: info }
Y
  rm -f "$dir"/store.db*
  node "$repo/bin/certgate.js" store --config "$dir/cfg.yaml" add "$p/members/alice.pem" >/dev/null
  "$node" --openssl-config="$repo/config/openssl.cnf" --max-semi-space-size=16 "$tree/bin/certgate.js" serve --config "$dir/cfg.yaml" >"$dir/serve.log" 2>&1 &
  GATEWAY_PID=$!
  for _ in $(seq 50); do grep -q "certgate ready" "$dir/serve.log" && break; sleep 0.2; done
}
