#!/usr/bin/env bash
# Installs the official Node.js runtime interface client (aws-lambda-ric, pinned by
# package-lock.json beside this script) into DIR/node_modules, unless it is already there.
#   tests/serve/node/setup.sh DIR
#
# aws-lambda-ric builds a native addon at install time: its preinstall script compiles the bundled
# curl and aws-lambda-cpp (autoreconf, make, cmake, a C++ compiler), then node-gyp compiles the
# addon against Node's headers (python3). On Debian 12 that is: g++ make cmake autoconf automake
# libtool python3, plus nodejs with its headers in /usr/include/node.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
mkdir -p "$1"
dir=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
addon=$dir/node_modules/aws-lambda-ric/dist/rapid-client.node

# DIR is a cache shared by every build folder: one install at a time (a second caller waits, then
# finds the client installed).
exec 9>"$dir/.lock"
flock 9

# Installed, and from the lock file that is here now: nothing to do.
if [[ -f $addon && -f $dir/package-lock.json ]] && cmp -s "$here/package-lock.json" "$dir/package-lock.json"; then
  exit 0
fi

missing=()
for tool in node npm autoreconf aclocal libtoolize make cmake g++ python3; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "setup.sh: cannot build aws-lambda-ric: missing ${missing[*]}" >&2
  echo "setup.sh: on Debian 12: apt-get install nodejs npm autoconf automake libtool make cmake g++ python3" >&2
  exit 1
fi

# node-gyp would otherwise download Node's headers; use the ones installed with Node.
node_prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
if [[ -f $node_prefix/include/node/node_api.h ]]; then
  export npm_config_nodedir=$node_prefix
fi

# The bundled curl and aws-lambda-cpp are built with make and node-gyp: use every core.
export MAKEFLAGS="-j$(nproc)"
export JOBS=max

rm -rf "$dir/node_modules"
cp "$here/package.json" "$here/package-lock.json" "$dir/"
cd "$dir"
echo "setup.sh: installing aws-lambda-ric into $dir (compiles a native addon; takes minutes)" >&2
npm ci --no-audit --no-fund --loglevel=error
if [[ ! -f $addon ]]; then
  echo "setup.sh: npm ci finished but $addon is missing" >&2
  exit 1
fi
