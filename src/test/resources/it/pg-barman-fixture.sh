#!/usr/bin/env bash
# Sets up, idempotently, what barmand's integration tests drive: a PostgreSQL 15 cluster "barmandit" on
# port 5499 and a Barman configuration with two servers:
#   itpg   the cluster, backup_method=postgres, streaming WAL through slot "barman", throttled backups
#   itbad  a server whose PostgreSQL does not exist (port 5498): its checks fail deterministically
# Run as root:  pg-barman-fixture.sh up | cluster | down | env
#   up    create/start what is missing, run `barman cron` (starts receive-wal), wait until `barman check itpg` is OK;
#         deletes itpg's cut-short backups: its caller holds itpg (/var/tmp/barmandit.itpg-tests.lock, ItServerLock)
#   cluster  only the cluster and the barman roles, for the other servers' fixtures (restore-, offsite-fixture.sh):
#         touches nothing of itpg's, so it is safe beside an itpg test of another test class or run
#   down  stop receive-wal and the cluster (keeps files; `purge` removes them too)
# Prints the Barman config file path on its last line (up/env).
set -euo pipefail

PORT=${BARMANDIT_PORT:-5499}
CLUSTER=barmandit
BASE=${BARMANDIT_BASE:-/var/tmp/barmandit}
CONF=$BASE/barman.conf
RATE_KBPS=${BARMANDIT_RATE_KBPS:-6000}   # bandwidth_limit: makes a backup last several seconds (~100 MiB: ~17 s)
FIXTURE_LOG=fixture
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=fixture-lib.sh
. "$HERE/fixture-lib.sh"

write_conf() {
  install -d -o barman -g barman -m 0750 "$BASE" "$BASE/home" "$BASE/log"
  { barman_section pg-barman-fixture.sh "integration tests"
    cat <<CONF

[itpg]
description = barmand IT cluster (PostgreSQL 15, port $PORT)
conninfo = host=/var/run/postgresql port=$PORT user=barman dbname=postgres
streaming_conninfo = host=/var/run/postgresql port=$PORT user=streaming_barman
backup_method = postgres
streaming_archiver = on
slot_name = barman
create_slot = auto
path_prefix = $BIN
immediate_checkpoint = true
bandwidth_limit = $RATE_KBPS
archiver = off

[itbad]
description = a server whose PostgreSQL is absent: checks fail
conninfo = host=/var/run/postgresql port=5498 user=barman dbname=postgres connect_timeout=2
streaming_conninfo = host=/var/run/postgresql port=5498 user=streaming_barman connect_timeout=2
backup_method = postgres
streaming_archiver = on
slot_name = barman
path_prefix = $BIN
CONF
  } | install_conf
}

itpg_cluster_up() {
  cluster_up "$CLUSTER"
  # Barman's files of an earlier cluster carry another system id ("systemid coherence" would fail)
  if [[ -n $CLUSTER_CREATED ]]; then rm -rf "$BASE/home/itpg"; fi
}

barman_up() {
  # a backup cut short by an earlier test leaves a FAILED (or STARTED) backup: `barman check` reports
  # "failed backups" until it is deleted
  local id st
  while read -r _ id _ st _; do
    case "$st" in
      FAILED) log "deleting FAILED backup $id"; barman_c delete itpg "$id" >/dev/null 2>&1 || true ;;
      STARTED)  # only when no backup runs (a concurrent test run may be taking it)
        if ! pgrep -f "barman -c $CONF .*backup.* itpg" >/dev/null; then
          log "deleting STARTED backup $id"; barman_c delete itpg "$id" >/dev/null 2>&1 || true
        fi ;;
    esac
  done < <(barman_c list-backups itpg 2>/dev/null | awk '{print $1, $2, $3, $NF}')
  barman_c receive-wal --create-slot itpg >/dev/null 2>&1 || true   # "already exists" on a second run
  wait_check_ok itpg 60
  # leave a little WAL behind: the next `switch-wal --archive` (before a backup) then has a segment to close
  # (without --force, an idle server has none and barman waits for the whole --archive-timeout)
  psql_pg -c 'SELECT txid_current()' >/dev/null
}

fixture_down() {
  [[ -f $CONF ]] && pkill -u barman -f "barman -c $CONF receive-wal" || true
  pg_lsclusters -h | awk -v c="$CLUSTER" '$2==c' | grep -q . && pg_ctlcluster 15 "$CLUSTER" stop -m fast || true
}

# one fixture at a time on the cluster (the restore and offsite fixtures call this one too, while ITs run in parallel)
mkdir -p "$(dirname "$BASE")"
exec 8>"$BASE.fixture.lock"
flock -w 600 8 || { log "another pg-barman-fixture.sh holds $BASE.fixture.lock"; exit 75; }

case "${1:-up}" in
  up)   write_conf; itpg_cluster_up; barman_up; echo "$CONF" ;;
  cluster) itpg_cluster_up ;;
  env)  echo "$CONF" ;;
  down) fixture_down ;;
  purge)
    # not "$0 down": a second process would wait for the lock this one holds
    fixture_down
    pg_lsclusters -h | awk -v c="$CLUSTER" '$2==c' | grep -q . && pg_dropcluster 15 "$CLUSTER" || true
    rm -rf "$BASE" ;;
  *) echo "usage: $0 up|cluster|down|purge|env" >&2; exit 64 ;;
esac
