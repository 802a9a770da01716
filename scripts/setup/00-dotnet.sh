#!/usr/bin/env bash
# The .NET SDK must be on PATH; it is on every machine of this project's kind.
set -euo pipefail
if ! command -v dotnet >/dev/null 2>&1; then
  echo "[swarm] the .NET SDK 10 is required (dotnet not found on PATH)" >&2
  exit 1
fi
