#!/bin/sh
# OpenVPN tls-verify hook: let a client in only when certgate says its certificate is the current
# certificate of a member (issued by us, not superseded, not revoked), the same decision as Wi-Fi.
#
# OpenVPN server configuration (docs/vpn.md):
#   script-security 2
#   tls-export-cert /run/openvpn/peer-certs        # directory writable by the openvpn user
#   tls-verify /etc/openvpn/certgate-tls-verify.sh
#   setenv CERTGATE_URL https://certgate.example.ac.jp:9812
#   setenv CERTGATE_TOKEN_FILE /etc/openvpn/certgate-verify.token   # http.verifyToken, chmod 600
#   setenv CERTGATE_CACERT /etc/openvpn/certgate-http-ca.pem        # optional, for https
#
# OpenVPN runs the hook once per certificate of the chain, deepest first, as
#   certgate-tls-verify.sh CERTIFICATE_DEPTH SUBJECT
# with the certificate at that depth in the PEM file named by $peer_cert (tls-export-cert).
# Depth > 0 are the CA certificates OpenVPN already checked against --ca: allowed here; the member's
# certificate (depth 0) goes to certgate's POST /v1/verify. Exit 0 lets the client in, 1 refuses.
# Fails closed: if certgate cannot be asked, the client is refused (and the reason logged).
set -u

depth="${1:-}"
subject="${2:-}"
log() { echo "certgate-tls-verify: $*" >&2; }

[ "$depth" = "0" ] || exit 0

url="${CERTGATE_URL:-http://127.0.0.1:9812}"
cert="${peer_cert:-}"
if [ -z "$cert" ] || [ ! -r "$cert" ]; then
  log "no readable certificate in \$peer_cert (is tls-export-cert set?) for $subject"
  exit 1
fi
token=""
if [ -n "${CERTGATE_TOKEN_FILE:-}" ]; then
  token=$(cat "$CERTGATE_TOKEN_FILE") || { log "cannot read $CERTGATE_TOKEN_FILE"; exit 1; }
else
  token="${CERTGATE_TOKEN:-}"
fi
[ -n "$token" ] || { log "no token: set CERTGATE_TOKEN_FILE (or CERTGATE_TOKEN)"; exit 1; }

set -- --silent --show-error --max-time "${CERTGATE_TIMEOUT:-5}" --header @- \
  --header 'Content-Type: application/x-pem-file' --data-binary "@$cert" --write-out '\n%{http_code}'
[ -n "${CERTGATE_CACERT:-}" ] && set -- "$@" --cacert "$CERTGATE_CACERT"

# The token goes in on stdin, never on the command line (where ps would show it).
out=$(printf 'Authorization: Bearer %s\n' "$token" | curl "$@" "$url/v1/verify") || {
  log "certgate at $url cannot be reached; refusing $subject"
  exit 1
}
status=$(printf '%s\n' "$out" | tail -n 1)
body=$(printf '%s\n' "$out" | sed '$d')
field() { printf '%s' "$body" | sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }

if [ "$status" != "200" ]; then
  log "certgate answered HTTP $status for $subject: $body"
  exit 1
fi
case "$body" in
  *'"decision":"accept"'*)
    log "accept $(field member) serial $(field serial)"
    exit 0
    ;;
esac
log "reject $subject: $(field reason) ($(field detail))"
exit 1
