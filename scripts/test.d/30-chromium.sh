#!/usr/bin/env bash
# Debian's Chromium for the dashboard's browser test (Swarm.Tests/Dashboard), driven by Playwright for .NET.
#
# Sourced by scripts/test.sh before `dotnet test`: installs the apt package `chromium` when it is missing (nothing
# when it is there) and exports SWARM_TEST_CHROMIUM, the browser the test starts through Playwright's
# ExecutablePath, so Playwright never downloads a browser (the node and the test machine have no internet).
# Playwright's driver is the node.js program shipped inside the Microsoft.Playwright package (.playwright/node);
# it needs nothing else from the system.
# To run the test by hand:   source scripts/test.d/30-chromium.sh && dotnet test Swarm.Tests --filter Dashboard

_swarm_chromium_main() {
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  # shellcheck source=../lib.sh
  source "$root/scripts/lib.sh"
  apt_install chromium fonts-liberation || {
    echo "[swarm] could not install Debian's chromium (the dashboard's browser test needs it)" >&2
    return 1
  }
  if [ ! -x /usr/bin/chromium ]; then
    echo "[swarm] /usr/bin/chromium is missing after installing the chromium package" >&2
    return 1
  fi
  export SWARM_TEST_CHROMIUM=/usr/bin/chromium
}

_swarm_chromium_main "$@"
