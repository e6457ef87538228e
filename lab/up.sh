#!/usr/bin/env bash
# Brings the lab up under LXC and provisions it once: bridge, box, stale containers cleared,
# `vagrant up --no-provision` (machines boot in parallel), then one `vagrant provision` over all of them.
# Safe to re-run: running machines are kept and the second provisioning changes nothing.
# The provisioning log is kept in .vagrant/lab-provision.log (e2e reads its PLAY RECAP).
source "$(dirname "$0")/lib.sh"
cd "$LAB_ROOT"

bash lab/lxc-net.sh
bash lab/build-box.sh

# Containers named like ours that this checkout's .vagrant does not know (an earlier checkout, a run
# killed half-way) would make `vagrant up` fail on the name: remove them.
known=$(known_containers)
for c in $(lab_containers); do
  grep -qx "$c" <<<"$known" || { log "stale container $c (not in this .vagrant)"; destroy_container "$c"; }
done
# .vagrant entries whose container is gone: forget them so that vagrant creates the machine again
for m in "${LAB_MACHINES[@]}"; do
  f=".vagrant/machines/$m/lxc/id"
  if [[ -s $f ]] && ! as_root lxc-info -n "$(cat "$f")" >/dev/null 2>&1; then
    log "$m: container $(cat "$f") is gone; forgetting it"
    rm -rf ".vagrant/machines/$m/lxc"
  fi
done

phase_start vagrant-up
vagrant up --provider=lxc --no-provision
phase_end vagrant-up

phase_start provision
export ANSIBLE_NOCOLOR=${ANSIBLE_NOCOLOR:-1} PYTHONUNBUFFERED=1
set +e
vagrant provision 2>&1 | tee .vagrant/lab-provision.log
rc=${PIPESTATUS[0]}
set -e
phase_end provision
((rc == 0)) || die "provisioning failed (exit $rc); log: .vagrant/lab-provision.log"
log "PLAY RECAP:"
sed -n '/PLAY RECAP/,/^$/p' .vagrant/lab-provision.log | sed 1d | sed '/^$/d' >&2
log "timings: vagrant-up ${LAB_T[vagrant-up]}s, provision ${LAB_T[provision]}s"
