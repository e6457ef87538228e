#!/usr/bin/env bash
# Builds the lab's Vagrant box for the LXC provider from Debian 12 (no box can be downloaded here) and adds
# it to Vagrant as barmand/debian12. The box is cached outside the checkout, keyed by a hash of this script,
# so a fresh clone (CI clones fresh every time) reuses it; nothing is rebuilt when the box Vagrant has was
# made by this very script.
#   rootfs: debootstrap bookworm (lxc-create -t debian) + python3, openssh-server, sudo; user vagrant with
#   Vagrant's insecure public key (Vagrant replaces it on first boot) and passwordless sudo; no SSH host keys
#   and no machine-id baked in (each container makes its own at first boot).
#   box: metadata.json {"provider":"lxc"}, rootfs.tar.gz (./rootfs, numeric owners), lxc-config.
# Usage: lab/build-box.sh [--force]
source "$(dirname "$0")/lib.sh"

force=0; [[ ${1:-} == --force ]] && force=1
build_hash=$(sha256sum "$0" | cut -c1-16)
box_file="$LAB_CACHE/debian12-lxc-$build_hash.box"
vagrant_home="${VAGRANT_HOME:-$HOME/.vagrant.d}"
added_meta="$vagrant_home/boxes/${LAB_BOX_NAME//\//-VAGRANTSLASH-}/0/lxc/metadata.json"

if ((force == 0)) && [[ -f $added_meta ]] && grep -q "\"build\": *\"$build_hash\"" "$added_meta"; then
  log "box $LAB_BOX_NAME is present (build $build_hash)"
  exit 0
fi

if ((force == 1)) || [[ ! -s $box_file ]]; then
  phase_start box-build
  pub_key=$(find /usr/share/rubygems-integration /usr/lib/ruby /opt/vagrant -path '*vagrant-*/keys/vagrant.pub' \
              2>/dev/null | head -1 || true)
  [[ -n $pub_key ]] || die "Vagrant's insecure public key (keys/vagrant.pub) not found: is the vagrant package installed?"
  bash "$(dirname "$0")/lxc-net.sh"   # lxc-create's debian template wants the default network config
  name="${LAB_PREFIX}boxbuild"
  destroy_container "$name"
  log "debootstrap of Debian 12 into container $name (about a minute the first time, cached after)"
  as_root lxc-create -q -n "$name" -B dir -t debian -- -r bookworm >/dev/null
  rootfs="/var/lib/lxc/$name/rootfs"
  # the template writes "bookworm/updates" for security, which does not exist: write bookworm's real suites,
  # then install the packages ourselves (the template's --packages silently skips them when apt fails)
  as_root chroot "$rootfs" /bin/sh -e <<'CHROOT'
cat > /etc/apt/sources.list <<'LIST'
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
LIST
export DEBIAN_FRONTEND=noninteractive
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
apt-get update -qq
apt-get install -y -qq --no-install-recommends python3 openssh-server sudo ca-certificates >/dev/null
rm -f /usr/sbin/policy-rc.d
id vagrant >/dev/null 2>&1 || useradd -m -s /bin/bash vagrant
install -d -m 0700 -o vagrant -g vagrant /home/vagrant/.ssh
printf 'vagrant ALL=(ALL) NOPASSWD: ALL\nDefaults:vagrant !requiretty\n' > /etc/sudoers.d/vagrant
chmod 0440 /etc/sudoers.d/vagrant
# host keys and machine-id are made per container at first boot, never shared through the box
rm -f /etc/ssh/ssh_host_*
: > /etc/machine-id
rm -f /var/lib/dbus/machine-id
cat > /etc/systemd/system/ssh-hostkeys.service <<'UNIT'
[Unit]
Description=Generate SSH host keys on first boot
Before=ssh.service
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A

[Install]
WantedBy=ssh.service
UNIT
mkdir -p /etc/systemd/system/ssh.service.wants
ln -sf /etc/systemd/system/ssh-hostkeys.service /etc/systemd/system/ssh.service.wants/ssh-hostkeys.service
apt-get clean
rm -rf /var/lib/apt/lists/*
CHROOT
  as_root install -m 0600 -o 0 -g 0 /dev/null "$rootfs/home/vagrant/.ssh/authorized_keys"
  as_root cp "$pub_key" "$rootfs/home/vagrant/.ssh/authorized_keys"
  as_root chroot "$rootfs" chown -R vagrant:vagrant /home/vagrant/.ssh

  work=$(mktemp -d)
  trap 'as_root rm -rf "$work"' EXIT
  as_root tar --numeric-owner -C "/var/lib/lxc/$name" -czf "$work/rootfs.tar.gz" ./rootfs
  printf '{"provider":"lxc","version":"1.0.0","build":"%s"}\n' "$build_hash" > "$work/metadata.json"
  printf 'lxc.include = /usr/share/lxc/config/debian.common.conf\nlxc.arch = amd64\n' > "$work/lxc-config"
  mkdir -p "$LAB_CACHE"
  rm -f "$LAB_CACHE"/debian12-lxc-*.box   # older builds of this script
  as_root tar -C "$work" -cf "$box_file.tmp" metadata.json lxc-config rootfs.tar.gz
  as_root chown "$(id -u):$(id -g)" "$box_file.tmp"
  mv "$box_file.tmp" "$box_file"
  destroy_container "$name"
  phase_end box-build
fi

log "adding $box_file as $LAB_BOX_NAME"
vagrant box add --force --name "$LAB_BOX_NAME" "$box_file" >/dev/null
grep -q "\"build\": *\"$build_hash\"" "$added_meta" || die "box added but $added_meta does not name build $build_hash"
log "box $LAB_BOX_NAME ready (build $build_hash, $(du -h "$box_file" | cut -f1))"
