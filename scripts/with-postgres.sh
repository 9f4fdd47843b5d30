#!/usr/bin/env bash
# Run a command with DATABASE_URL_PG pointing at a throwaway PostgreSQL cluster.
#
# If DATABASE_URL_PG is already set, the command just runs. Otherwise: find initdb/pg_ctl (installing
# Debian's postgresql with apt-get when missing and we are root), create a cluster in a temp dir, start
# it on a free 127.0.0.1 port, run the command, then stop the cluster and delete the dir.
# Without a way to get PostgreSQL the command still runs; the PostgreSQL tests then skip (or fail when
# ALUR_REQUIRE_PG=1, as in CI).
set -uo pipefail

if [[ -n "${DATABASE_URL_PG:-}" ]]; then
  exec "$@"
fi

find_pg_bin() {
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"; return 0
  fi
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x "$d/initdb" && -x "$d/pg_ctl" ]]; then echo "$d"; return 0; fi
  done
  return 1
}

PG_BIN="$(find_pg_bin || true)"
if [[ -z "$PG_BIN" && "$(id -u)" == "0" ]] && command -v apt-get >/dev/null 2>&1; then
  echo "with-postgres: installing Debian's postgresql (initdb/pg_ctl missing)" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) >&2 \
    || echo "with-postgres: apt-get install postgresql failed" >&2
  PG_BIN="$(find_pg_bin || true)"
fi
if [[ -z "$PG_BIN" ]]; then
  echo "with-postgres: no PostgreSQL available; PostgreSQL tests will be skipped" >&2
  exec "$@"
fi

PYTHON="${PYTHON:-python3}"
PORT="$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
PGDIR="$(mktemp -d /tmp/alur-pg.XXXXXX)"
RUN_AS=()
if [[ "$(id -u)" == "0" ]]; then
  # initdb refuses to run as root: use the postgres account (created by the Debian package).
  PG_USER_ACCOUNT="postgres"
  if ! id "$PG_USER_ACCOUNT" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_USER_ACCOUNT" >/dev/null 2>&1 || true
  fi
  chown "$PG_USER_ACCOUNT" "$PGDIR"
  if command -v runuser >/dev/null 2>&1; then
    RUN_AS=(runuser -u "$PG_USER_ACCOUNT" --)
  else
    RUN_AS=(su "$PG_USER_ACCOUNT" -s /bin/sh -c)
  fi
fi

run_pg() {
  if [[ ${#RUN_AS[@]} -eq 0 ]]; then "$@";
  elif [[ "${RUN_AS[0]}" == "su" ]]; then "${RUN_AS[@]}" "$(printf '%q ' "$@")";
  else "${RUN_AS[@]}" "$@"; fi
}

cleanup() {
  run_pg "$PG_BIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
}
trap cleanup EXIT INT TERM

if ! run_pg "$PG_BIN/initdb" -D "$PGDIR/data" -U postgres -A trust -E UTF8 --no-locale >"$PGDIR/initdb.log" 2>&1; then
  echo "with-postgres: initdb failed:" >&2; cat "$PGDIR/initdb.log" >&2
  exec "$@"
fi
if ! run_pg "$PG_BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 60 \
      -o "-p $PORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=100" start >/dev/null; then
  echo "with-postgres: server failed to start:" >&2; cat "$PGDIR/server.log" >&2
  exit 1
fi
export DATABASE_URL_PG="postgresql://postgres@127.0.0.1:$PORT/postgres"
echo "with-postgres: PostgreSQL ($PG_BIN) on 127.0.0.1:$PORT" >&2
"$@"
status=$?
exit $status
