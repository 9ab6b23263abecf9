#!/usr/bin/env bash
# timed-steps.sh STEP…: `make STEP` for each step in order, stopping at the first failure, then a
# table of each step's wall time. `make test` runs through it so every CI log says where its
# minutes went (CI has 60 of them on 2 cores).
set -uo pipefail
names=() secs=() status=0
start_all=$(date +%s)
report() {
  echo
  echo "== make test: wall time per step"
  for i in "${!names[@]}"; do printf '  %-28s %6d s\n' "${names[$i]}" "${secs[$i]}"; done
  printf '  %-28s %6d s\n' total $(( $(date +%s) - start_all ))
}
for step in "$@"; do
  t0=$(date +%s)
  ${MAKE:-make} --no-print-directory "$step"; status=$?
  names+=("$step"); secs+=($(( $(date +%s) - t0 )))
  if [ "$status" -ne 0 ]; then
    report
    echo "== failed: $step (exit $status)"
    exit "$status"
  fi
done
report
