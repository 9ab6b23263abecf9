#!/usr/bin/env bash
# check-elf.sh <addon> <machine>: the addon is an ELF shared object for <machine> (readelf's name:
# AArch64, Advanced Micro Devices X86-64) and needs no glibc newer than Lambda's (Amazon Linux
# 2023: 2.34), by the newest GLIBC_x.y version of any symbol it imports.
set -euo pipefail
ADDON=$1
WANT=$2
LAMBDA_GLIBC=2.34

machine=$(readelf -h "$ADDON" | awk -F: '/Machine:/ { gsub(/^ +/, "", $2); print $2 }')
[ "$machine" = "$WANT" ] || { echo "$ADDON: machine is $machine, not $WANT" >&2; exit 1; }
echo "$ADDON: $machine shared object, $(stat -c %s "$ADDON") bytes"

newest=$(objdump -T "$ADDON" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)
if [ "$(printf '%s\n%s\n' "$newest" "$LAMBDA_GLIBC" | sort -V | tail -1)" != "$LAMBDA_GLIBC" ]; then
  echo "$ADDON needs GLIBC_$newest, newer than Lambda's $LAMBDA_GLIBC:" >&2
  objdump -T "$ADDON" | grep "GLIBC_$newest" >&2
  exit 1
fi
echo "$ADDON: newest glibc symbol version GLIBC_$newest (Lambda has $LAMBDA_GLIBC)"
