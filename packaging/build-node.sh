#!/usr/bin/env bash
# build-node.sh TARGET…: the Node addon of each Rust target, cross-built with cargo-zigbuild into
# dist/.stage/addons/thumbsmith.<platform>.node (napi-rs's platform names: linux-x64-gnu…).
#   *-linux-gnu   → linked against glibc 2.17's symbol versions (the `.2.17` target suffix), as
#                   napi-rs's own cross builds do: any glibc Linux Node 18+ runs on loads it.
#   *-linux-musl  → a dynamically linked musl library (-crt-static off), loaded by musl's Node.
# Stripped (the size-tuned build `make -C bindings-node prebuild` makes): ≤ 8 MiB installed.
set -euo pipefail
cd "$(dirname "$0")/.."
STAGE=dist/.stage/addons
mkdir -p "$STAGE"
export CARGO_PROFILE_RELEASE_STRIP=symbols
for target in "$@"; do
  platform=$(packaging/platform.sh "$target")
  rustup target list --installed | grep -qx "$target" || rustup target add "$target"
  case $target in
    *-linux-gnu) zigtarget=$target.2.17 ;;
    *-linux-musl)
      zigtarget=$target
      var=CARGO_TARGET_$(echo "$target" | tr a-z- A-Z_)_RUSTFLAGS
      export "$var=-C target-feature=-crt-static" ;;
    *) echo "no Node platform for $target" >&2; exit 1 ;;
  esac
  cargo zigbuild --release -p thumbsmith-node --lib --target "$zigtarget"
  cp "target/$target/release/libthumbsmith_node.so" "$STAGE/thumbsmith.$platform.node"
  ls -l "$STAGE/thumbsmith.$platform.node"
done
