#!/usr/bin/env bash
# Bad inventories must fail early, before any host is touched, with a message naming the problem.
# Runs only the playbook's first play (on the controller): no machine is needed.
source "$(dirname "$0")/lib.sh"
cd "$LAB_ROOT/ansible"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export ANSIBLE_INVENTORY_UNPARSED_FAILED=true ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false

# inv PRIMARY-HOSTS STANDBY-HOSTS BARMAN-HOSTS, each a YAML flow mapping of hosts
inv() { printf 'all:\n  children:\n    primary: {hosts: %s}\n    standby: {hosts: %s}\n    barman: {hosts: %s}\n' "$1" "$2" "$3"; }
P1='pg1: {ansible_host: 10.9.0.11}' P2='pg2: {ansible_host: 10.9.0.12}' B='backup: {ansible_host: 10.9.0.13}'
good=$(inv "{$P1}" "{$P2}" "{$B}")

run() {  # run NAME EXPECT(ok|fail) MESSAGE-REGEX INVENTORY-YAML [ansible-playbook args]
  local name=$1 expect=$2 msg=$3 inv=$4; shift 4
  printf '%s\n' "$inv" >"$tmp/inv.yml"
  local out rc=0
  out=$(ansible-playbook -i "$tmp/inv.yml" -i localhost, -c local site.yml --limit localhost "$@" 2>&1) || rc=$?
  if [[ $expect == ok && $rc -eq 0 ]] || [[ $expect == fail && $rc -ne 0 ]] && grep -Eq "$msg" <<<"$out"; then
    printf 'preflight: [ok]   %s\n' "$name"
  else
    printf 'preflight: [FAIL] %s (exit %s)\n%s\n' "$name" "$rc" "$out"
    exit 1
  fi
}

run "a good inventory passes" ok "ok=" "$good"
run "the example inventory passes" ok "ok=" "$(cat inventory/example.yml)"
run "no primary" fail "exactly one host in group 'primary'; it has 0" "$(inv "{}" "{$P2}" "{$B}")"
run "two primaries" fail "exactly one host in group 'primary'; it has 2: pg1, pg3" \
  "$(inv "{$P1, pg3: {ansible_host: 10.9.0.14}}" "{$P2}" "{$B}")"
run "no barman host" fail "exactly one host in group 'barman'; it has 0" "$(inv "{$P1}" "{$P2}" "{}")"
run "a standby on the primary's host (same name)" fail "In more than one of the groups primary/standby/barman/offsite: pg1" \
  "$(inv "{$P1}" "{pg1: {}}" "{$B}")"
run "a standby on the primary's host (same address)" fail "share ansible_host 10.9.0.11" \
  "$(inv "{$P1}" "{pg2: {ansible_host: 10.9.0.11}}" "{$B}")"
run "duplicate slot names" fail "must be unique" \
  "$(inv "{$P1}" "{pg2: {replication_slot_name: s}, pg3: {replication_slot_name: s}}" "{$B}")"
run "a standby slot named like barman's" fail "must be unique" \
  "$(inv "{$P1}" "{pg2: {replication_slot_name: barman}}" "{$B}")"
O='offsite: {ansible_host: 10.9.0.14}'
run "an offsite host passes" ok "ok=" "$good
    offsite: {hosts: {$O}}"
run "two offsite hosts" fail "at most one host in group 'offsite' .*it has 2: offsite, offsite2" "$good
    offsite: {hosts: {$O, offsite2: {ansible_host: 10.9.0.15}}}"
run "offsite on the barman host" fail "In more than one of the groups primary/standby/barman/offsite: backup" "$good
    offsite: {hosts: {backup: {}}}"
run "unsupported PostgreSQL version" fail "postgresql_version=14 is not supported" "$good" -e postgresql_version=14
echo "preflight: OK"
