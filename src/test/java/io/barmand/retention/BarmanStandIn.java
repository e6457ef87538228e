package io.barmand.retention;

import io.barmand.barman.BarmanClient;
import io.barmand.config.Settings;
import io.barmand.process.CommandRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A stand-in Barman for the retention service, server pg1: {@code list-backups} JSON from the backups added, and
 * each backup's folder (backup.info, annotations/keep) where {@code show-servers} says, as Barman 3.4 lays them out.
 * {@code keep} and {@code delete} change them as Barman does (a kept backup is not deleted); every other command
 * answers {@code {}}; {@link #calls()} tells what ran.
 */
final class BarmanStandIn {
    static final String SERVER = "pg1";
    static final DateTimeFormatter INFO = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx").withZone(ZoneOffset.UTC);
    final Path tmp;
    final Path bin;
    final Path base;

    BarmanStandIn(Path tmp) {
        this.tmp = tmp;
        this.bin = tmp.resolve("bin");
        this.base = tmp.resolve("barman/" + SERVER + "/base");
        Path wals = tmp.resolve("barman/" + SERVER + "/wals");
        try {
            Files.createDirectories(base);
            Files.createDirectories(wals);
            Files.createDirectories(bin);
            Files.writeString(bin.resolve("show-servers.json"), "{\"" + SERVER + "\": {\"basebackups_directory\": \""
                    + base + "\", \"wals_directory\": \"" + wals + "\", \"retention_policy\": null}}");
            // Barman 3.4's keep, delete and list-backups over the folders, the others {}
            Files.writeString(script(), """
                    #!/bin/sh
                    dir=$(dirname "$0")
                    base='%s'
                    while [ $# -gt 0 ]; do case "$1" in -c|-f) shift 2;; -q) shift;; *) break;; esac; done
                    echo "$@" >> "$dir/calls.log"
                    cmd=$1; shift
                    target=; op=; pos=
                    while [ $# -gt 0 ]; do case "$1" in --target) target=$2; op=keep; shift 2;; --release) op=release; shift;;
                      --status) op=status; shift;; --) shift;; *) pos="$pos $1"; shift;; esac; done
                    set -- $pos
                    case "$cmd" in
                      list-backups)
                        printf '{"%s": ['; sep=
                        for d in $(ls -r "$base"); do printf '%%s' "$sep"; cat "$base/$d/list.json"; sep=', '; done
                        printf ']}\n' ;;
                      show-servers) cat "$dir/show-servers.json" ;;
                      keep)
                        a="$base/$2/annotations/keep"
                        case "$op" in
                          keep) printf '%%s' "$target" > "$a"; echo '{}' ;;
                          release) rm -f "$a"; echo '{}' ;;
                          status) printf '{"%%s": {"keep_status": {"message": "%%s"}}}\n' "$1" "$(cat "$a" 2>/dev/null || echo nokeep)" ;;
                        esac ;;
                      delete)
                        if [ -f "$base/$2/annotations/keep" ]; then
                          echo '{"_WARNING": ["Skipping delete of backup '"$2"' for server '"$1"' as it has a current keep request."]}'
                        else rm -rf "${base:?}/$2"; echo '{"_INFO": ["Deleting backup '"$2"' for server '"$1"'"]}'; fi ;;
                      *) echo '{}' ;;
                    esac
                    """.formatted(base, SERVER));
            Files.setPosixFilePermissions(script(), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path script() {
        return bin.resolve("barman");
    }

    /** A backup: its id as Barman names it, its status, begin, end (null: none yet) and keep (null: none). */
    BarmanStandIn backup(String id, String status, Instant begin, Instant end, String keep) {
        Path dir = base.resolve(id);
        try {
            Files.createDirectories(dir.resolve("annotations"));
            Files.writeString(dir.resolve("backup.info"), "backup_id=" + id + "\nbegin_time=" + INFO.format(begin)
                    + "\nend_time=" + (end == null ? "None" : INFO.format(end)) + "\nstatus=" + status + "\n");
            if (keep != null) {
                Files.writeString(dir.resolve("annotations/keep"), keep);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Files.writeString(dir.resolve("list.json"), "{\"backup_id\": \"" + id + "\", \"status\": \"" + status + "\""
                    + (end == null ? "" : ", \"end_time_timestamp\": \"" + end.getEpochSecond() + "\"") + ", \"size_bytes\": 1000}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Barman's keep of a backup now, as its annotation says ("nokeep" without one). */
    String keep(String id) {
        try {
            Path k = base.resolve(id).resolve("annotations/keep");
            return Files.exists(k) ? Files.readString(k).strip() : "nokeep";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An admin keeps a backup by hand ({@code barman keep --target TARGET}): Barman writes its annotation anew. */
    void keepByHand(String id, String target) {
        try {
            Path a = base.resolve(id).resolve("annotations/keep");
            Files.writeString(a, target);
            // a later time than any keep before it, whatever the file system's clock granularity
            Files.setLastModifiedTime(a, java.nio.file.attribute.FileTime.from(Instant.now().plusSeconds(1)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The settings of a daemon whose barman.binary is this stand-in, with {@code serverBlock} for pg1. */
    Settings settings(String serverBlock) {
        try {
            Path f = tmp.resolve("barmand.conf");
            Files.writeString(f, "barmand {\n  barman.binary = \"" + script() + "\"\n  state-dir = \"" + tmp
                    + "/state\"\n  control-socket = \"" + tmp + "/c.sock\"\n  servers {\n    " + SERVER + " {\n" + serverBlock
                    + "\n    }\n  }\n}\n");
            return Settings.load(f, (bin, cf, t) -> Set.of(SERVER));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    BarmanClient client() {
        return new BarmanClient(new CommandRunner(Clock.systemUTC(), Duration.ofSeconds(1)), script(), Optional.empty());
    }

    /** The barman commands that ran, one line each ("delete pg1 2026..."), a "--" before the arguments left out. */
    List<String> calls() {
        try {
            Path log = bin.resolve("calls.log");
            return Files.exists(log) ? Files.readAllLines(log).stream().map(l -> l.replace(" -- ", " ")).toList() : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
