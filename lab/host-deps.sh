#!/usr/bin/env bash
# Installs, from Debian's archive, what the build, the tests and the lab need on this machine.
# Idempotent: a package already installed is not touched; nothing is fetched when all are present.
# Usage: lab/host-deps.sh [build|lab|all]   (default: all)
set -euo pipefail

build_pkgs=(openjdk-17-jdk-headless maven postgresql-15 postgresql-client-15 barman barman-cli
            rsync procps openssh-client openssh-server python3 ca-certificates
            awscli zstd    # offsite tests: an independent S3 client (call /usr/bin/aws) and zstd to unpack
            age            # encrypted offsite copies: the ITs decrypt with Debian's age, as docs/disaster-day.md does
            fonts-dejavu-core    # the report's trend charts (JFreeChart) draw text with it
            lintian              # make test checks the .deb with it (packaging/lintian.sh)
            prometheus)          # promtool: make test checks the shipped alert rules (packaging/prometheus/check.sh)
lab_pkgs=(lxc lxc-templates debootstrap vagrant vagrant-lxc ansible rsync iptables dnsmasq-base
          bridge-utils redir sudo openssh-client curl)

case "${1:-all}" in
  build) wanted=("${build_pkgs[@]}") ;;
  lab)   wanted=("${lab_pkgs[@]}") ;;
  all)   wanted=("${build_pkgs[@]}" "${lab_pkgs[@]}") ;;
  *) echo "usage: $0 [build|lab|all]" >&2; exit 2 ;;
esac

# moto's S3 server, which enforces Object Lock (the Object Lock ITs start it on loopback): not in Debian; from PyPI
# only when `moto_server` is missing (the project's machines have it, and may not reach PyPI)
moto() {
  [[ ${1:-all} == lab ]] && return 0
  command -v moto_server >/dev/null && return 0
  echo "host-deps: installing moto_server (pip install \"moto[server]\")"
  if command -v pip >/dev/null; then pip install "moto[server]"; else python3 -m pip install --user "moto[server]"; fi
}

missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# de-duplicate
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | awk 'NF && !seen[$0]++')
if ((${#missing[@]} == 0)); then
  echo "host-deps: all ${#wanted[@]} packages present"
  moto "${1:-all}"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "host-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "host-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# No systemd on some build machines: keep package scripts from starting services we start ourselves.
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
moto "${1:-all}"
