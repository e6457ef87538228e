#!/usr/bin/env bash
# Destroys the lab: the machines this checkout's Vagrant knows, and any container named like ours
# (barmand-pg1, barmand-pg2, barmand-backup) left by an earlier run. Safe when nothing exists.
# The box, its cache and the generated secrets stay (make up reuses them).
source "$(dirname "$0")/lib.sh"
cd "$LAB_ROOT"

if [[ -d .vagrant/machines ]]; then
  vagrant destroy -f || log "vagrant destroy failed; removing the containers directly"
fi
for c in $(lab_containers); do destroy_container "$c"; done
rm -rf .vagrant/machines .vagrant/provisioners .vagrant/lab-*
log "lab is down"
