#!/usr/bin/env bash
# every relative link [..](path[#anchor]) in README.md and docs/*.md: the file exists, and the anchor is a heading's
# GitHub slug in it (lowercase, punctuation but '-' and ' ' dropped, spaces -> '-'); code blocks skipped
cd "${1:-$(dirname "$0")/..}"; bad=0; n=0
slugs() { awk '/^ *```/{f=!f; next} !f && /^#+ /' "$1" | sed -E 's/^#+ +//' | tr 'A-Z' 'a-z' | sed -E 's/[^a-z0-9 _-]//g; s/ /-/g'; }
for f in README.md docs/*.md; do
  d=$(dirname "$f")
  while IFS= read -r link; do
    case "$link" in http://*|https://*|mailto:*) continue ;; esac
    n=$((n+1)); path=${link%%#*}; anchor=""; [[ "$link" == *"#"* ]] && anchor=${link#*#}
    target=$f; [ -n "$path" ] && target="$d/$path"
    if [ ! -e "$target" ]; then echo "BROKEN $f -> $link (no $target)"; bad=$((bad+1)); continue; fi
    if [ -n "$anchor" ] && ! slugs "$target" | grep -qx -- "$anchor"; then echo "BROKEN $f -> $link (no heading #$anchor)"; bad=$((bad+1)); fi
  done < <(awk '/^ *```/{f=!f; next} !f' "$f" | grep -oE '\]\([^) ]+\)' | sed -E 's/^\]\(//; s/\)$//')
done
echo "links checked: $n, broken: $bad"; [ "$bad" -eq 0 ]
