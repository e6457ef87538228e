#!/usr/bin/env bash
# Restore tests' own Barman server, beside pg-barman-fixture.sh (which it does not change): a Barman config of
# its own (own barman_home, own slot, no bandwidth limit) so that other suites' `barman delete` and fixture
# clean-ups never touch the backups a restore test is reading, and a backup is not throttled.
#   restore-fixture.sh up      the IT server "itrestore" on the shared cluster barmandit (port 5499; run
#                              pg-barman-fixture.sh cluster first: it creates the cluster and the barman roles);
#                              deletes itrestore's cut-short backups: its caller holds itrestore (ItServerLock)
#   restore-fixture.sh bench   the bench server "benchpg" on a cluster of its own, barmandbench (port 5497)
#   restore-fixture.sh bench-random   the bench server "benchrand" on a cluster of its own, barmandbenchrand
#                              (port 5496): a table of random bytea, data that does not compress (pgbench's does, 24x)
#   restore-fixture.sh down|purge [bench|bench-random]
# Prints the Barman config file path on its last line. Run as root.
set -euo pipefail

MODE=${1:-up}
KIND=${2:-it}
[[ $MODE == bench || $MODE == bench-random ]] && { KIND=$MODE; MODE=up; }
if [[ $KIND == bench ]]; then
  SERVER=benchpg; CLUSTER=barmandbench; PORT=${BARMANDBENCH_PORT:-5497}; BASE=${BARMANDBENCH_BASE:-/var/tmp/barmandbench}; SLOT=barman
elif [[ $KIND == bench-random ]]; then
  SERVER=benchrand; CLUSTER=barmandbenchrand; PORT=${BARMANDBENCHRAND_PORT:-5496}; BASE=${BARMANDBENCHRAND_BASE:-/var/tmp/barmandbenchrand}; SLOT=barman
else
  SERVER=itrestore; CLUSTER=barmandit; PORT=${BARMANDIT_PORT:-5499}; BASE=${BARMANDIT_RESTORE_BASE:-/var/tmp/barmandit-restore}; SLOT=barman_restore
fi
CONF=$BASE/barman.conf

FIXTURE_LOG=restore-fixture
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=fixture-lib.sh
. "$HERE/fixture-lib.sh"

bench_cluster_up() {
  cluster_up "$CLUSTER" $'shared_buffers = 256MB\nmax_wal_size = 4GB'
  # at least 1 GiB of data: pgbench scale 70 (about 1.05 GiB with indexes)
  if ! runuser -u postgres -- psql -X -At -p "$PORT" -d postgres -c "SELECT 1 FROM pg_database WHERE datname='bench'" | grep -q 1; then
    psql_pg -c "CREATE DATABASE bench"
    log "loading pgbench scale ${BENCH_SCALE:-70}"
    runuser -u postgres -- "$BIN/pgbench" -q -i -s "${BENCH_SCALE:-70}" -p "$PORT" bench >/dev/null 2>&1
    psql_pg -c "CHECKPOINT"
  fi
}

# at least 1 GiB that does not compress: BENCH_RANDOM_MB (default 1024) MiB of random bytea (pgcrypto's
# gen_random_bytes, 1 KiB a row: inline, below the TOAST threshold, so PostgreSQL does not try to compress it either)
bench_random_cluster_up() {
  cluster_up "$CLUSTER" $'shared_buffers = 256MB\nmax_wal_size = 4GB'
  if ! runuser -u postgres -- psql -X -At -p "$PORT" -d postgres -c "SELECT 1 FROM pg_database WHERE datname='bench'" | grep -q 1; then
    psql_pg -c "CREATE DATABASE bench"
    log "loading ${BENCH_RANDOM_MB:-1024} MiB of random bytea"
    PGOPTIONS='-c client_min_messages=warning' runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PORT" -d bench \
      -c "CREATE EXTENSION IF NOT EXISTS pgcrypto" \
      -c "CREATE TABLE noise (id int PRIMARY KEY, b bytea NOT NULL)" \
      -c "ALTER TABLE noise ALTER b SET STORAGE EXTERNAL" \
      -c "INSERT INTO noise SELECT i, gen_random_bytes(1024) FROM generate_series(1, ${BENCH_RANDOM_MB:-1024} * 1024) i"
    psql_pg -c "CHECKPOINT"
  fi
}

# one run of this fixture at a time per server (two test runs, or a test and a bench, may call it at once)
install -d -m 0755 "$(dirname "$BASE")"
exec 7>"$BASE.fixture.lock"
flock -w 600 7 || { log "another restore-fixture.sh holds $BASE.fixture.lock"; exit 75; }

case "$MODE" in
  up)
    [[ $KIND == bench ]] && bench_cluster_up
    [[ $KIND == bench-random ]] && bench_random_cluster_up
    extra_server_conf "$SERVER" "$SLOT" restore-fixture.sh "restore tests"
    extra_server_up "$SERVER" "$CLUSTER"; echo "$CONF" ;;
  down)
    [[ -f $CONF ]] && barman_c receive-wal --stop "$SERVER" >/dev/null 2>&1 || true ;;
  purge)
    [[ -f $CONF ]] && barman_c receive-wal --stop "$SERVER" >/dev/null 2>&1 || true   # not "$0 down": it waits for our lock
    [[ -f $CONF ]] && barman_c receive-wal --drop-slot "$SERVER" >/dev/null 2>&1 || true
    [[ $KIND == bench || $KIND == bench-random ]] && { pg_dropcluster --stop 15 "$CLUSTER" || true; }
    rm -rf "$BASE" ;;
  *) echo "usage: $0 up|bench|bench-random|down|purge [it|bench|bench-random]" >&2; exit 64 ;;
esac
