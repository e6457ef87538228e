#!/usr/bin/env bash
# Checks the barmand .deb through its life cycle inside an LXC system container running systemd:
# fresh install (service enabled, active, "barmand ready" logged, owners and modes; the shipped file inert: started
# idle, no job scheduled), the launcher,
# a run's journal fields (SERVER, JOB, RUN_ID: `journalctl -u barmand SERVER=... JOB=check`), clean stop (exit 143
# counted as success), Type=notify with reload, stop and upgrade while a backup runs (systemctl reload: the new
# schedule in status, the backup not interrupted, StatusText naming it; a broken file refused with each problem in
# the journal; systemctl stop waiting for the backup past TimeoutStopSec, or interrupting it at stop-wait), a bad
# config (exit 78, not restarted), the
# systemd-analyze security score, upgrade (an edited conffile kept, a running service restarted,
# during a backup the restart deferred and said so, a stopped one left stopped), remove, purge
# (state and /etc/barmand gone, the barman user kept).
#
# Usage: packaging/test-deb.sh CONTAINER [DEB]     (DEB defaults to the newest target/barmand_*_all.deb)
# Exits non-zero naming the failing step. If barmand was installed cx the container before, its
# config and state are saved first and put back at the end (so the lab's backup host can be used).
# Needs root on the host (lxc-attach) and network from the container to Debian's archive.
set -euo pipefail

C=${1:?usage: $0 CONTAINER [DEB]}
here=$(cd "$(dirname "$0")/.." && pwd)
DEB=${2:-$(ls -t "$here"/target/barmand_*_all.deb 2>/dev/null | head -1)}
[[ -f ${DEB:-} ]] || { echo "test-deb: no .deb (run mvn package, or pass one)" >&2; exit 2; }
READY_TIMEOUT=${READY_TIMEOUT:-90}
MAX_EXPOSURE=${MAX_EXPOSURE:-3.0}
UNIT=barmand.service
WORK=/root/barmand-test

