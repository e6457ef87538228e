#!/bin/sh
# barmand launcher for interactive use (status, history, run-now, check-config).
# The service itself is started by barmand.service, which runs java directly.
# BARMAND_JAVA_OPTS from the caller's environment wins over /etc/default/barmand.
if [ -z "${BARMAND_JAVA_OPTS+set}" ] && [ -r /etc/default/barmand ]; then
    . /etc/default/barmand
fi
# Made by postinst (`barmand warm-up`) for this version: a class-data archive of the CLI and SQLite's native
# library, so that status and history start faster. Used only when newer than the jar; the JVM ignores an archive
# it cannot use (a new JDK), and its messages about it are kept out of the output.
JAR=/usr/share/barmand/barmand.jar
CACHE=/var/cache/barmand/cli
FAST=""
if [ -r "$CACHE/cli.jsa" ] && [ "$CACHE/cli.jsa" -nt "$JAR" ]; then
    FAST="-XX:SharedArchiveFile=$CACHE/cli.jsa -Xlog:disable -Xlog:all=error:stderr"
fi
if [ -r "$CACHE/libsqlitejdbc.so" ] && [ "$CACHE/libsqlitejdbc.so" -nt "$JAR" ]; then
    FAST="$FAST -Dorg.sqlite.lib.path=$CACHE -Dorg.sqlite.lib.name=libsqlitejdbc.so"
fi
# wal-restore runs once per WAL file as PostgreSQL's restore_command: a short life, so the quick compiler only and
# the serial collector
case " $* " in
    *" wal-restore "*) FAST="$FAST -XX:TieredStopAtLevel=1 -XX:+UseSerialGC" ;;
esac
# `barmand restore --wal fetch` writes this launcher into restore_command
BARMAND_LAUNCHER=$0
export BARMAND_LAUNCHER
# shellcheck disable=SC2086  # FAST and BARMAND_JAVA_OPTS are words on purpose
exec java $FAST ${BARMAND_JAVA_OPTS:-} -jar "$JAR" "$@"
