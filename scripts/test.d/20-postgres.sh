#!/usr/bin/env bash
# A private, throw-away PostgreSQL cluster for the ledger conformance tests (Swarm.Tests/Persistence).
#
# Sourced by scripts/test.sh before `dotnet test`: starts the cluster if it is not running yet (reuses it if it is),
# listening on 127.0.0.1 only, and exports SWARM_TEST_POSTGRES, the Npgsql connection string the tests use.
# To run the tests by hand:   source scripts/test.d/20-postgres.sh && dotnet test Swarm.Tests ...
# To stop the cluster:        bash scripts/test.d/20-postgres.sh stop
#
# initdb refuses to run as root, so as root (CI) the cluster runs as the `postgres` OS user with its files in
# /tmp/swarm-test-pg; as any other user it runs as that user in .build/pg. Port: SWARM_TEST_POSTGRES_PORT (55432).
# The superuser `swarm` gets a password generated on first start; host connections need it (scram-sha-256), local
# socket connections are trusted but the socket sits in a directory only the cluster's owner can enter.

_swarm_pg_main() {
  local root port base as_owner bin data password sock log
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  port="${SWARM_TEST_POSTGRES_PORT:-55432}"
  if [ "$(id -u)" -eq 0 ]; then
    base=/tmp/swarm-test-pg
    as_owner=(runuser -u postgres --)
  else
    base="$root/.build/pg"
    as_owner=()
  fi
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "[swarm] PostgreSQL server binaries not found under /usr/lib/postgresql (run scripts/setup/20-postgres.sh)" >&2
    return 1
  fi
  data="$base/data" sock="$base/sock" log="$base/server.log"

  if [ "${1:-}" = "stop" ]; then
    if [ -f "$data/PG_VERSION" ]; then
      "${as_owner[@]}" "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    echo "[swarm] test PostgreSQL stopped" >&2
    return 0
  fi

  mkdir -p "$base"
  [ ${#as_owner[@]} -eq 0 ] || chown postgres:postgres "$base"
  chmod 700 "$base"
  if [ ! -f "$data/PG_VERSION" ]; then
    # A data directory without PG_VERSION is the remains of an interrupted initdb: start again.
    rm -rf "$data" "$sock"
    "${as_owner[@]}" bash -c "umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' > '$base/password'"
    "${as_owner[@]}" "$bin/initdb" -D "$data" -U swarm --pwfile="$base/password" --auth-local=trust \
      --auth-host=scram-sha-256 -E UTF8 --locale=C >"$base/initdb.log" 2>&1 || {
      echo "[swarm] initdb failed; see $base/initdb.log" >&2
      return 1
    }
  fi
  password="$(cat "$base/password")"

  if ! "${as_owner[@]}" "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    "${as_owner[@]}" mkdir -p "$sock"
    "${as_owner[@]}" "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $sock -c max_connections=100" start >/dev/null || {
      echo "[swarm] the test PostgreSQL did not start on 127.0.0.1:$port; see $log" >&2
      return 1
    }
  fi

  if ! "${as_owner[@]}" "$bin/psql" -h "$sock" -p "$port" -U swarm -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = 'swarm_test'" | grep -q 1; then
    "${as_owner[@]}" "$bin/psql" -h "$sock" -p "$port" -U swarm -d postgres -qc "CREATE DATABASE swarm_test" >/dev/null
  fi

  export SWARM_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=swarm;Password=$password;Database=swarm_test"
  echo "[swarm] test PostgreSQL on 127.0.0.1:$port (data in $data); SWARM_TEST_POSTGRES exported" >&2
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  _swarm_pg_main "$@"
else
  # Sourced by scripts/test.sh: a failure here must not stop the other tests; the PostgreSQL tests then fail and
  # say that SWARM_TEST_POSTGRES is missing.
  if ! _swarm_pg_main; then
    echo "[swarm] WARNING: the test PostgreSQL is not available; the PostgreSQL ledger tests will fail" >&2
  fi
  unset -f _swarm_pg_main
fi
