#!/usr/bin/env bash
# Destroys the lab: the machines this checkout's Vagrant knows, and any container named like ours
# (barmand-pg1, barmand-pg2, barmand-backup) left by an earlier run. Safe when nothing exists.
# The box, its cache and the generated secrets stay (make up reuses them).
source "$(dirname "$0")/lib.sh"
cd "$LAB_ROOT"

# They are destroyed anyway: kill them at once (vagrant-lxc would halt each gracefully, ~20 s apiece)
for c in $(lab_containers); do as_root lxc-stop -n "$c" -k >/dev/null 2>&1 & done
wait
if [[ -d .vagrant/machines ]]; then
  vagrant destroy -f || log "vagrant destroy failed; removing the containers directly"
fi
for c in $(lab_containers); do destroy_container "$c"; done
rm -rf .vagrant/machines .vagrant/provisioners .vagrant/lab-*
log "lab is down"
