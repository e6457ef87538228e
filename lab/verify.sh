#!/usr/bin/env bash
# Checks the lab and prints its state, as the task's sample does: replication on the primary, the
# standby's recovery and lag, a row written on the primary read back on the standby, and barman's
# check, status, replication-status and list-backups; then the whole product: barmand active, a backup it
# recorded, its lines and its offsite copy's found in the journal by BACKUP_ID, that backup's copy in the offsite
# bucket with a verified manifest (and the S3 credentials it names), a restore test from Barman passed (RTO) with the
# canary written on the primary found in the restored instance, a restore test from S3 passed (RTO, canary),
# retention run with a sane plan (nothing deleted below minimum-redundancy), a report in the offsite node's mailbox
# with the verdict in its subject, the metrics endpoint answering. Ends with
# `verify: OK (N checks)`, or `verify: FAILED: <first failing check>` and exit 1.
# Read-mostly: it writes one row on the primary; barmand's first runs are the playbook's (role barmand), and
# verify only reads barmand's history, the bucket (barmand offsite verify), the mailbox and the metrics.
# Commands run in the guests over SSH with the config `vagrant ssh-config` prints (any provider).
source "$(dirname "$0")/lib.sh"
cd "$LAB_ROOT"

PRIMARY=pg1 STANDBY=pg2 BACKUP=backup OFFSITE=offsite SERVER=pg1 STANDBY_SLOT=pg2 BARMAN_SLOT=barman
MAILDIR=/home/admin/Maildir METRICS=http://127.0.0.1:9780/metrics

lab_ssh_config || { echo "verify: FAILED: machines reachable (vagrant ssh-config failed: is the lab up? make up)"; exit 1; }

checks=0 failed=""
check() {   # check NAME CONDITION-COMMAND...
  local name=$1; shift
  checks=$((checks + 1))
  if "$@"; then
    printf '  [ok]   %s\n' "$name"
  else
    printf '  [FAIL] %s\n' "$name"
    [[ -n $failed ]] || failed=$name
  fi
}
section() { printf '\n===== %s =====\n' "$*"; }
eq() { [[ "$1" == "$2" ]]; }

# ---------------------------------------------------------------- primary
section "$PRIMARY (primary): pg_stat_replication joined with pg_replication_slots"
psql_on "$PRIMARY" -x <<'SQL' || true
SELECT r.application_name, r.client_addr, r.usename, r.state, r.sync_state,
       s.slot_name, s.active AS slot_active,
       pg_current_wal_lsn() AS current_lsn, r.sent_lsn, r.flush_lsn, r.replay_lsn,
       pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), s.restart_lsn)) AS slot_retained_wal,
       r.replay_lag
  FROM pg_stat_replication r
  LEFT JOIN pg_replication_slots s ON s.active_pid = r.pid
 ORDER BY r.application_name;
SQL
section "$PRIMARY (primary): pg_replication_slots"
psql_on "$PRIMARY" <<'SQL' || true
SELECT slot_name, slot_type, active, restart_lsn, wal_status,
       pg_size_pretty(safe_wal_size) AS safe_wal_size FROM pg_replication_slots ORDER BY slot_name;
SQL
streams=$(val "$PRIMARY" "SELECT r.application_name || ':' || coalesce(s.slot_name, '-') FROM pg_stat_replication r
  LEFT JOIN pg_replication_slots s ON s.active_pid = r.pid WHERE r.state = 'streaming' ORDER BY 1" | paste -sd' ' || true)
check "primary: pg_is_in_recovery() = f" eq "$(val "$PRIMARY" 'SELECT pg_is_in_recovery()')" f
check "primary: 2 streaming clients (found: ${streams:-none})" eq "$(wc -w <<<"$streams")" 2
check "primary: standby $STANDBY streams through slot $STANDBY_SLOT" grep -qw "$STANDBY:$STANDBY_SLOT" <<<"$streams"
check "primary: barman_receive_wal streams through slot $BARMAN_SLOT" grep -qw "barman_receive_wal:$BARMAN_SLOT" <<<"$streams"
check "primary: slots $STANDBY_SLOT and $BARMAN_SLOT active" eq \
  "$(val "$PRIMARY" "SELECT string_agg(slot_name || '=' || active, ',' ORDER BY slot_name) FROM pg_replication_slots WHERE slot_name IN ('$STANDBY_SLOT', '$BARMAN_SLOT')")" \
  "$BARMAN_SLOT=true,$STANDBY_SLOT=true"

# ---------------------------------------------------------------- standby
section "$STANDBY (standby): recovery, WAL receiver, replay lag"
psql_on "$STANDBY" -x <<'SQL' || true
SELECT pg_is_in_recovery(), w.status, w.slot_name, w.sender_host, w.sender_port,
       pg_last_wal_receive_lsn() AS receive_lsn, pg_last_wal_replay_lsn() AS replay_lsn,
       pg_size_pretty(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())) AS replay_lag_bytes,
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN interval '0'
            ELSE now() - pg_last_xact_replay_timestamp() END AS replay_lag_time,
       current_setting('hot_standby') AS hot_standby, current_setting('hot_standby_feedback') AS hot_standby_feedback,
       current_setting('primary_slot_name') AS primary_slot_name
  FROM pg_stat_wal_receiver w;