STEP=setup
fail() { echo "test-deb: FAIL [$STEP] $*" >&2; exit 1; }
step() { STEP=$1; echo "test-deb: --- $STEP"; }
ok()   { echo "test-deb:     ok: $*"; }
cx()   { lxc-attach -n "$C" -- env DEBIAN_FRONTEND=noninteractive LC_ALL=C "$@"; }
cxs()  { cx sh -c "$1"; }
put()  { cx sh -c "cat > '$2'" < "$1"; }
prop() { cx systemctl show -p "$1" --value "$UNIT"; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

lxc-info -n "$C" -s 2>/dev/null | grep -q RUNNING || fail "container $C is not running"
cxs '[ -d /run/systemd/system ]' || fail "no systemd cx $C"

# Waits for this start of the unit to log its ready line; prints the seconds it took.
wait_ready() {
  local inv t=0
  while ((t < READY_TIMEOUT)); do
    inv=$(prop InvocationID)
    if [[ -n $inv ]] && cx journalctl -q -o cat "_SYSTEMD_INVOCATION_ID=$inv" | grep -q 'barmand ready'; then
      echo "$t"; return 0
    fi
    [[ $(prop ActiveState) == failed ]] && return 1
    sleep 1; t=$((t + 1))
  done
  return 1
}
apt_install() {  # apt-get install of local .debs; refreshes the lists once if dependencies are missing
  local opts=(-y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  cx apt-get install "${opts[@]}" "$@" >"$scratch/apt.log" 2>&1 ||
    { cx apt-get update -qq && cx apt-get install "${opts[@]}" "$@" >"$scratch/apt.log" 2>&1; } ||
    { tail -20 "$scratch/apt.log" >&2; return 1; }
}
assert_stat() {  # path owner:group mode
  local got; got=$(cxs "stat -c '%U:%G %a' '$1'") || fail "$1 missing"
  [[ $got == "$2 $3" ]] || fail "$1 is $got, want $2 $3"
}

# -- a copy of the package with a higher version, to play an upgrade
step build-upgrade-deb
ver=$(dpkg-deb -f "$DEB" Version); ver2="$ver+debtest1"
dpkg-deb -R "$DEB" "$scratch/pkg"
sed -i "s/^Version: .*/Version: $ver2/" "$scratch/pkg/DEBIAN/control"
dpkg-deb -b "$scratch/pkg" "$scratch/barmand_${ver2}_all.deb" >/dev/null
rm -rf "$scratch/pkg"
cx mkdir -p "$WORK"
put "$DEB" "$WORK/barmand_${ver}_all.deb"
put "$scratch/barmand_${ver2}_all.deb" "$WORK/barmand_${ver2}_all.deb"
ok "$ver and $ver2 copied to $C:$WORK"

# -- keep what a previous install had, put it back at the end
step save-previous
saved=no
if cxs 'dpkg-query -W -f="\${Status}" barmand 2>/dev/null | grep -q "install ok installed"'; then
  cxs "tar -C / -czf $WORK/saved.tgz etc/barmand var/lib/barmand" || fail "could not save config and state"
  saved=yes
  cx systemctl stop "$UNIT" || true
  cx apt-get purge -y -q barmand >/dev/null || fail "could not purge the installed barmand"
  ok "previous config and state saved to $WORK/saved.tgz; package purged"
else
  cx apt-get purge -y -q barmand >/dev/null 2>&1 || true
  ok "barmand was not installed"
fi
restore() {
  [[ $saved == yes ]] || return 0
  echo "test-deb: --- restore-previous"
  apt_install "$WORK/barmand_${ver}_all.deb" &&
    cx systemctl stop "$UNIT" &&
    cxs "rm -rf /var/lib/barmand/* && tar -C / -xzf $WORK/saved.tgz" &&
    cx systemctl start "$UNIT" && echo "test-deb:     ok: previous config and state restored, service started" ||
    echo "test-deb: WARNING: could not restore the previous config/state from $C:$WORK/saved.tgz" >&2
}
trap 'rc=$?; restore; rm -rf "$scratch"; exit $rc' EXIT

# -- fresh install
step install
apt_install "$WORK/barmand_${ver}_all.deb" || fail "apt-get install of the .deb failed"
[[ $(cxs 'dpkg-query -W -f="\${Version}" barmand') == "$ver" ]] || fail "version installed is not $ver"
cxs 'getent passwd barman >/dev/null' || fail "no barman user"
assert_stat /etc/barmand/barmand.conf root:barman 640
assert_stat /etc/default/barmand root:root 644
assert_stat /var/lib/barmand barman:barman 750
assert_stat /usr/bin/barmand root:root 755
assert_stat /usr/share/barmand/barmand.jar root:root 644
assert_stat /usr/share/barmand/monitoring/barmand-dashboard.json root:root 644
assert_stat /usr/share/barmand/monitoring/barmand.rules.yml root:root 644
assert_stat /usr/share/bash-completion/completions/barmand root:root 644
assert_stat /lib/systemd/system/barmand.service root:root 644
assert_stat /var/cache/barmand/cli/cli.jsa root:root 644
assert_stat /var/cache/barmand/cli/libsqlitejdbc.so root:root 644
cxs 'grep -qx /etc/barmand/barmand.conf /var/lib/dpkg/info/barmand.conffiles' || fail "barmand.conf is not a conffile"
[[ $(cx systemctl is-enabled "$UNIT") == enabled ]] || fail "unit not enabled"
ok "installed $ver, files and modes as expected (the CLI's class-data archive made), unit enabled"

step docs
dpkg-deb -f "$DEB" Recommends | grep -qw 'postgresql-15' || fail "no Recommends: postgresql-15 in the control file"
assert_stat /usr/share/doc/barmand/reference.conf root:root 644
assert_stat /usr/share/doc/barmand/copyright root:root 644
for d in CONTRACTS.md operations.md retention.md; do assert_stat "/usr/share/doc/barmand/$d" root:root 644; done
cxs 'head -1 /usr/share/doc/barmand/reference.conf | grep -q "the admin.s manual" && grep -q "^barmand {" /usr/share/doc/barmand/reference.conf' ||
  fail "/usr/share/doc/barmand/reference.conf is not barmand's reference.conf"
cxs 'head -1 /usr/share/doc/barmand/copyright | grep -q "^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"' ||
  fail "the copyright file is not in DEP-5 format"
for page in man8/barmand.8 man5/barmand.conf.5; do
  f=/usr/share/man/$page.gz; title=$(basename "$page" | sed 's/\.[0-9]$//' | tr a-z A-Z); sect=${page##*.}
  assert_stat "$f" root:root 644
  cxs "zcat $f | head -1 | grep -q '^\.TH \"$title\" \"$sect\"'" || fail "$f: not a man page of $title($sect)"
  if cxs 'command -v man >/dev/null'; then  # man-db is not installed for this test: used when the container has it
    cxs "MANWIDTH=80 man -l $f 2>&1 >/dev/null | grep . && exit 1; MANWIDTH=80 man -l $f | grep -q '^NAME'" || fail "man -l $f: warnings, or no NAME section"
  fi
done
cxs 'MANWIDTH=80 man -l /usr/share/man/man5/barmand.conf.5.gz 2>/dev/null | grep -q barmand.defaults.backup.schedule || ! command -v man >/dev/null' ||
  fail "barmand.conf(5) does not list barmand.defaults.backup.schedule"
assert_stat /etc/barmand/conf.d root:root 755
cxs 'grep -qx /etc/barmand/conf.d/README /var/lib/dpkg/info/barmand.conffiles' || fail "conf.d/README is not a conffile"
cxs '[ -z "$(find /etc/barmand/conf.d -name "*.conf")" ]' || fail "conf.d ships a .conf file"
ok "Recommends postgresql-15; reference.conf and the DEP-5 copyright in /usr/share/doc/barmand; barmand(8) and barmand.conf(5) $(cxs 'command -v man >/dev/null' && echo "read by man -l" || echo "gzipped roff (no man here)"); /etc/barmand/conf.d with its README only"

step first-start
# the shipped file is inert (issue 22): it names no server, so check-config says OK with a warning, postinst starts
# the service, and the daemon schedules nothing (not even on a Barman here that knows pg1), saying what to configure
rc=0; cx barmand check-config >"$scratch/cc.out" 2>"$scratch/cc.err" || rc=$?
[[ $rc == 0 ]] || { cat "$scratch/cc.err" >&2; fail "check-config of the shipped file: exit $rc, want 0"; }
head -1 "$scratch/cc.out" | grep -q ': OK, 0 server(s)' || fail "the shipped file names a server: $(head -1 "$scratch/cc.out")"
grep -q 'warning: barmand.servers: no server configured' "$scratch/cc.err" ||
  { cat "$scratch/cc.err" >&2; fail "check-config did not warn that no server is configured"; }
wait_ready >/dev/null || fail "the shipped file: postinst did not start the service, or it is not ready (state $(prop ActiveState))"
grep -q '^barmand: started idle: no server named yet' "$scratch/apt.log" || { tail -5 "$scratch/apt.log" >&2; fail "postinst did not say it started idle"; }
cx journalctl -q -o cat "_SYSTEMD_INVOCATION_ID=$(prop InvocationID)" >"$scratch/first.journal"
grep -q 'barmand ready: 0 servers, 0 jobs scheduled' "$scratch/first.journal" ||
  { tail -20 "$scratch/first.journal" >&2; fail "the first start scheduled jobs, or logged no ready line"; }
grep -q 'barmand.servers: no server configured: barmand schedules no job' "$scratch/first.journal" ||
  fail "the first start did not log what to configure"
[[ $(prop StatusText) == idle ]] || fail "StatusText of the idle daemon: '$(prop StatusText)', want 'idle'"
runs=$(cx barmand history --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[[ $runs == 0 ]] || fail "$runs run(s) recorded by a daemon that names no server"
ok "shipped file inert: check-config OK with a warning, started by postinst, idle (0 jobs, StatusText idle, no run), told so"

step configure
srv=$(cxs 'runuser -u barman -- barman list-servers --minimal 2>/dev/null | head -1' || true)
[[ -n $srv ]] || fail "Barman knows no server in $C: barmand needs one to run"
# the server in a file of its own under conf.d (as an admin of several servers would), the main file without it:
# the daemon, started below under the unit's sandbox, must read conf.d to find a server at all
cxs "cat > /etc/barmand/barmand.conf" <<CONF
# edited by test-deb: everything from reference.conf; the server is in conf.d
barmand {
}
CONF
cxs "cat > '/etc/barmand/conf.d/$srv.conf' && chown root:barman '/etc/barmand/conf.d/$srv.conf' && chmod 0640 '/etc/barmand/conf.d/$srv.conf'" <<CONF
# edited by test-deb: one server Barman knows
barmand.servers."$srv" {}
CONF
assert_stat /etc/barmand/barmand.conf root:barman 640
cxs 'barmand check-config >/dev/null' || fail "'barmand check-config' (launcher, as root) rejects a config for server $srv in conf.d"
# a mistake in an included file is named with that file and line
cxs "cat > /etc/barmand/conf.d/zz-test.conf" <<CONF
barmand.servers."$srv".backup.schedul = "0 2 * * *"
CONF
rc=0; cx barmand check-config >"$scratch/cc.out" 2>&1 || rc=$?
cx rm -f /etc/barmand/conf.d/zz-test.conf
[[ $rc == 78 ]] || fail "check-config with an unknown key in conf.d/zz-test.conf: exit $rc, want 78"
grep -q "/etc/barmand/conf.d/zz-test.conf: barmand.servers.*backup.schedul: unknown key.*(line 1)" "$scratch/cc.out" ||
  { cat "$scratch/cc.out" >&2; fail "check-config did not name conf.d/zz-test.conf and its line"; }
ok "config for Barman server '$srv' in conf.d/$srv.conf accepted by the launcher's check-config; a bad key in conf.d named with its file and line"

step start
cx systemctl restart "$UNIT"
t=$(wait_ready) || fail "no 'barmand ready' within ${READY_TIMEOUT}s (state $(prop ActiveState)); $(cx journalctl -u $UNIT -n 20 --no-pager)"
[[ $(prop ActiveState) == active ]] || fail "not active"
assert_stat /run/barmand barman:barman 750
ok "active (its only server from conf.d), ready after ~${t}s, as user $(cxs "ps -o user= -p \$(systemctl show -p MainPID --value $UNIT)"), cgroup memory $(( $(prop MemoryCurrent) / 1048576 )) MiB"

run_now_check() {  # a check run through the control socket, as root, recorded in the history
  local rc=0
  cx barmand run-now check "$srv" >"$scratch/runnow.out" 2>&1 || rc=$?
  [[ $rc == 0 || $rc == 1 ]] || { cat "$scratch/runnow.out" >&2; fail "barmand run-now check $srv: exit $rc"; }
  cx barmand history --json --limit 1 | grep -q '"job" *: *"check"' || fail "the check run is not in barmand history"
  echo "$rc"
}
step run-now
rc=$(run_now_check)
ok "barmand run-now check $srv: exit $rc (0 ok, 1 check failed), recorded in history"

step journal-fields
# the run's lines are native journal entries with its fields: found by SERVER, JOB and the RUN_ID run-now printed,
# once each (not also as a stdout line), priority as the outcome
id=$(sed -n 's/^run \([0-9][0-9]*\) .*/\1/p' "$scratch/runnow.out" | head -1)
[[ -n $id ]] || { cat "$scratch/runnow.out" >&2; fail "run-now printed no run id"; }
cx journalctl --sync
cx journalctl -q -u "$UNIT" -o cat "SERVER=$srv" "JOB=check" "RUN_ID=$id" >"$scratch/run.journal" || true
grep -qx "run $id $srv check (manual): started" "$scratch/run.journal" &&
  grep -q "^run $id $srv check (manual): \(success\|failed\)" "$scratch/run.journal" ||
  { cx journalctl -u "$UNIT" -n 30 --no-pager -o verbose >&2 || true; fail "journalctl -u $UNIT SERVER=$srv JOB=check RUN_ID=$id: not the run's start and end"; }
n=$(cx journalctl -q -u "$UNIT" -o cat "_SYSTEMD_INVOCATION_ID=$(prop InvocationID)" | grep -c "run $id $srv check (manual): started" || true)
[[ $n == 1 ]] || fail "the run's start is $n times in the journal, want once (native entry only, no stdout copy)"
cx journalctl -q -u "$UNIT" -o cat "SERVER=$srv" "JOB=check" | grep -q "^run $id " || fail "journalctl SERVER=$srv JOB=check misses run $id"
errs=$(cx journalctl -q -u "$UNIT" -o cat "RUN_ID=$id" -p err | grep -c "^run $id .*: failed" || true)
if [[ $rc == 1 ]]; then [[ $errs == 1 ]] || fail "a failed check is not at priority err"; else [[ $errs == 0 ]] || fail "a passed check logged at err"; fi
ident=$(cx journalctl -q -u "$UNIT" "RUN_ID=$id" -o verbose | sed -n 's/^ *SYSLOG_IDENTIFIER=//p' | sort -u)
[[ $ident == barmand ]] || fail "SYSLOG_IDENTIFIER of run $id's entries: '$ident'"
ok "journalctl -u $UNIT SERVER=$srv JOB=check RUN_ID=$id: $(wc -l <"$scratch/run.journal") line(s), once each, identifier barmand, outcome at priority $([[ $rc == 1 ]] && echo err || echo info): $(tail -1 "$scratch/run.journal" | cut -c1-100)"

step stop
cx systemctl stop "$UNIT" || fail "systemctl stop failed"
[[ $(prop Result) == success ]] || fail "Result=$(prop Result) ExecMainStatus=$(prop ExecMainStatus)"
[[ $(prop ActiveState) == inactive ]] || fail "ActiveState=$(prop ActiveState)"
ok "stopped cleanly, main exit status $(prop ExecMainStatus)"

step restart
cx systemctl start "$UNIT"
wait_ready >/dev/null || fail "no ready line after a start"
ok "started again"


# -- reload, stop and upgrade while a backup runs. Backups go through a wrapper of barman that sleeps SLOW_S seconds
# before `barman backup` (the real one, then), so that a backup lasts long enough to reload, stop and upgrade under it.
SLOW=/usr/local/lib/barmand-test/slow-barman
SLOW_S=${SLOW_S:-20}
LIFE=/etc/barmand/conf.d/zz-lifecycle.conf
write_life() {  # SCHEDULE STOP-WAIT [MORE-LINES]
  cxs "cat > $LIFE && chown root:barman $LIFE && chmod 0640 $LIFE" <<CONF
barmand.barman.binary = "$SLOW"
barmand.stop-wait = $2
barmand.servers."$srv".backup.schedule = "$1"
${3:-}
CONF
}
last_backup() {  # "ID OUTCOME" of the newest backup run of $srv, or "0 none"
  cx barmand history --json --server "$srv" --job backup --limit 1 |
    python3 -c 'import json,sys; r=json.load(sys.stdin); print(str(r[0]["id"]) + " " + r[0]["outcome"] if r else "0 none")'
}
start_backup() {  # a backup through the control socket, in the background; prints its run id once it runs
  local before id outcome t=0
  before=$(last_backup | cut -d' ' -f1)
  cxs "nohup setsid barmand run-now backup '$srv' </dev/null >$WORK/backup.out 2>&1 &"
  while ((t < 60)); do
    read -r id outcome < <(last_backup)
    if [[ $id != "$before" && $outcome == running ]]; then echo "$id"; return 0; fi
    sleep 1; t=$((t + 1))
  done
  return 1
}
backup_end() {  # ID: waits for the run to end, prints its outcome
  local id outcome t=0
  while ((t < 180)); do
    read -r id outcome < <(cx barmand history --json --server "$srv" --job backup --limit 5 |
      python3 -c "import json,sys; r=[x for x in json.load(sys.stdin) if x['id']==$1]; print(str(r[0]['id']) + ' ' + r[0]['outcome'] if r else '0 none')")
    [[ $outcome != running && $outcome != queued ]] && { echo "$outcome"; return 0; }
    sleep 1; t=$((t + 1))
  done
  echo "$outcome"; return 1
}
journal_since() { cx journalctl -u "$UNIT" -q -o cat --no-pager --since "@$1"; }
wait_log() {  # SINCE PATTERN: the journal has a line matching PATTERN (grep -E) logged since SINCE
  local t=0
  while ((t < 30)); do journal_since "$1" | grep -qE "$2" && return 0; sleep 1; t=$((t + 1)); done
  return 1
}
status_schedule() {  # the backup schedule of $srv as `barmand status --json` shows it (the last good one on a broken file)
  cx barmand status --json 2>/dev/null | python3 -c "import json,sys; d=json.load(sys.stdin); print([j['schedule'] for s in d['servers'] if s['server']=='$srv' for j in s['jobs'] if j['job']=='backup'][0])"
}

step reload
cxs "mkdir -p ${SLOW%/*} && cat > $SLOW && chmod 0755 $SLOW" <<SH
#!/bin/sh
# test-deb: barman, with $SLOW_S s more before a backup
case " \$* " in *" backup "*) sleep $SLOW_S ;; esac
exec /usr/bin/barman "\$@"
SH
write_life "0 0 3 * * ?" 10m
since=$(cx date +%s)
cx systemctl reload "$UNIT" >"$scratch/reload.out" 2>&1 || { cat "$scratch/reload.out" >&2; fail "systemctl reload failed"; }
wait_log "$since" '(^|Daemon: )reloaded: [0-9]+ jobs scheduled' || fail "no 'reloaded:' line in the journal: $(journal_since "$since" | tail -5)"
[[ $(status_schedule) == "0 0 3 * * ?" ]] || fail "status shows backup schedule '$(status_schedule)', want '0 0 3 * * ?'"
[[ $(prop Type) == notify && $(prop StatusText) == *"next: "* ]] || fail "Type=$(prop Type), StatusText='$(prop StatusText)'"
ok "systemctl reload: $(journal_since "$since" | grep -oE 'reloaded: .*' | tail -1); StatusText: $(prop StatusText)"

step reload-during-backup
id1=$(start_backup) || fail "the backup of $srv did not start: $(cx cat $WORK/backup.out)"
[[ $(prop StatusText) == *"backup $srv running"* ]] || fail "StatusText while the backup runs: '$(prop StatusText)'"
write_life "30 4 * * *" 10m
since=$(cx date +%s)
cx systemctl reload "$UNIT" || fail "systemctl reload during a backup failed"
wait_log "$since" '(^|Daemon: )reloaded: [0-9]+ jobs scheduled, [0-9]+ servers, 1 run\(s\) in progress go on' ||
  fail "no 'reloaded: ... 1 run(s) in progress' line: $(journal_since "$since" | tail -5)"
[[ $(status_schedule) == "30 4 * * *" ]] || fail "status shows backup schedule '$(status_schedule)' after the reload, want '30 4 * * *'"
[[ $(last_backup) == "$id1 running" ]] || fail "backup run $id1 is '$(last_backup)' after the reload, want running"
[[ $(prop StatusText) == *"backup $srv running"* ]] || fail "StatusText after the reload: '$(prop StatusText)'"
ok "reloaded during backup run $id1 (still running); status shows '30 4 * * *'; StatusText: $(prop StatusText)"

step reload-refused
write_life "15 5 * * *" 10m "barmand.servers.\"$srv\".backup.schedul = \"0 2 * * *\"
barmand.scheduler.max-heavy-runs = 0"
since=$(cx date +%s)
rc=0; cx systemctl reload "$UNIT" >"$scratch/reload.out" 2>&1 || rc=$?
[[ $rc != 0 ]] || fail "systemctl reload of a broken file succeeded"
[[ $(prop ActiveState) == active ]] || fail "the service is $(prop ActiveState) after a refused reload"
wait_log "$since" "(^|Daemon: )reload refused: $LIFE: barmand.servers.$srv.backup.schedul: unknown key.*\\(line 4\\)" ||
  fail "the unknown key is not in the journal: $(journal_since "$since" | tail -8)"
wait_log "$since" "(^|Daemon: )reload refused: $LIFE: barmand.scheduler.max-heavy-runs: must be between 1 and 64, is 0 \\(line 5\\)" ||
  fail "the bad max-heavy-runs is not in the journal: $(journal_since "$since" | tail -8)"
[[ $(status_schedule) == "30 4 * * *" ]] || fail "status shows '$(status_schedule)' on the broken file, want the last good '30 4 * * *'"
write_life "30 4 * * *" 10m
ok "refused (systemctl reload exit $rc), still active, both problems in the journal, status shows the settings in force"
out=$(backup_end "$id1") || fail "backup run $id1 did not end"
[[ $out == success ]] || fail "backup run $id1 ended $out after two reloads, want success: $(cx cat $WORK/backup.out)"
ok "backup run $id1 ran through both reloads: $out"

step stop-waits
# a stop timeout (8s) shorter than the wait (~${SLOW_S}s): only the daemon's EXTEND_TIMEOUT_USEC keeps systemd from killing it
cxs "mkdir -p /run/systemd/system/$UNIT.d && printf '[Service]\nTimeoutStopSec=8\n' > /run/systemd/system/$UNIT.d/zz-test-deb.conf && systemctl daemon-reload"
id2=$(start_backup) || fail "the backup of $srv did not start"
since=$(cx date +%s); t0=$(date +%s)
cx systemctl stop "$UNIT" || fail "systemctl stop failed"
took=$(( $(date +%s) - t0 ))
cxs "rm -f /run/systemd/system/$UNIT.d/zz-test-deb.conf && systemctl daemon-reload"
[[ $(last_backup) == "$id2 success" ]] || fail "backup run $id2 is '$(last_backup)' after the stop, want success"
[[ $(prop Result) == success ]] || fail "Result=$(prop Result) after a stop that waited"
journal_since "$since" | grep -qE "(^|Daemon: )barmand stopping: no new runs; waiting up to PT10M \(stop-wait\) for backup $srv \(run $id2" ||
  fail "the stop did not say what it waited for: $(journal_since "$since" | tail -5)"
cx systemctl start "$UNIT"; wait_ready >/dev/null || fail "no ready line after the start"
((took > 8)) || fail "the stop took ${took}s, less than TimeoutStopSec=8: it did not wait for backup run $id2"
ok "systemctl stop waited ${took}s (TimeoutStopSec=8, extended by the daemon) for backup run $id2, which succeeded"

step stop-bound
write_life "30 4 * * *" 3s
cx systemctl reload "$UNIT" || fail "reload failed"
id3=$(start_backup) || fail "the backup of $srv did not start"
since=$(cx date +%s)
cx systemctl stop "$UNIT" || fail "systemctl stop failed"
out=$(last_backup)
[[ $out == "$id3 interrupted" ]] || fail "backup run $id3 is '$out' after a stop past stop-wait = 3s, want interrupted"
journal_since "$since" | grep -qE "(^|Daemon: )barmand stopping: backup $srv \(run $id3.* still running after stop-wait = PT3S: interrupting" ||
  fail "no interrupt line: $(journal_since "$since" | tail -5)"
write_life "30 4 * * *" 10m
cx systemctl start "$UNIT"; wait_ready >/dev/null || fail "no ready line after the start"
ok "stop-wait = 3s: backup run $id3 recorded interrupted after the bound"

step security
sec=$(cx systemd-analyze security --no-pager "$UNIT" | sed -n 's/.*Overall exposure level for barmand.service: \([0-9.]*\).*/\1/p')
[[ -n $sec ]] || fail "no score from systemd-analyze security"
awk -v s="$sec" -v m="$MAX_EXPOSURE" 'BEGIN{exit !(s <= m)}' || fail "exposure $sec > $MAX_EXPOSURE"
ok "systemd-analyze security: $sec"

step sandbox-barman
# If Barman has servers here, `barman check` must answer the same inside the unit's sandbox
# (same [Service] section, ExecStart replaced) as outside it: the hardening must not break Barman.
srv=$(cxs 'runuser -u barman -- barman list-servers --minimal 2>/dev/null | head -1' || true)
if [[ -n $srv ]]; then
  probe=/run/systemd/system/barmand-sandbox-probe.service
  cxs "sed -e 's|^ExecStart=.*|ExecStart=/usr/bin/barman check $srv|' -e 's/^Type=notify/Type=oneshot/' -e '/^ExecReload=/d' -e '/^RestartForceExitStatus=/d' \
        -e '/^Restart/d' -e '/^SuccessExitStatus/d' -e '/^\\[Service\\]/a RemainAfterExit=yes' -e '/^\[Install\]/,\$d' /lib/systemd/system/$UNIT > $probe && systemctl daemon-reload"
  outside=0; cxs "runuser -u barman -- barman check $srv >/dev/null 2>&1" || outside=$?
  cx systemctl start barmand-sandbox-probe.service >/dev/null 2>&1 || true
  inside=$(cx systemctl show -p ExecMainStatus --value barmand-sandbox-probe.service)
  ran=$(cx systemctl show -p ExecMainExitTimestampMonotonic --value barmand-sandbox-probe.service)
  cxs "journalctl -q -o cat -u barmand-sandbox-probe.service | tail -30" >"$scratch/probe.log" || true
  cxs "systemctl stop barmand-sandbox-probe.service; rm -f $probe; systemctl reset-failed barmand-sandbox-probe.service 2>/dev/null; systemctl daemon-reload" || true
  [[ $ran != 0 ]] || fail "the sandbox probe did not run"
  [[ $inside == "$outside" ]] || { cat "$scratch/probe.log" >&2; fail "barman check $srv: exit $inside in the sandbox, $outside outside"; }
  ok "barman check $srv: exit $inside inside the unit's sandbox, as outside"
else
  ok "skipped: no Barman servers configured in $C"
fi

step bad-config
cxs 'cp -p /etc/barmand/barmand.conf /etc/barmand/barmand.conf.test-save && echo "barmand { state-dir = [ }" > /etc/barmand/barmand.conf'
cx systemctl restart "$UNIT" || true
for _ in $(seq 30); do [[ $(prop ActiveState) == failed ]] && break; sleep 1; done
st=$(prop ExecMainStatus); state=$(prop ActiveState); nr=$(prop NRestarts)
cxs 'mv /etc/barmand/barmand.conf.test-save /etc/barmand/barmand.conf'
[[ $st == 78 && $state == failed && $nr == 0 ]] || fail "want exit 78, failed, no restarts; got status $st, $state, NRestarts=$nr"
sleep "$(( $(prop RestartUSec | tr -dc 0-9) + 2 ))"
[[ $(prop ActiveState) == failed ]] || fail "restarted after exit 78"
cx systemctl reset-failed "$UNIT"
cx systemctl start "$UNIT"
wait_ready >/dev/null || fail "no ready line after the config was put back"
ok "bad config: exit 78, failed, not restarted; good config back and running"

step upgrade-running
cxs 'echo "# edited by test-deb" >> /etc/barmand/barmand.conf'
pid1=$(prop MainPID)
apt_install "$WORK/barmand_${ver2}_all.deb" || fail "apt-get install of $ver2 failed"
[[ $(cxs 'dpkg-query -W -f="\${Version}" barmand') == "$ver2" ]] || fail "not upgraded to $ver2"
cxs 'tail -1 /etc/barmand/barmand.conf | grep -q "edited by test-deb"' || fail "the edited conffile was replaced"
assert_stat /etc/barmand/barmand.conf root:barman 640
wait_ready >/dev/null || fail "no ready line after the upgrade"
pid2=$(prop MainPID)
[[ $pid2 != "$pid1" && $pid2 != 0 ]] || fail "service not restarted by the upgrade (MainPID $pid1 -> $pid2)"
grep -q "^barmand: restarted with the new version (nothing long was running)" "$scratch/apt.log" ||
  { tail -5 "$scratch/apt.log" >&2; fail "postinst did not say it restarted"; }
ok "upgraded to $ver2: edited conffile kept, service restarted (pid $pid1 -> $pid2), postinst said so"

step upgrade-during-backup
id4=$(start_backup) || fail "the backup of $srv did not start"
pid1=$(prop MainPID)
cx dpkg -i --force-confold "$WORK/barmand_${ver2}_all.deb" >"$scratch/dpkg.out" 2>&1 || { cat "$scratch/dpkg.out" >&2; fail "dpkg -i during a backup failed"; }
grep -E "^barmand: restart deferred until backup $srv \(run $id4, since .*\) ended" "$scratch/dpkg.out" ||
  { cat "$scratch/dpkg.out" >&2; fail "postinst did not say it deferred the restart"; }
[[ $(prop MainPID) == "$pid1" ]] || fail "the daemon was restarted at once (MainPID $pid1 -> $(prop MainPID))"
out=$(backup_end "$id4") || fail "backup run $id4 did not end"
[[ $out == success ]] || fail "backup run $id4 ended $out across the upgrade, want success"
t=0; while (( t < 60 )) && [[ $(prop MainPID) == "$pid1" || $(prop MainPID) == 0 ]]; do sleep 1; t=$((t + 1)); done
pid2=$(prop MainPID)
[[ $pid2 != "$pid1" && $pid2 != 0 ]] || fail "not restarted after the backup ended (MainPID $pid1 -> $pid2)"
wait_ready >/dev/null || fail "no ready line after the deferred restart"
[[ $(prop ActiveState) == active ]] || fail "$(prop ActiveState) after the deferred restart"
ok "upgrade during backup run $id4: '$(grep '^barmand:' "$scratch/dpkg.out")'; the run succeeded, then restarted (pid $pid1 -> $pid2)"
cx rm -f "$LIFE" "$SLOW"; cx systemctl reload "$UNIT" || fail "reload without the test's conf.d file failed"

step upgrade-stopped
cx systemctl stop "$UNIT"
cx dpkg -i --force-confold "$WORK/barmand_${ver2}_all.deb" >/dev/null || fail "dpkg -i (reinstall) failed"
[[ $(prop ActiveState) == inactive ]] || fail "a stopped service was started by the upgrade"
[[ $(cx systemctl is-enabled "$UNIT") == enabled ]] || fail "unit no longer enabled"
ok "an upgrade leaves a stopped service stopped"

step root-reads-stopped
# root reading the history while the daemon is stopped must not leave files the daemon cannot write
cx barmand history --json >/dev/null || fail "barmand history as root failed"
cx systemctl start "$UNIT"
wait_ready >/dev/null || fail "no ready line"
rc=$(run_now_check)
ok "history read by root while stopped; the daemon still records runs (run-now exit $rc)"

step remove
cx apt-get remove -y -q barmand >/dev/null || fail "apt-get remove failed"
[[ $(prop ActiveState) != active ]] || fail "service still active after remove"
cxs '[ ! -e /lib/systemd/system/barmand.service ] && [ ! -e /usr/bin/barmand ]' || fail "files left after remove"
cxs '[ -f /etc/barmand/barmand.conf ] && [ -d /var/lib/barmand ]' || fail "conffile or state gone after remove (only purge should)"
ok "removed: stopped, program gone, config and state kept"

step purge
cx apt-get purge -y -q barmand >/dev/null || fail "apt-get purge failed"
cxs '[ ! -e /etc/barmand ] && [ ! -e /var/lib/barmand ] && [ ! -e /etc/default/barmand ] && [ ! -e /var/cache/barmand/cli ]' || fail "left behind: $(cxs 'ls -d /etc/barmand /var/lib/barmand /etc/default/barmand /var/cache/barmand/cli 2>/dev/null')"
cxs '! ls /etc/systemd/system/*/barmand.service /etc/systemd/system/barmand.service 2>/dev/null' || fail "unit symlinks left"
cxs 'getent passwd barman >/dev/null' || fail "purge removed the barman user (it belongs to barman)"
ok "purged: state, config and unit links gone; barman user kept"

STEP=done
echo "test-deb: PASS ($C, $ver -> $ver2, systemd-analyze security $sec)"
