#!/usr/bin/env bash
# Run by `flowstack.py run` with the stack's FLOW_* variables set. Both suites always run.
set -u
cd "$(dirname "$0")"
status=0
../.venv/bin/python -m pytest -q -p no:cacheprovider tests || status=1
node --test browser/ || status=1
exit $status
