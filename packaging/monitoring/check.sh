#!/usr/bin/env bash
# The alert rules shipped in the .deb, through Prometheus's own promtool (Debian's prometheus package):
# `promtool check rules` (syntax, PromQL, templates) and `promtool test rules` (a few alerts fed with series).
# `make test` runs it; the metric names the rules and the dashboard use are checked against the daemon's by
# MonitoringFilesTest (mvn test).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
command -v promtool >/dev/null || { echo "check.sh: no promtool (lab/host-deps.sh build installs Debian's prometheus)" >&2; exit 69; }
promtool check rules "$here/barmand.rules.yml"
# promtool resolves rule_files from the test file's folder
(cd "$here" && promtool test rules barmand.rules.test.yml)
