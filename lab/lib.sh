# Shared by the lab scripts: sourced, not run.
# shellcheck shell=bash
set -euo pipefail

LAB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LAB_BOX_NAME="${LAB_BOX_NAME:-barmand/debian12}"
LAB_PREFIX="${LAB_PREFIX:-barmand-}"          # LXC container names: barmand-pg1, barmand-pg2, barmand-backup, barmand-offsite
LAB_MACHINES=(pg1 pg2 backup offsite)
LAB_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/barmand-lab"

# root or sudo: LXC and the bridge need root
if [[ $(id -u) -eq 0 ]]; then SUDO=(); else SUDO=(sudo); fi
as_root() { "${SUDO[@]}" "$@"; }

log() { printf '%s %s\n' "[$(date -u +%H:%M:%S)] ${0##*/}:" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# wall-clock timing of phases, printed by the caller
declare -A LAB_T=() LAB_T0=()      # LAB_T: seconds each finished phase took
LAB_PHASE=""                        # the phase running now (the failing one, on an early exit)
phase_start() { LAB_T0[$1]=$(date +%s); LAB_PHASE=$1; log "== $1"; }
phase_end() { LAB_T[$1]=$(( $(date +%s) - LAB_T0[$1] )); LAB_PHASE=""; log "== $1 done in ${LAB_T[$1]}s"; }

# containers named like ours (barmand-*) that exist on this machine
lab_containers() { as_root lxc-ls -1 2>/dev/null | grep -E "^${LAB_PREFIX}($(IFS='|'; echo "${LAB_MACHINES[*]}"))\$" || true; }

# containers this checkout's .vagrant knows (its id file holds the container name)
known_containers() {
  local m f
  for m in "${LAB_MACHINES[@]}"; do
    f="$LAB_ROOT/.vagrant/machines/$m/lxc/id"
    [[ -s $f ]] && cat "$f" && echo
  done
  return 0
}

# stop and destroy a container, quietly if it is gone already
destroy_container() {
  local n=$1
  as_root lxc-info -n "$n" >/dev/null 2>&1 || return 0
  log "destroying container $n"
  as_root lxc-stop -n "$n" -k >/dev/null 2>&1 || true
  as_root lxc-destroy -n "$n" -f >/dev/null
}

# whether Vagrant knows the machine's SSH address and a command runs there
machine_answers() {
  local m=$1 cfg="$LAB_ROOT/.vagrant/lab-ssh-$1"
  (cd "$LAB_ROOT" && vagrant ssh-config "$m" >"$cfg" 2>/dev/null) &&
    ssh -F "$cfg" -o BatchMode=yes -o ConnectTimeout=10 "$m" true </dev/null >/dev/null 2>&1
}

# destroy a machine, whatever state it is in, and make Vagrant forget it (its next `up` creates it afresh)
forget_machine() {
  local m=$1
  (cd "$LAB_ROOT" && vagrant destroy -f "$m" >/dev/null 2>&1) || true
  destroy_container "${LAB_PREFIX}$m"
  rm -rf "$LAB_ROOT/.vagrant/machines/$m/lxc"
}

# ---- commands in the guests, over SSH with the config `vagrant ssh-config` prints (any provider)
LAB_SSH_CONFIG="$LAB_ROOT/.vagrant/lab-ssh-config"
lab_ssh_config() {
  (cd "$LAB_ROOT" && vagrant ssh-config >"$LAB_SSH_CONFIG.tmp" 2>/dev/null) || { rm -f "$LAB_SSH_CONFIG.tmp"; return 1; }
  mv "$LAB_SSH_CONFIG.tmp" "$LAB_SSH_CONFIG"
}
# on HOST CMD ARGS...: ssh joins its arguments into one remote command line, so quote each
on() { local h=$1; shift; ssh -F "$LAB_SSH_CONFIG" -o BatchMode=yes -o ConnectTimeout=10 "$h" "$(printf '%q ' "$@")"; }
# psql_on HOST [psql options]: psql as postgres on the host, SQL on stdin
psql_on() { local h=$1; shift; on "$h" sudo -u postgres psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }
# val HOST SQL: the result, unaligned, tuples only, fields joined by |
val() { psql_on "$1" -At -F '|' 2>/dev/null <<<"$2"; }

# mails HOST MAILDIR: the mails of a Maildir on HOST, newest first, one line each:
# KIND<TAB>DATE<TAB>SUBJECT<TAB>FIRST LINE OF THE TEXT (KIND: barmand's X-Barmand-Kind, report | alert | recovered)
mails() { on "$1" sudo python3 -c "$(cat <<'PY'
import email.header, email.utils, mailbox, sys
rows = []
for m in mailbox.Maildir(sys.argv[1], create=False):
    subject = str(email.header.make_header(email.header.decode_header(m.get("Subject", ""))))
    when = email.utils.parsedate_to_datetime(m["Date"]).timestamp() if m["Date"] else 0
    text = next((p.get_payload(decode=True).decode(p.get_content_charset() or "utf-8", "replace")
                 for p in m.walk() if p.get_content_type() == "text/plain"), "")
    first = next((l.strip() for l in text.splitlines() if l.strip()), "")
    rows.append((when, m.get("X-Barmand-Kind", "-"), m.get("Date", ""), subject, first))
for row in sorted(rows, reverse=True):
    print(*row[1:], sep="\t")
PY
)" "$2" 2>/dev/null; }
