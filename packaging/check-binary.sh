#!/usr/bin/env bash
# check-binary.sh FILE TARGET: FILE (a shared library: a Node addon, or a wheel's extension
# module) is fit for TARGET's platform policy, read from the binary itself:
#   - an ELF shared object of TARGET's machine;
#   - *-linux-gnu: no symbol version newer than GLIBC_2.17 (manylinux2014), and only glibc's own
#     libraries needed;
#   - *-linux-musl: no GLIBC_ symbol version at all, only musl's libc needed, and every strong
#     undefined symbol (weak ones may stay unbound) either defined by musl's libc.so (Debian's `musl`) or the host's API (Py*, napi_*).
set -euo pipefail
FILE=$1
TARGET=$2
GLIBC_MAX=2.17
fail() { echo "$FILE: $*" >&2; exit 1; }

case $TARGET in
  x86_64-*) want='Advanced Micro Devices X86-64' musl_lib=/usr/lib/x86_64-linux-musl/libc.so ;;
  aarch64-*) want=AArch64 musl_lib=/usr/lib/x86_64-linux-musl/libc.so ;;
  *) fail "unknown target $TARGET" ;;
esac
machine=$(readelf -h "$FILE" | awk -F: '/Machine:/ { gsub(/^ +/, "", $2); print $2 }')
[ "$machine" = "$want" ] || fail "machine is $machine, not $want"
[ "$(readelf -h "$FILE" | awk -F: '/Type:/ { print $2 }' | awk '{print $1}')" = DYN ] || fail "not a shared object"
needed=$(readelf -d "$FILE" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')
versions=$(objdump -T "$FILE" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tr '\n' ' ' || true)

case $TARGET in
  *-linux-gnu)
    for lib in $needed; do
      [[ $lib =~ ^(libc|libm|libdl|libpthread|librt|libgcc_s)\.so\.[0-9]+$|^ld-linux ]] || fail "needs $lib, not a glibc library"
    done
    newest=$(echo "$versions" | tr ' ' '\n' | sed '/^$/d' | tail -1)
    [ -n "$newest" ] || fail "no GLIBC_ symbol version: not linked against glibc"
    [ "$(printf '%s\n%s\n' "$newest" "$GLIBC_MAX" | sort -V | tail -1)" = "$GLIBC_MAX" ] ||
      fail "needs GLIBC_$newest, newer than manylinux2014's $GLIBC_MAX"
    echo "$FILE: $machine, needs $needed; newest symbol version GLIBC_$newest (≤ $GLIBC_MAX)"
    ;;
  *-linux-musl)
    [ -z "$versions" ] || fail "has glibc symbol versions: $versions"
    for lib in $needed; do
      [[ $lib =~ ^libc\.so$|^libc\.musl-(x86_64|aarch64)\.so\.1$ ]] || fail "needs $lib, not musl's libc"
    done
    [ -e "$musl_lib" ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends musl musl-dev musl-tools; }
    # musl's symbols are the same on every architecture it supports; x86_64's list stands in.
    missing=$(comm -23 \
      <(nm -D --undefined-only "$FILE" | awk '$1 == "U" {print $2}' | sed 's/@.*//' | grep -Ev '^(_?Py|napi_|__gmon_start__|_ITM_|__cxa_finalize$)' | sort -u) \
      <(nm -D --defined-only "$musl_lib" | awk '{print $NF}' | sort -u))
    [ -z "$missing" ] || fail "undefined symbols musl's libc does not define: $(echo $missing)"
    echo "$FILE: $machine, needs ${needed:-nothing}; no glibc symbol; every libc symbol it imports is musl's"
    ;;
esac