SQL
check "standby: pg_is_in_recovery() = t" eq "$(val "$STANDBY" 'SELECT pg_is_in_recovery()')" t
check "standby: pg_stat_wal_receiver streaming through slot $STANDBY_SLOT" eq \
  "$(val "$STANDBY" 'SELECT status, slot_name FROM pg_stat_wal_receiver')" "streaming|$STANDBY_SLOT"

lag=$(val "$STANDBY" "SELECT pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::bigint" || true)
check "standby: replay lag under 16 MB (${lag:-?} bytes)" test "${lag:-999999999}" -lt $((16 * 1024 * 1024))

section "a row written on $PRIMARY, read back on $STANDBY"
token="verify-$(date -u +%Y%m%dT%H%M%SZ)-$RANDOM"
val "$PRIMARY" "CREATE TABLE IF NOT EXISTS lab_verify (id bigserial PRIMARY KEY, token text NOT NULL,
  written_at timestamptz NOT NULL DEFAULT now())" >/dev/null || true
written=$(val "$PRIMARY" "INSERT INTO lab_verify (token) VALUES ('$token') RETURNING id || ' ' || token || ' ' || written_at" || true)
echo "  written on $PRIMARY: ${written:-<nothing>}"
seen=""
for _ in $(seq 1 20); do
  seen=$(val "$STANDBY" "SELECT id || ' ' || token || ' ' || written_at || ' (replayed after ' ||
    (now() - written_at)::text || ')' FROM lab_verify WHERE token = '$token'" || true)
  [[ -n $seen ]] && break
  sleep 0.5
done
echo "  read on $STANDBY:    ${seen:-<nothing after 10 s>}"
check "standby: the row written on the primary is there" test -n "$seen"

# ---------------------------------------------------------------- barman
for cmd in "check" "status" "replication-status" "list-backups"; do
  section "$BACKUP: barman $cmd $SERVER"
  on "$BACKUP" sudo -u barman barman "$cmd" "$SERVER" || true
done
check "barman: barman check $SERVER all OK" on "$BACKUP" sudo -u barman barman -q check "$SERVER"
done_backups=$(on "$BACKUP" sudo -u barman barman -f json list-backups "$SERVER" 2>/dev/null |
  python3 -c 'import json,sys; print(sum(b.get("status") == "DONE" for b in next(iter(json.load(sys.stdin).values()), [])))' \
  2>/dev/null || echo 0)
check "barman: at least one backup DONE (found $done_backups)" test "${done_backups:-0}" -ge 1
rs=$(on "$BACKUP" sudo -u barman barman replication-status --target wal-streamer "$SERVER" 2>/dev/null || true)
check "barman: replication-status shows barman_receive_wal streaming" grep -q 'barman_receive_wal' <<<"$rs"

# ---------------------------------------------------------------- barmand, offsite, mail, metrics
# barmand's CLI as barman (the history's owner: a root reader could leave root-owned SQLite files behind)
bm() { on "$BACKUP" sudo -u barman /usr/bin/barmand "$@"; }
# jq-less JSON reading on this machine: py EXPR reads JSON on stdin as `d`, prints EXPR (empty on any error)
py() { python3 -c "import json,sys
try:
    d = json.load(sys.stdin); r = $1
    print('' if r is None else r)
except Exception: pass"; }

section "$BACKUP: barmand status"
active=$(on "$BACKUP" sudo systemctl is-active barmand 2>/dev/null || true)
bm status 2>&1 || true
check "barmand: service active (systemctl: ${active:-?})" eq "$active" active

runs=$(bm history --server "$SERVER" --limit 500 --json 2>/dev/null || echo '[]')
# the newest successful run of a job, as JSON (empty when none)
newest() { py "json.dumps(next((r for r in d if r['job'] == '$1' and r['outcome'] == 'success'${2:-}), None)) if any(r['job'] == '$1' and r['outcome'] == 'success'${2:-} for r in d) else None" <<<"$runs"; }
backup_run=$(newest backup)
backup_id=$(py "d['backupId']" <<<"$backup_run")
section "$BACKUP: barmand history --server $SERVER (newest 8)"
bm history --server "$SERVER" --limit 8 2>&1 || true
check "barmand: a backup recorded (${backup_id:-none}$(py "', run ' + str(d['id']) + ', ' + d['started']" <<<"$backup_run"))" test -n "$backup_id"

# the journal: barmand's lines are native entries with the run's fields, so one backup's story is one query
backup_run_id=$(py "d['id']" <<<"$backup_run")
section "$BACKUP: journalctl -u barmand BACKUP_ID=${backup_id:-?} (the backup, then its offsite copy)"
bj=$(on "$BACKUP" sudo journalctl -q -u barmand -o cat "SERVER=$SERVER" "BACKUP_ID=${backup_id:-none}" 2>/dev/null || true)
grep '^run ' <<<"$bj" | tail -6 | sed 's/^/  /'
check "journal: run ${backup_run_id:-?} found by SERVER=$SERVER JOB=backup RUN_ID=${backup_run_id:-?} BACKUP_ID=${backup_id:-?}" \
  grep -q "^run ${backup_run_id:-none} $SERVER backup (.*): success" \
  <<<"$(on "$BACKUP" sudo journalctl -q -u barmand -o cat "SERVER=$SERVER" JOB=backup "RUN_ID=${backup_run_id:-0}" "BACKUP_ID=${backup_id:-none}" 2>/dev/null || true)"
check "journal: the offsite copy of ${backup_id:-?} found by its BACKUP_ID" grep -q "^run [0-9]* $SERVER offsite (.*): success" <<<"$bj"

section "$BACKUP: barmand offsite verify $SERVER ${backup_id:-}"
offsite_out=$(bm offsite verify "$SERVER" ${backup_id:+"$backup_id"} 2>&1) || true
echo "$offsite_out"
check "offsite: backup ${backup_id:-?} in bucket on $OFFSITE, manifest verified" \
  grep -qx "verified: $SERVER ${backup_id:-none}" <<<"$offsite_out"
startline=$(on "$BACKUP" sudo journalctl -q -u barmand -o cat 2>/dev/null | grep "^$SERVER: offsite copies to s3://" | tail -1 || true)
check "offsite: the daemon logged at start where its credentials come from (${startline#*, })" \
  grep -q 'credentials: file /etc/barmand/s3-credentials profile default$' <<<"$startline"
check "offsite: verify names its credentials ($(grep -o 'credentials: .*' <<<"$offsite_out" | head -1))" \
  grep -q ', credentials: file /etc/barmand/s3-credentials profile default$' <<<"$offsite_out"

# the bucket's objects are encrypted (offsite.encryption, the identity only on $BACKUP): read the data object straight
# from S3Proxy's folder on $OFFSITE, as anyone holding the bucket's key would get it
obj=$(on "$OFFSITE" sudo find /var/lib/s3proxy -path "*/${backup_id:-none}/data.tar*" -type f 2>/dev/null | head -1 || true)
head_bytes=$( [[ -n $obj ]] && on "$OFFSITE" sudo head -c 21 "$obj" 2>/dev/null || true)
check "offsite: the copy of ${backup_id:-?} in the bucket is age-encrypted (${obj##*/}, starts with \"${head_bytes:-nothing}\")" \
  test "$head_bytes" = "age-encryption.org/v1"
objhead=$(mktemp)
[[ -n $obj ]] && on "$OFFSITE" sudo head -c 1048576 "$obj" >"$objhead" 2>/dev/null || true
check "offsite: zstd -d cannot read it without the identity ($(stat -c %s "$objhead") bytes tried)" \
  bash -c "test -s '$objhead' && ! zstd -q -d -c '$objhead' >/dev/null 2>&1"
rm -f "$objhead"

canary_of() { py "'canary restored, written %.0f s before the test' % d['facts']['canary-age']['value'] if 'canary-age' in d.get('facts', {}) else None"; }
bt_run=$(newest restore-test " and r.get('facts', {}).get('source', {}).get('value', 'barman') == 'barman'")
bt_desc=$(py "'run %s, backup %s, RTO %.1f s (manifest %s, checksums %s, replayed to %s)' % (d['id'], d.get('backupId'), d['facts']['rto']['value'], d['facts']['manifest']['value'], d['facts']['checksums']['value'], d['facts']['replay-lsn']['value'])" <<<"$bt_run")
bt_canary=$(canary_of <<<"$bt_run")
section "$BACKUP: the newest restore test from Barman (barman recover)"
echo "  ${bt_desc:-none passed}"
echo "  ${bt_canary:-no canary in the restored instance}"
check "restore test from Barman passed (${bt_desc%% (*})" test -n "$bt_desc"
check "canary: the row barmand wrote on $PRIMARY found in the instance restored from Barman (${bt_canary:-none})" test -n "$bt_canary"

rt_run=$(newest restore-test " and r.get('facts', {}).get('source', {}).get('value') == 's3'")
rt_desc=$(py "'run %s, backup %s, RTO %.1f s (%d bytes and %d WAL downloaded, manifest %s, checksums %s, replayed to %s)' % (d['id'], d.get('backupId'), d['facts']['rto']['value'], d['facts']['downloaded']['value'], d['facts']['wal-files']['value'], d['facts']['manifest']['value'], d['facts']['checksums']['value'], d['facts']['replay-lsn']['value'])" <<<"$rt_run")
section "$BACKUP: the newest restore test from S3"
echo "  ${rt_desc:-none passed}"
rt_canary=$(canary_of <<<"$rt_run")
echo "  ${rt_canary:-no canary in the restored instance}"
check "restore test from S3 passed (${rt_desc%% (*})" test -n "$rt_desc"
check "canary: found in the instance restored from S3 (${rt_canary:-none})" test -n "$rt_canary"

section "$BACKUP: retention (barmand retention plan $SERVER)"
bm retention plan "$SERVER" 2>&1 | sed 's/^/  /' || true
ret_run=$(newest retention)
ret_desc=$(py "'run %s: %d backup(s), %d kept, %d deleted' % (d['id'], d['facts']['backups']['value'], d['facts']['kept']['value'], d['facts'].get('deleted', {}).get('value', 0))" <<<"$ret_run")
ret_sane=$(py "d['facts']['kept']['value'] >= min(d['facts']['backups']['value'], 2) or None" <<<"$ret_run")
echo "  newest successful run: ${ret_desc:-none}"
check "retention: a run succeeded (${ret_desc:-none})" test -n "$ret_desc"
check "retention: minimum-redundancy held (kept >= min(backups, 2))" test -n "$ret_sane"

section "$OFFSITE: the mailbox ($MAILDIR), newest 5"
subjects=$(mails "$OFFSITE" "$MAILDIR" | cut -f1-3 || true)
head -5 <<<"$subjects" | sed 's/^/  /'
report_subject=$(awk -F'\t' '$1 == "report" { print $3; exit }' <<<"$subjects")
check "mail: a report in $OFFSITE's mailbox, verdict in its subject (${report_subject:-none})" \
  grep -Eq '^\[barmand [^]]+\] (OK|FAILED|WARNING|NOT restorable|at risk)' <<<"$report_subject"

section "$BACKUP: metrics ($METRICS), a few"
metrics=$(on "$BACKUP" python3 -c "import urllib.request; print(urllib.request.urlopen('$METRICS', timeout=10).read().decode())" 2>/dev/null || true)
grep -E '^(barmand_build_info|barman_last_backup|barmand_last_run_success|barmand_problems)' <<<"$metrics" | head -12 | sed 's/^/  /'
check "metrics: $METRICS answers ($(grep -c '^[a-z]' <<<"$metrics" || true) samples)" grep -q '^barmand_build_info' <<<"$metrics"

echo
if [[ -n $failed ]]; then
  echo "verify: FAILED: $failed"
  exit 1
fi
echo "verify: OK ($checks checks)"
