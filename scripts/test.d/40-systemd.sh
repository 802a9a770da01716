#!/usr/bin/env bash
# systemd-analyze for Swarm.Tests/Deployment/SystemdUnitTests, which verifies deploy/systemd/swarm-node.service.
# Sourced by scripts/test.sh before `dotnet test`: installs Debian's systemd when it is missing (nothing otherwise).
# Only the analyzer is used; no service is started.

_swarm_systemd_main() {
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  # shellcheck source=../lib.sh
  source "$root/scripts/lib.sh"
  apt_install systemd || {
    echo "[swarm] could not install Debian's systemd (the unit file's test needs systemd-analyze)" >&2
    return 1
  }
}

_swarm_systemd_main "$@"
