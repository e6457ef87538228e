#!/bin/sh
# barmand launcher for interactive use (status, history, run-now, check-config).
# The service itself is started by barmand.service, which runs java directly.
# BARMAND_JAVA_OPTS from the caller's environment wins over /etc/default/barmand.
if [ -z "${BARMAND_JAVA_OPTS+set}" ] && [ -r /etc/default/barmand ]; then
    . /etc/default/barmand
fi
exec java ${BARMAND_JAVA_OPTS:-} -jar /usr/share/barmand/barmand.jar "$@"
