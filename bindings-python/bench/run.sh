#!/usr/bin/env bash
# `make bench`: the measurements of the report. Pillow and pyvips go into a scratch venv
# (bench/.venv, git-ignored), never into the test venv; the Rust API is timed by benches'
# thumbsmith-runner. Takes a few minutes on the photo corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${THUMBSMITH_CORPUS:-$HOME/.cache/thumbsmith-corpus}"
[ -f "$corpus/.done" ] || bash ../../shared/corpus/fetch.sh "$corpus"
wheel=$(ls dist/thumbsmith-*.whl)
[ -x bench/.venv/bin/python ] || python3 -m venv bench/.venv
bench/.venv/bin/pip install --quiet --disable-pip-version-check -r bench/requirements.txt
bench/.venv/bin/pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheel"
cargo build --release -p thumbsmith-benches --bin thumbsmith-runner 2>/dev/null \
  || echo "note: benches' thumbsmith-runner does not build; Rust API figures left out" >&2
# One thread per library in the single-thread runs (all are pinned to one CPU there).
export VIPS_CONCURRENCY=1
bench/.venv/bin/python bench/compare.py --corpus "$corpus" --wheel "$wheel" \
  --json bench/results.json "$@"
