#!/usr/bin/env bash
# Starts LXC's bridge (lxcbr0, 10.0.3.1/24, dnsmasq for DHCP, NAT) when it is not up.
# No systemd runs on the build machines, so nothing else starts lxc-net. Idempotent.
source "$(dirname "$0")/lib.sh"

bridge_ok() {
  ip -4 addr show dev lxcbr0 2>/dev/null | grep -q 'inet 10\.0\.3\.1/' &&
    ip link show dev lxcbr0 2>/dev/null | grep -q 'state UP\|,UP' &&
    as_root pgrep -f 'dnsmasq.*lxcbr0' >/dev/null
}

if bridge_ok; then
  log "lxcbr0 is up"
  exit 0
fi
# a stale marker from an earlier run (the bridge or dnsmasq gone) makes `start` refuse: clear it first
if [[ -e /run/lxc/network_up ]]; then
  log "lxc-net marker present but the bridge is not complete: stopping it first"
  as_root /usr/libexec/lxc/lxc-net stop force || true
fi
as_root /usr/libexec/lxc/lxc-net start
bridge_ok || die "lxcbr0 did not come up (see: ip addr show lxcbr0; pgrep dnsmasq)"
log "lxcbr0 started"
