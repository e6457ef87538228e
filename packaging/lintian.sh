#!/usr/bin/env bash
# lintian (Debian's) over the .deb, failing on any tag that is neither overridden in the package
# (packaging/deb/lintian/barmand, shipped as /usr/share/lintian/overrides/barmand: choices) nor in
# packaging/lintian-allow (what is not decided or not ours to change yet), both explained in packaging/README.md.
# Every level: errors, warnings, info, pedantic, experimental. `make test` runs it after `mvn verify`.
# Usage: packaging/lintian.sh [DEB]     (default: target/barmand_<version>_all.deb)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
deb=${1:-$root/target/barmand_$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$root/pom.xml")_all.deb}
[[ -f $deb ]] || { echo "lintian.sh: no $deb (mvn package first)" >&2; exit 66; }
command -v lintian >/dev/null || { echo "lintian.sh: no lintian (lab/host-deps.sh build installs it)" >&2; exit 69; }
allow=$here/lintian-allow

out=$(lintian --fail-on none --display-level '>=pedantic' --display-experimental "$deb" 2>/dev/null)
printf '%s\n' "$out"
# an allow-list line is a tag, then words its hint must contain (the rest of the line, up to a # comment)
mapfile -t allowed < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' "$allow" | awk 'NF')
bad=0 used=()
while IFS= read -r line; do
  [[ $line =~ ^([EWIPX]):\ [^\ ]+:\ ([^\ ]+)(\ (.*))?$ ]] || continue
  tag=${BASH_REMATCH[2]} hint=${BASH_REMATCH[4]:-}
  ok=""
  for a in "${allowed[@]}"; do
    atag=${a%% *} ahint=""; [[ $a == *" "* ]] && ahint=${a#* }
    if [[ $tag == "$atag" && $hint == *"$ahint"* ]]; then ok=1; used+=("$a"); break; fi
  done
  if [[ -z $ok ]]; then echo "lintian.sh: not allowed: $line" >&2; bad=1; fi
done <<<"$out"
for a in "${allowed[@]}"; do
  printf '%s\n' "${used[@]}" | grep -qxF -- "$a" || echo "lintian.sh: no longer raised, remove it from packaging/lintian-allow: $a" >&2
done
if (( bad )); then
  echo "lintian.sh: FAILED: fix the tag, or override it in packaging/deb/lintian/barmand (a choice) or list it in packaging/lintian-allow (pending), with its reason in packaging/README.md" >&2
  exit 1
fi
echo "lintian.sh: OK ($(basename "$deb"): $(printf '%s\n' "$out" | grep -c '^[EWIPX]: ' || true) allowed tag(s), overrides in the package)"
