#!/usr/bin/env bash
# Runs every test. Each script under scripts/test.d prepares a real component the tests need (for example a
# PostgreSQL server on loopback) and may export variables for the test run. Ends with one summary line,
# "tests: N passed, N failed, N skipped", read from the run's TRX report.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
configuration="${1:-Release}"
shift || true
for step in "$root"/scripts/test.d/*.sh; do
  [ -e "$step" ] || continue
  # shellcheck disable=SC1090
  source "$step"
done

results="$root/.build/test-results"
rm -rf "$results"
mkdir -p "$results"
log="$results/console.log"
status=0
set +e
dotnet test "$root/Swarm.sln" -c "$configuration" --no-build -nologo \
  --logger "console;verbosity=normal" --logger "trx;LogFileName=swarm.trx" --results-directory "$results" "$@" 2>&1 \
  | tee "$log"
status=${PIPESTATUS[0]}
set -e

# The console interleaves every test's output; repeat each failure (name, message, the first lines of its stack
# and output) at the end, where a reader of the run's last lines finds it.
failures="$(awk '
  /^  Failed [^ ]/ { grab = 1; lines = 0 }
  grab && /^  (Passed|Skipped) [^ ]/ { grab = 0 }
  grab && lines < 60 { print; lines++ }
' "$log")"
if [ -n "$failures" ]; then
  echo "==================== failed tests ===================="
  printf '%s\n' "$failures"
  echo "======================================================"
fi

# A test host that dies (a native crash, a stack overflow) ends the run early with only the tests done by then in
# the report; say so where the summary is read, with the reason the test platform gave.
aborted="$(grep -E 'Test Run Aborted|test run was aborted|Test host process crashed' "$log" | head -n 5 | cut -c1-400 || true)"
if [ -n "$aborted" ]; then
  echo "==================== the test run was aborted ===================="
  printf '%s\n' "$aborted"
  echo "=================================================================="
  [ "$status" -ne 0 ] || status=1
fi

trx="$(find "$results" -name '*.trx' 2>/dev/null | head -n 1)"
if [ -n "$trx" ]; then
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
  value() { printf '%s' "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  passed="$(value passed)"; failed="$(value failed)"; total="$(value total)"; executed="$(value executed)"
  skipped=$(( ${total:-0} - ${executed:-0} ))
  echo "tests: ${passed:-0} passed, ${failed:-0} failed, ${skipped} skipped${aborted:+ (the run was aborted: the test host died)}"
  if [ "${executed:-0}" -eq 0 ]; then
    echo "[swarm] no test was executed" >&2
    status=1
  fi
else
  echo "[swarm] the test run wrote no report" >&2
  [ "$status" -ne 0 ] || status=1
fi
exit "$status"
