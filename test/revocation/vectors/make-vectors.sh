#!/usr/bin/env bash
# make-vectors.sh — regenerate the fixed CRL/OCSP test vectors in this folder with the openssl CLI.
# The unit tests read these files with a fixed `now` (manifest.json), so they never expire; run
# this only to change the vectors (and then the expectations that name serials or dates).
set -euo pipefail
cd "$(dirname "$0")"
export LC_ALL=C
unset OPENSSL_CONF || true
W="$(mktemp -d)"
trap 'rm -rf -- "$W"' EXIT
q() { "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; "$@"; exit 1; }; }

cnf() { # cnf DIR
  cat >"$1/ca.cnf" <<CNF
[ ca ]
default_ca = d
[ d ]
dir = $1
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
certificate = \$dir/ca.pem
private_key = \$dir/ca.key
serial = \$dir/serial
crlnumber = \$dir/crlnumber
default_md = sha256
default_days = 3650
default_crl_days = 7
policy = any
unique_subject = no
crl_extensions = crl_ext
[ any ]
commonName = supplied
organizationName = optional
emailAddress = optional
[ crl_ext ]
authorityKeyIdentifier = keyid:always
[ member ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = email:member@example.ac.jp
[ ocsp ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
[ noeku ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
CNF
}
mkca() { # mkca DIR CN
  mkdir -p "$1/newcerts"; : >"$1/index.txt"; echo 2A >"$1/serial"; echo 01 >"$1/crlnumber"
  cnf "$1"
  q openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1/ca.key" -out "$1/ca.pem" -subj "/O=Vector/CN=$2" -days 3650 \
    -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign"
}
issue() { # issue CADIR EXT CN OUT
  q openssl req -new -newkey rsa:2048 -nodes -keyout "$4.key" -subj "/O=Vector/CN=$3" -out "$W/r.csr"
  q openssl ca -batch -config "$1/ca.cnf" -extensions "$2" -in "$W/r.csr" -out "$4.pem" -notext
}
CA="$W/ca"; OTHER="$W/other"
mkca "$CA" "Vector CA"; mkca "$OTHER" "Other Vector CA"
issue "$CA" member "Vector Member" "$W/member"            # serial 2A
issue "$CA" ocsp "Vector OCSP Responder" "$W/responder"     # serial 2B
issue "$CA" noeku "Vector Responder Without EKU" "$W/noeku" # serial 2C
issue "$OTHER" ocsp "Rogue OCSP Responder" "$W/rogue"       # other CA's serial 2A
# Signed by the CA but never recorded in its database: the responder does not know it.
q openssl req -new -newkey rsa:2048 -nodes -keyout "$W/stray.key" -subj "/O=Vector/CN=Vector Stray" -out "$W/s.csr"
printf 'basicConstraints=critical,CA:false\nextendedKeyUsage=clientAuth\n' >"$W/stray.ext"
q openssl x509 -req -in "$W/s.csr" -CA "$CA/ca.pem" -CAkey "$CA/ca.key" -set_serial 0x7F01 -days 3650 -sha256 -extfile "$W/stray.ext" -out "$W/stray.pem"

cp "$CA/ca.pem" ca.pem; cp "$OTHER/ca.pem" other-ca.pem
cp "$W/member.pem" member.pem; cp "$W/stray.pem" stray.pem; cp "$W/responder.pem" responder.pem

# CRLs: #1 revokes nothing (DER); then the member is revoked and #2 lists it (PEM).
q openssl ca -config "$CA/ca.cnf" -gencrl -out "$W/crl1.pem"
q openssl crl -in "$W/crl1.pem" -outform DER -out crl-1.der

# OCSP requests (SHA-1 CertID, as openssl sends them), and responses before the revocation.
req() { q openssl ocsp -issuer ca.pem -cert "$1" -reqout "$2" "${@:3}"; }
req member.pem req-member.der -no_nonce
req member.pem req-member-nonce.der -nonce
req stray.pem req-stray.der -no_nonce
resp() { # resp REQ OUT SIGNER KEY [extra]
  q openssl ocsp -index "$CA/index.txt" -CA ca.pem -rsigner "$3" -rkey "$4" -reqin "$1" -respout "$2" -nmin 10 "${@:5}"
}
resp req-member.der resp-good.der "$W/responder.pem" "$W/responder.key"
resp req-member-nonce.der resp-good-nonce.der "$W/responder.pem" "$W/responder.key"
resp req-member.der resp-good-keyid.der "$W/responder.pem" "$W/responder.key" -resp_key_id
resp req-member.der resp-good-by-ca.der "$CA/ca.pem" "$CA/ca.key"
resp req-member.der resp-rogue.der "$W/rogue.pem" "$W/rogue.key"
resp req-member.der resp-noeku.der "$W/noeku.pem" "$W/noeku.key"
resp req-stray.der resp-unknown.der "$W/responder.pem" "$W/responder.key"
# tryLater: an unsigned error response (OCSPResponse ::= SEQUENCE { ENUMERATED 3 }).
printf '\x30\x03\x0a\x01\x03' >resp-trylater.der

q openssl ca -config "$CA/ca.cnf" -revoke member.pem -crl_reason keyCompromise
q openssl ca -config "$CA/ca.cnf" -gencrl -out crl-2.pem
resp req-member.der resp-revoked.der "$W/responder.pem" "$W/responder.key"

# A CRL from another CA, and CRL #2 with one flipped bit in its signature.
q openssl ca -config "$OTHER/ca.cnf" -gencrl -out crl-other-ca.pem
q openssl crl -in crl-2.pem -outform DER -out "$W/crl2.der"
python3 - "$W/crl2.der" crl-2-bad-signature.der <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read()); b[-10] ^= 0x01; open(sys.argv[2], 'wb').write(b)
PY

now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
printf '{\n  "generatedAt": "%s",\n  "memberSerial": "2A",\n  "straySerial": "7F01"\n}\n' "$now" >manifest.json
echo "vectors written at $now"
