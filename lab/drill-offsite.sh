#!/usr/bin/env bash
# Drills of the whole product (barmand on backup, S3Proxy and the mailbox on offsite):
#   s3-down  S3 stops on offsite: the offsite copy fails and an alert mail arrives; S3 comes back, the next copy
#            catches up (no WAL missing in the bucket, no gap) and a "recovered" mail follows.
#   damage   the newest offsite copy is damaged in the bucket: the restore test from S3 fails and the alert names
#            the damage (a restore test from Barman passing meanwhile does not clear it); the bytes are put back, the
#            next restore test from S3 passes.
# Usage: lab/drill-offsite.sh [s3-down|damage|all]   (default all). Leaves the lab as it found it.
source "$(dirname "$0")/lib.sh"
cd "$LAB_ROOT"
BACKUP=backup OFFSITE=offsite SERVER=pg1 MAILDIR=/home/admin/Maildir
BUCKET_DIR=/var/lib/s3proxy/barmand PREFIX=barmand
lab_ssh_config || die "vagrant ssh-config failed: is the lab up?"
fail() { echo "drill-offsite: FAILED: $*"; exit 1; }
say() { echo "drill-offsite: $*"; }
bm() { on "$BACKUP" sudo -u barman /usr/bin/barmand "$@"; }
# run-now JOB SERVER: the run as JSON; waits while another run of the job holds the server (exit 75, e.g. the
# scheduled WAL copy); prints the JSON and returns the run's exit code
run_now() {
  local out rc
  for _ in $(seq 1 30); do
    rc=0; out=$(bm run-now "$@" --json 2>&1) || rc=$?
    ((rc == 75)) || break
    sleep 2
  done
  printf '%s\n' "$out"
  return "$rc"
}
field() { python3 -c "import json,sys
d = json.loads(sys.stdin.read().strip().splitlines()[-1]); v = $1
print('' if v is None else v)" 2>/dev/null; }
# wait_mail KIND REGEX SINCE-COUNT: a mail of KIND whose subject matches REGEX among the mails newer than the first
# SINCE-COUNT ones seen before; prints its line
wait_mail() {
  local kind=$1 re=$2 before=$3 line=""
  for _ in $(seq 1 60); do
    line=$(mails "$OFFSITE" "$MAILDIR" | head -n $(( $(mails "$OFFSITE" "$MAILDIR" | wc -l) - before )) |
      awk -F'\t' -v k="$kind" -v re="$re" '$1 == k && $3 ~ re { print; exit }' || true)
    [[ -n $line ]] && { printf '%s\n' "$line"; return 0; }
    sleep 2
  done
  return 1
}
mail_count() { mails "$OFFSITE" "$MAILDIR" | wc -l; }
s3_up() {
  local addr; addr=$(on "$OFFSITE" sudo sed -n 's/^s3proxy.endpoint=//p' /etc/s3proxy/s3proxy.properties)
  for _ in $(seq 1 60); do
    [[ $(on "$OFFSITE" python3 -c "import urllib.request, urllib.error
try: urllib.request.urlopen('$addr/', timeout=3)
except urllib.error.HTTPError as e: print(e.code)
except Exception: print(0)") == 403 ]] && return 0
    sleep 1
  done
  return 1
}

drill_s3_down() {
  say "== S3 down on $OFFSITE"
  local n0 t0 out line
  n0=$(mail_count)
  on "$OFFSITE" sudo systemctl stop s3proxy
  say "s3proxy stopped on $OFFSITE; new WAL on pg1 while it is down (switch-wal beside the failing copy)"
  # switch-wal waits until Barman archived the WAL (its cron: up to a minute); the copy's retries take ~30 s
  run_now switch-wal "$SERVER" >"$LAB_ROOT/.vagrant/lab-drill-switch-wal.json" 2>&1 & local sw=$!
  t0=$(date +%s)
  out=$(run_now offsite "$SERVER") && fail "the offsite copy succeeded with S3 down: $out"
  wait "$sw" || fail "switch-wal failed: $(cat "$LAB_ROOT/.vagrant/lab-drill-switch-wal.json")"
  say "offsite copy failed as it must, after $(( $(date +%s) - t0 )) s: $(field "d.get('error')" <<<"$out" | cut -c1-160)"
  line=$(wait_mail alert "offsite" "$n0") || fail "no alert mail about the offsite copy within 120 s"
  say "alert mail: $(cut -f3 <<<"$line") / $(cut -f4 <<<"$line" | cut -c1-160)"

  n0=$(mail_count)
  on "$OFFSITE" sudo systemctl start s3proxy
  s3_up || fail "s3proxy does not answer after its start"
  say "s3proxy back"
  out=$(run_now offsite "$SERVER") || fail "the offsite copy after S3 came back failed: $out"
  local copied missing gaps newest_s3 newest_arch
  copied=$(field "d['facts']['wal-copied']['value']" <<<"$out")
  missing=$(field "d['facts']['wal-missing-in-s3']['value']" <<<"$out")
  gaps=$(field "d['facts']['wal-gaps']['value']" <<<"$out")
  newest_s3=$(field "d['facts']['wal-newest-s3']['value']" <<<"$out")
  newest_arch=$(field "d['facts']['wal-newest-archive']['value']" <<<"$out")
  say "caught up: $copied WAL file(s) copied, newest in S3 $newest_s3, in Barman's archive $newest_arch, missing $missing, gaps $gaps"
  [[ $missing == 0 && $gaps == 0 && -n $newest_s3 && $newest_s3 == "$newest_arch" ]] ||
    fail "the bucket's WAL does not follow the archive (missing=$missing gaps=$gaps newest $newest_s3 vs $newest_arch)"
  bm offsite verify "$SERVER" | grep -E '^WAL in S3|^verified' | sed 's/^/drill-offsite:   /'
  bm offsite verify "$SERVER" | grep -q '^WAL in S3: .*no gap' || fail "barmand offsite verify reports a WAL gap"
  line=$(wait_mail recovered "offsite" "$n0") || fail "no 'recovered' mail about the offsite copy within 120 s"
  say "recovered mail: $(cut -f3 <<<"$line")"
}

drill_damage() {
  say "== a damaged copy in the bucket"
  local id obj size off n0 out line last
  # an alert is mailed when a problem appears: the newest restore test from S3 must have passed first
  last=$(bm history --server "$SERVER" --job restore-test --limit 100 --json | python3 -c 'import json,sys
r = [x for x in json.load(sys.stdin) if x.get("facts", {}).get("source", {}).get("value") == "s3" and x["outcome"] not in ("skipped", "queued", "running")]
print(r[0]["outcome"] if r else "none")')
  if [[ $last != success ]]; then
    say "the newest restore test from S3 is '$last': running one first"
    run_now restore-test "$SERVER" --from s3 >/dev/null || fail "the restore test from S3 before the damage failed"
  fi
  id=$(bm history --server "$SERVER" --job backup --limit 50 --json |
    python3 -c 'import json,sys; print(next(r["backupId"] for r in json.load(sys.stdin) if r["outcome"] == "success"))')
  # data.tar.zst, or data.tar.zst.age when the copies are encrypted (the lab's are: offsite.encryption)
  obj=$(on "$OFFSITE" sudo find "$BUCKET_DIR/$PREFIX/$SERVER/base/$id" -maxdepth 1 -name 'data.tar*' -type f | head -1)
  [[ -n $obj ]] || fail "no data object of $id under $BUCKET_DIR/$PREFIX/$SERVER/base/ on $OFFSITE"
  size=$(on "$OFFSITE" sudo stat -c %s "$obj") || fail "no $obj on $OFFSITE"
  off=$((size / 2))
  # 16 bytes in the middle of the object flipped in place (size and S3Proxy's metadata unchanged); the original
  # bytes are kept in /root on offsite and put back by restore_bytes
  on "$OFFSITE" sudo python3 -c "$(cat <<'PY'
import os, sys
path, off = sys.argv[1], int(sys.argv[2])
with open(path, "r+b") as f:
    f.seek(off); orig = f.read(16)
    open("/root/drill-damage.orig", "wb").write(orig)
    f.seek(off); f.write(bytes(b ^ 0xff for b in orig))
PY
)" "$obj" "$off"
  say "damaged 16 bytes at offset $off of $obj ($size bytes) on $OFFSITE"
  n0=$(mail_count)
  out=$(run_now restore-test "$SERVER" --from s3) && { restore_bytes "$obj" "$off"; fail "the restore test passed a damaged copy"; }
  say "restore test failed as it must: checks $(field "','.join(d.get('failedChecks') or [])" <<<"$out"): $(field "d.get('error')" <<<"$out" | cut -c1-200)"
  line=$(wait_mail alert "restore test" "$n0") || { restore_bytes "$obj" "$off"; fail "no alert mail about the restore test within 120 s"; }
  say "alert mail: $(cut -f3 <<<"$line") / $(cut -f4 <<<"$line" | cut -c1-200)"
  grep -q "data.tar.zst\|$id" <<<"$(cut -f4 <<<"$line")" || { restore_bytes "$obj" "$off"; fail "the alert does not name the damaged copy ($id, ${obj##*/})"; }
  # the daily test from Barman reads Barman's copy, which is whole: it passes, and the problem from S3 stays
  out=$(run_now restore-test "$SERVER" --from barman) || { restore_bytes "$obj" "$off"; fail "the restore test from Barman failed: $out"; }
  say "restore test from Barman passed meanwhile: $(field "d.get('detail')" <<<"$out" | cut -c1-120)"
  local st; st=$(bm status --check 2>&1 || true)
  grep -q "restore test from S3 failed" <<<"$st" ||
    { restore_bytes "$obj" "$off"; fail "status --check lost the failed restore test from S3 after one from Barman passed: $st"; }
  say "status --check still names the failed restore test from S3"
  restore_bytes "$obj" "$off"
  say "the 16 bytes put back"
  n0=$(mail_count)
  out=$(run_now restore-test "$SERVER" --from s3) || fail "the restore test of the repaired copy failed: $out"
  say "restore test passed again: $(field "d.get('detail')" <<<"$out" | cut -c1-160)"
  line=$(wait_mail recovered "restore test" "$n0") || fail "no 'recovered' mail about the restore test within 120 s"
  say "recovered mail: $(cut -f3 <<<"$line")"
}
restore_bytes() {
  on "$OFFSITE" sudo python3 -c "$(cat <<'PY'
import sys
path, off = sys.argv[1], int(sys.argv[2])
orig = open("/root/drill-damage.orig", "rb").read()
with open(path, "r+b") as f:
    f.seek(off); f.write(orig)
PY
)" "$1" "$2"
}

case "${1:-all}" in
  s3-down) drill_s3_down ;;
  damage) drill_damage ;;
  all) drill_s3_down; drill_damage ;;
  *) die "usage: $0 [s3-down|damage|all]" ;;
esac
say "OK"
