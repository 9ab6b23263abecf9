#!/usr/bin/env python3
"""List Rust source files over 800 lines and Rust functions over 100 lines.

Usage: python3 tools/sizes.py [--files N] [--fns N]   (run from the repository root)

Scope: the tracked `*.rs` files (`git ls-files`) under core/, jpeg-decoder/, jpeg-encoder/,
bindings-*/src/, tools/, benches/, conformance/ and fuzz/; bindings-wasm/build/ (vendored
third-party code) and target/ are skipped.

How a function is counted: a line whose code (after stripping comments, string and char literals)
declares `fn name` starts a function; its length runs from that line to the line where the braces
opened after it balance again, both lines included. A declaration that ends in `;` before any `{`
outside brackets (a trait method without a body) is not a function. Nested functions are counted on their own and
inside their parent. A function is marked `simd` when its file is under an `avx2`/`neon`/`sse`/
`simd` path or when a `#[target_feature(...)]` attribute stands right above it: those kernels are
exempt from the limit (issue 28) and listed apart.

Exit status: 0 always; this is a report, not a gate.
"""

import argparse
import re
import subprocess
import sys
from collections import defaultdict

ROOTS = ("core/", "jpeg-decoder/", "jpeg-encoder/", "tools/", "benches/", "conformance/", "fuzz/")
SKIP = ("bindings-wasm/build/", "target/")
FN_RE = re.compile(r"\bfn\s+([A-Za-z_][A-Za-z0-9_]*)")
SIMD_PATH_RE = re.compile(r"(^|/)(avx2|neon|sse\d*|simd)(/|\.rs$|_)")


def in_scope(path):
    if any(path.startswith(s) or f"/{s}" in path for s in SKIP):
        return False
    if path.startswith(ROOTS):
        return True
    return re.match(r"bindings-[^/]+/src/", path) is not None


def strip_code(lines):
    """Each line with comments, string and char literals blanked (block comments and raw strings
    may span lines). Good enough for brace counting in rustfmt-formatted code."""
    out = []
    in_block = 0
    in_str = None  # None, '"', or the closing sequence of a raw string such as '"##'
    for line in lines:
        buf = []
        i, n = 0, len(line)
        while i < n:
            c = line[i]
            if in_block:
                if line.startswith("*/", i):
                    in_block -= 1
                    i += 2
                elif line.startswith("/*", i):
                    in_block += 1
                    i += 2
                else:
                    i += 1
                continue
            if in_str is not None:
                if in_str == '"':
                    if c == "\\":
                        i += 2
                        continue
                    if c == '"':
                        in_str = None
                    i += 1
                    continue
                if line.startswith(in_str, i):
                    i += len(in_str)
                    in_str = None
                else:
                    i += 1
                continue
            if line.startswith("//", i):
                break
            if line.startswith("/*", i):
                in_block = 1
                i += 2
                continue
            m = re.match(r'b?r(#*)"', line[i:])
            if m and (i == 0 or not (line[i - 1].isalnum() or line[i - 1] == "_")):
                in_str = '"' + m.group(1)
                i += m.end()
                continue
            if c == '"':
                in_str = '"'
                i += 1
                continue
            if c == "'":
                # A char literal ('x', '\n', '\u{..}'), not a lifetime ('a).
                m = re.match(r"'(\\u\{[0-9a-fA-F]+\}|\\.|[^\\'])'", line[i:])
                if m:
                    i += m.end()
                    continue
            buf.append(c)
            i += 1
        out.append("".join(buf))
    return out


def functions(lines):
    code = strip_code(lines)
    found = []
    for start, text in enumerate(code):
        m = FN_RE.search(text)
        if not m:
            continue
        depth = 0
        nest = 0  # ( and [ before the body: `[T; 2]` holds a `;` that ends nothing
        opened = False
        end = None
        j = start
        col = m.end()
        while j < len(code):
            seg = code[j][col:] if j == start else code[j]
            for ch in seg:
                if ch in "([":
                    nest += 1
                elif ch in ")]":
                    nest -= 1
                elif ch == "{":
                    depth += 1
                    opened = True
                elif ch == "}":
                    depth -= 1
                    if opened and depth == 0:
                        end = j
                        break
                elif ch == ";" and not opened and nest == 0:
                    end = -1
                    break
            if end is not None:
                break
            j += 1
        if end is None or end < 0:
            continue
        # Attributes and doc comments right above the declaration.
        simd = False
        attr = start - 1
        while attr >= 0 and lines[attr].strip().startswith(("#[", "//")):
            simd = simd or "target_feature" in lines[attr]
            attr -= 1
        found.append((m.group(1), start + 1, end - start + 1, simd))
    return found


def crate_of(path):
    return path.split("/", 1)[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=800, help="file line limit (800)")
    ap.add_argument("--fns", type=int, default=100, help="function line limit (100)")
    args = ap.parse_args()

    paths = subprocess.run(
        ["git", "ls-files", "*.rs"], check=True, capture_output=True, text=True
    ).stdout.split()
    paths = sorted(p for p in paths if in_scope(p))

    big_files, big_fns = [], []
    largest_file = {}
    largest_fn = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        crate = crate_of(path)
        if len(lines) > largest_file.get(crate, ("", 0))[1]:
            largest_file[crate] = (path, len(lines))
        if len(lines) > args.files:
            big_files.append((len(lines), path))
        simd_path = SIMD_PATH_RE.search(path) is not None
        for name, line, length, simd in functions(lines):
            simd = simd or simd_path
            key = (crate, simd)
            if length > largest_fn.get(key, ("", 0))[1]:
                largest_fn[key] = (f"{path}:{line} {name}", length)
            if length > args.fns:
                big_fns.append((length, f"{path}:{line}", name, simd))

    print(f"Files over {args.files} lines:")
    for n, p in sorted(big_files, reverse=True):
        print(f"  {n:5}  {p}")
    if not big_files:
        print("  (none)")
    print(f"Functions over {args.fns} lines (simd = exempt kernel):")
    for n, where, name, simd in sorted(big_fns, reverse=True):
        print(f"  {n:5}  {where}  {name}{'  [simd]' if simd else ''}")
    if not big_fns:
        print("  (none)")
    print("Largest per top-level directory (file; function outside SIMD kernels):")
    for crate in sorted(largest_file):
        p, n = largest_file[crate]
        fn_where, fn_n = largest_fn.get((crate, False), ("-", 0))
        print(f"  {crate:18} {n:5}  {p}")
        print(f"  {'':18} {fn_n:5}  {fn_where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
