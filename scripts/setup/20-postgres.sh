#!/usr/bin/env bash
# PostgreSQL server binaries for the ledger's conformance tests. The server itself is started only for a test run,
# as a private throw-away cluster on loopback, by scripts/test.d/20-postgres.sh.
set -euo pipefail
# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
apt_install postgresql
