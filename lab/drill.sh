#!/usr/bin/env bash
# Drill: the standby goes away, the primary keeps writing (its slot retains the WAL), the standby comes
# back and catches up, and the slot releases what it retained.
source "$(dirname "$0")/lib.sh"
cd "$LAB_ROOT"
PRIMARY=pg1 STANDBY=pg2 SLOT=pg2 SERVICE=postgresql@15-main
SEG=$((16 * 1024 * 1024))
lab_ssh_config || die "vagrant ssh-config failed: is the lab up?"
fail() { echo "drill: FAILED: $*"; exit 1; }
slot() { val "$PRIMARY" "SELECT active, pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint, restart_lsn
                         FROM pg_replication_slots WHERE slot_name = '$SLOT'"; }

echo "drill: stopping PostgreSQL on $STANDBY"
on "$STANDBY" sudo systemctl stop "$SERVICE"
IFS='|' read -r active retained _ <<<"$(slot)"
[[ $active == f ]] || fail "slot $SLOT still active after the standby stopped"
echo "drill: slot $SLOT inactive, retaining $retained bytes"

echo "drill: writing on $PRIMARY while $STANDBY is down"
val "$PRIMARY" "CREATE TABLE IF NOT EXISTS lab_drill (id bigint, payload text, at timestamptz DEFAULT now())" >/dev/null
for _ in 1 2 3; do
  val "$PRIMARY" "INSERT INTO lab_drill (id, payload) SELECT g, md5(g::text) FROM generate_series(1, 100000) g" >/dev/null
  val "$PRIMARY" "SELECT pg_switch_wal()" >/dev/null
done
rows=$(val "$PRIMARY" "SELECT count(*) FROM lab_drill")
target=$(val "$PRIMARY" "SELECT pg_current_wal_lsn()")
IFS='|' read -r active retained_down restart_down <<<"$(slot)"
echo "drill: $rows rows on $PRIMARY at $target; slot $SLOT retains $retained_down bytes from $restart_down"
((retained_down > SEG)) || fail "the slot retained only $retained_down bytes while the standby was down"

echo "drill: starting PostgreSQL on $STANDBY"
t0=$(date +%s)
on "$STANDBY" sudo systemctl start "$SERVICE"
caught=""
for _ in $(seq 1 120); do
  caught=$(val "$PRIMARY" "SELECT 1 FROM pg_stat_replication r JOIN pg_replication_slots s ON s.active_pid = r.pid
    WHERE s.slot_name = '$SLOT' AND r.state = 'streaming' AND r.replay_lsn >= '$target'::pg_lsn" || true)
  [[ $caught == 1 ]] && break
  sleep 1
done
[[ $caught == 1 ]] || fail "$STANDBY did not replay up to $target within 120 s"
echo "drill: $STANDBY streaming again and replayed past $target after $(( $(date +%s) - t0 )) s"
srows=$(val "$STANDBY" "SELECT count(*) FROM lab_drill")
[[ $srows == "$rows" ]] || fail "$STANDBY has $srows rows of lab_drill, $PRIMARY has $rows"
echo "drill: $STANDBY has all $srows rows"

val "$PRIMARY" "CHECKPOINT" >/dev/null
IFS='|' read -r active retained_up restart_up <<<"$(slot)"
echo "drill: slot $SLOT active=$active, retains $retained_up bytes from $restart_up"
[[ $active == t ]] || fail "slot $SLOT is not active again"
((retained_up < SEG)) || fail "slot $SLOT still retains $retained_up bytes after the catch-up"
[[ $(val "$PRIMARY" "SELECT '$restart_up'::pg_lsn >= '$target'::pg_lsn") == t ]] ||
  fail "slot $SLOT restart_lsn $restart_up has not passed $target"
val "$PRIMARY" "DROP TABLE lab_drill" >/dev/null
echo "drill: OK (standby caught up, slot released the WAL it retained: $retained_down -> $retained_up bytes)"
