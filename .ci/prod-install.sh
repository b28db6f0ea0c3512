#!/usr/bin/env bash
# Installs the dist/ built earlier the way production does (docs/DEPLOY.md, the Dockerfile): a clean folder
# holding only package.json, package-lock.json and dist/, `npm ci --omit=dev`, then `node dist/main.js`
# with NODE_ENV=production and the Node flags of `npm start`. Checks it on SQLite and on PostgreSQL (two
# instances starting together).
#
#   .ci/prod-install.sh              on the machine's Node
#   .ci/prod-install.sh <node-dir>   on the Node in <node-dir> (from .ci/node-lts.sh); native modules are
#                                    compiled against its headers
set -euo pipefail
cd "$(dirname "$0")/.."
node_dir="${1:-}"
[ -f dist/main.js ] || { echo "dist/main.js missing: run npm run build first" >&2; exit 1; }

folder="$(mktemp -d)"
trap 'rm -rf "$folder"' EXIT
cp package.json package-lock.json "$folder/"
cp -R dist "$folder/dist"
(
  cd "$folder"
  if [ -n "$node_dir" ]; then
    export PATH="$node_dir/bin:$PATH"
    npm ci --omit=dev --no-audit --no-fund --loglevel=error --nodedir="$node_dir"
  else
    npm ci --omit=dev --no-audit --no-fund --loglevel=error
  fi
)
node_bin="${node_dir:+$node_dir/bin/}node"
echo "== production install on Node $("$node_bin" --version) in $folder"
node -r @swc-node/register test/prod-install/prod-install.check.ts "$folder" "$(command -v "$node_bin")"
