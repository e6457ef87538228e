#!/usr/bin/env bash
# The offsite tests' own Barman server "itoffsite" on the shared cluster barmandit (port 5499), beside
# pg-barman-fixture.sh (run it first: it creates the cluster and the barman roles; this script runs its `cluster`
# mode when the cluster is not up). Its own barman_home, slot and no bandwidth limit, so that other suites' backups, deletes
# and clean-ups never race with the backup an offsite test copies.
#   offsite-fixture.sh up      create/start what is missing, wait until `barman check itoffsite` is OK
#   offsite-fixture.sh down    stop its receive-wal
#   offsite-fixture.sh purge   also drop its slot and remove its files
# Prints the Barman config file path on its last line. Run as root.
set -euo pipefail

SERVER=itoffsite
CLUSTER=barmandit
PORT=${BARMANDIT_PORT:-5499}
BASE=${BARMANDIT_OFFSITE_BASE:-/var/tmp/barmandit-offsite}
SLOT=barman_offsite
CONF=$BASE/barman.conf
HERE=$(cd "$(dirname "$0")" && pwd)

FIXTURE_LOG=offsite-fixture
# shellcheck source=fixture-lib.sh
. "$HERE/fixture-lib.sh"

# one run of this fixture at a time (its callers hold itoffsite too: ItServerLock)
install -d -m 0755 "$(dirname "$BASE")"
exec 7>"$BASE.fixture.lock"
flock -w 600 7 || { log "another offsite-fixture.sh holds $BASE.fixture.lock"; exit 75; }

case "${1:-up}" in
  up)
    if ! runuser -u postgres -- pg_isready -q -p "$PORT" 2>/dev/null; then bash "$HERE/pg-barman-fixture.sh" cluster >/dev/null; fi
    extra_server_conf "$SERVER" "$SLOT" offsite-fixture.sh "offsite tests"
    extra_server_up "$SERVER" "$CLUSTER"; echo "$CONF" ;;
  down)
    [[ -f $CONF ]] && barman_c receive-wal --stop "$SERVER" >/dev/null 2>&1 || true ;;
  purge)
    [[ -f $CONF ]] && barman_c receive-wal --stop "$SERVER" >/dev/null 2>&1 || true   # not "$0 down": it waits for our lock
    [[ -f $CONF ]] && barman_c receive-wal --drop-slot "$SERVER" >/dev/null 2>&1 || true
    rm -rf "$BASE" ;;
  *) echo "usage: $0 up|down|purge" >&2; exit 64 ;;
esac
