#!/usr/bin/env bash
# Drill for lab/up.sh: leaves MACHINE (default backup) as a run killed half-way would: an LXC container of its
# name with a config and no root file system, which this checkout's .vagrant believes is the machine. Its first
# start then fails for real (lxc-start), and up.sh must destroy it and start it afresh. Run on a lab that is down.
source "$(dirname "$0")/lib.sh"
cd "$LAB_ROOT"
m=${1:-backup}
c="${LAB_PREFIX}$m"
[[ " ${LAB_MACHINES[*]} " == *" $m "* ]] || die "unknown machine $m (${LAB_MACHINES[*]})"
as_root lxc-info -n "$c" >/dev/null 2>&1 && die "container $c exists: bring the lab down first (make down)"
as_root lxc-create -n "$c" -t none >/dev/null
mkdir -p ".vagrant/machines/$m/lxc"
printf '%s' "$c" >".vagrant/machines/$m/lxc/id"
log "planted a half-made container $c (no rootfs) that .vagrant takes for machine $m"
