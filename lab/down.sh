#!/usr/bin/env bash
# Destroys the lab: the machines this checkout's Vagrant knows, and any container named like ours
# (barmand-pg1, barmand-pg2, barmand-backup, barmand-offsite) left by an earlier run. Safe when nothing exists.
# The box, its cache and the generated secrets stay (make up reuses them).
source "$(dirname "$0")/lib.sh"
cd "$LAB_ROOT"

# They are destroyed anyway: kill and remove them all at once (vagrant-lxc would halt each gracefully,
# ~20 s apiece, then remove them one after the other); then let Vagrant forget them.
for c in $(lab_containers); do destroy_container "$c" & done
wait
if [[ -d .vagrant/machines ]]; then
  vagrant destroy -f >/dev/null || log "vagrant destroy failed; its state is removed below"
fi
rm -rf .vagrant/machines .vagrant/provisioners .vagrant/lab-*
log "lab is down"
