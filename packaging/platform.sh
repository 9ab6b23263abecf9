#!/usr/bin/env bash
# platform.sh TARGET: napi-rs's platform name of a Rust target (x86_64-unknown-linux-musl →
# linux-x64-musl), the suffix of the npm package and of the addon file.
set -euo pipefail
case $1 in
  x86_64-unknown-linux-gnu) echo linux-x64-gnu ;;
  aarch64-unknown-linux-gnu) echo linux-arm64-gnu ;;
  x86_64-unknown-linux-musl) echo linux-x64-musl ;;
  aarch64-unknown-linux-musl) echo linux-arm64-musl ;;
  *) echo "unknown target $1" >&2; exit 1 ;;
esac
