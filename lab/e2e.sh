#!/usr/bin/env bash
# The lab end to end, from nothing: preflight tests of bad inventories, down, up (box, vagrant up with a
# half-made container planted so that one machine's first start fails, one provisioning pass), verify, provision
# again asserting changed=0 on every host, the drill (standby stopped, primary written, standby back and caught
# up, slot released), the offsite drills (S3 down: the copy fails, an alert, S3 back, the next copy catches up with
# no WAL gap; a damaged copy in the bucket: the restore test fails, the alert names it), the .deb's life cycle, down.
# Prints each phase's time.
source "$(dirname "$0")/lib.sh"
cd "$LAB_ROOT"
t_all=$(date +%s)
keep=${LAB_KEEP:-0}   # LAB_KEEP=1 leaves the lab up at the end (to look at it)

summary() {
  local rc=$?
  echo
  echo "e2e: phase timings (s):"
  for p in preflight down-before up verify provision-again drill drill-offsite verify-after-drill deb down-after; do
    [[ -n ${LAB_T[$p]:-} ]] && printf '  %-16s %s\n' "$p" "${LAB_T[$p]}"
  done
  [[ -n $LAB_PHASE ]] && printf '  %-16s %s (failed here)\n' "$LAB_PHASE" $(( $(date +%s) - LAB_T0[$LAB_PHASE] ))
  printf '  %-16s %s\n' total $(( $(date +%s) - t_all ))
  if ((rc == 0)); then echo "e2e: OK"; else echo "e2e: FAILED (exit $rc)"; fi
}
trap summary EXIT

phase_start preflight;  bash lab/test-preflight.sh;  phase_end preflight
phase_start down-before; bash lab/down.sh;           phase_end down-before
# up from nothing, with the start race's consequence planted: a half-made `backup` container that .vagrant takes
# for the machine, so that its first start fails for real. up.sh must start it afresh and end green.
phase_start up
bash lab/plant-half-made.sh backup
bash lab/up.sh
retried=$(paste -sd' ' .vagrant/lab-up-retried)
[[ $retried == backup ]] || die "up: expected the planted backup machine to be started afresh, retried: '${retried}'"
echo "e2e: up: the half-made backup container failed its first start and was started afresh"
phase_end up
phase_start verify;      bash lab/verify.sh;         phase_end verify

phase_start provision-again
bash lab/up.sh
recap=$(sed -n '/PLAY RECAP/,/^$/p' .vagrant/lab-provision.log | grep -E '^[a-z0-9_.-]+ +:' || true)
echo "$recap"
hosts=$(wc -l <<<"$recap")
bad=$(grep -Ev 'changed=0 .*failed=0' <<<"$recap" || true)
[[ $hosts -eq ${#LAB_MACHINES[@]} && -z $bad ]] ||
  die "second provisioning was not a no-op (expected changed=0 failed=0 on ${#LAB_MACHINES[@]} hosts): ${bad:-$hosts hosts}"
echo "e2e: second provisioning: changed=0 on all $hosts hosts"
phase_end provision-again

phase_start drill;       bash lab/drill.sh;          phase_end drill
phase_start drill-offsite; bash lab/drill-offsite.sh; phase_end drill-offsite
phase_start verify-after-drill; bash lab/verify.sh >/dev/null || { bash lab/verify.sh | tail -1; die "verify after the drill"; }
phase_end verify-after-drill
phase_start deb; if compgen -G "target/barmand_*_all.deb" >/dev/null; then bash packaging/test-deb.sh "${LAB_PREFIX}backup"; else log "no target/barmand_*_all.deb: packaging/test-deb.sh skipped"; fi; phase_end deb
if [[ $keep == 1 ]]; then
  log "LAB_KEEP=1: leaving the lab up"
else
  phase_start down-after; bash lab/down.sh;          phase_end down-after
fi
