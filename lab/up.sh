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

# The machines boot in parallel. Vagrant gives up on a machine whose container has no DHCP address after
# fetch_ip_tries x 3 s (the Vagrantfile waits 2 min); a start can still fail (seen: "There was an error executing
# lxc-info" under load, or a container left half-made by a killed run). Then the machines that do not answer
# are destroyed and started afresh, at most LAB_UP_TRIES attempts in all, each named in the output.
tries=${LAB_UP_TRIES:-3}
phase_start vagrant-up
mkdir -p .vagrant
attempt=1
: >.vagrant/lab-up-retried   # the machines started afresh, one line each (e2e's drill reads it)
while :; do
  set +e
  vagrant up --provider=lxc --no-provision 2>&1 | tee .vagrant/lab-up.log
  rc=${PIPESTATUS[0]}
  set -e
  ((rc == 0)) && break
  failed=()
  for m in "${LAB_MACHINES[@]}"; do machine_answers "$m" || failed+=("$m"); done
  ((attempt < tries)) || die "vagrant up failed $attempt times (exit $rc); not up: ${failed[*]:-none}; log: .vagrant/lab-up.log"
  if ((${#failed[@]} == 0)); then
    log "vagrant up exited $rc but every machine answers: running it again (attempt $((attempt + 1)) of $tries)"
  fi
  for m in "${failed[@]}"; do
    log "$m: did not come up (attempt $attempt of $tries): destroying it to start it afresh"
    forget_machine "$m"
    echo "$m" >>.vagrant/lab-up-retried
  done
  attempt=$((attempt + 1))
done
LAB_UP_ATTEMPTS=$attempt
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
log "timings: vagrant-up ${LAB_T[vagrant-up]}s ($LAB_UP_ATTEMPTS attempt(s)), provision ${LAB_T[provision]}s"
