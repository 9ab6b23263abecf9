#!/usr/bin/env bash
# build-python.sh TARGET…: the abi3 wheel of each Rust target into dist/python, and the sdist.
#   *-linux-gnu   → manylinux2014 (glibc 2.17): zig links against 2.17's symbol versions, so the
#                   wheel installs on RHEL/Rocky 8, Ubuntu 20.04, Amazon Linux 2 and newer.
#   *-linux-musl  → musllinux_1_2 (Alpine 3.13+); maturin links it with -crt-static, so the module
#                   uses the interpreter's musl instead of carrying its own.
# libwebp's C is compiled by the same zig toolchain (maturin sets CC for the target).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=dist/python
mkdir -p "$OUT"
for target in "$@"; do
  case $target in
    *-linux-gnu) policy=manylinux2014 ;;
    *-linux-musl) policy=musllinux_1_2 ;;
    *) echo "no wheel policy for $target" >&2; exit 1 ;;
  esac
  rustup target list --installed | grep -qx "$target" || rustup target add "$target"
  maturin build --release --zig --target "$target" --compatibility "$policy" --out "$OUT" \
    -m bindings-python/Cargo.toml
done
# The sdist: the binding crate, the core and the path crates it needs, as maturin packs them.
maturin sdist -m bindings-python/Cargo.toml --out "$OUT"
ls -l "$OUT"
