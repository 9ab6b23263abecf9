#!/usr/bin/env bash
# build-wasm32.sh: the core as WebAssembly for Node, the fallback of the `thumbsmith` npm package
# on platforms without a prebuilt addon, into dist/.stage/wasm32/.
#
# The browser binding (bindings-wasm) built with the Node package's codecs, lossless WebP and the
# EXIF writer (the core features the native addon has; lossy WebP needs libwebp's C, native only,
# and TIFF and JPEG XL input would take the module from 1.4 to 2.5 MB on disk, over its 1.5 MB),
# in its size-tuned `wasm` profile, then wasm-bindgen's `nodejs` glue (CommonJS, instantiated
# synchronously at `require`, as the loader needs) and wasm-opt as for the browser builds. The
# wasm-bindgen CLI and wasm-opt are bindings-wasm's (`make -C bindings-wasm setup`).
set -euo pipefail
cd "$(dirname "$0")/.."
WASM=bindings-wasm
STAGE=dist/.stage/wasm32
TARGET_DIR=$WASM/build/cargo-node
env -u RUSTFLAGS -u CARGO_ENCODED_RUSTFLAGS cargo build -p thumbsmith-wasm --lib --target wasm32-unknown-unknown \
  --profile wasm --config $WASM/cargo-wasm.toml --features thumbsmith/encode-webp,thumbsmith/write-exif \
  --target-dir $TARGET_DIR
LINKED=$TARGET_DIR/wasm32-unknown-unknown/wasm/thumbsmith_wasm.wasm
# wasm-opt takes minutes: redone only when cargo linked a new module.
if [ "$STAGE/thumbsmith_wasm_bg.wasm" -nt "$LINKED" ]; then
  echo "$STAGE: up to date"
else
  rm -rf "$STAGE" && mkdir -p "$STAGE"
  $WASM/build/tools/bin/wasm-bindgen --target nodejs --no-typescript --out-dir "$STAGE" "$LINKED"
  $WASM/node_modules/.bin/wasm-opt "$STAGE/thumbsmith_wasm_bg.wasm" -Oz --converge --low-memory-unused --strip-debug \
    --strip-producers --strip-target-features --enable-simd -o "$STAGE/thumbsmith_wasm_bg.wasm"
fi
cp packaging/wasm32/index.js "$STAGE/"
ls -l "$STAGE"
