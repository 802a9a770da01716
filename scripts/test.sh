#!/usr/bin/env bash
# Runs every test. Each script under scripts/test.d prepares a real component the tests need (for example a
# PostgreSQL server on loopback) and may export variables for the test run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
configuration="${1:-Release}"
shift || true
for step in "$root"/scripts/test.d/*.sh; do
  [ -e "$step" ] || continue
  # shellcheck disable=SC1090
  source "$step"
done
exec dotnet test "$root/Swarm.sln" -c "$configuration" --no-build -nologo \
  --logger "console;verbosity=normal" "$@"
