package io.barmand.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A fake `barman` executable: for subcommand CMD it prints DIR/CMD.json (canned output, e.g. real samples from
 * src/test/resources/barman-json), sleeps DIR/CMD.sleep seconds first when present, and exits with DIR/CMD.exit
 * (default 0). Every call is appended to DIR/calls.log.
 */
public final class FakeBarman {
    private final Path dir;

    public FakeBarman(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            Path script = script();
            Files.writeString(script, """
                    #!/bin/sh
                    dir=$(dirname "$0")
                    while [ $# -gt 0 ]; do case "$1" in -c|-f) shift 2;; -q) shift;; *) break;; esac; done
                    cmd=$1
                    echo "$@" >> "$dir/calls.log"
                    if [ -f "$dir/$cmd.sleep" ]; then sleep "$(cat "$dir/$cmd.sleep")"; fi
                    if [ -f "$dir/$cmd.hold" ]; then
                      echo "$$" >> "$dir/$cmd.entered"
                      # until released, or the test's folder is gone (never left behind), 10 minutes at most
                      n=0
                      while [ ! -f "$dir/$cmd.release" ] && [ -f "$dir/$cmd.hold" ] && [ $n -lt 12000 ]; do sleep 0.05; n=$((n + 1)); done
                      echo "$$" >> "$dir/$cmd.left"
                    fi
                    if [ -f "$dir/$cmd.json" ]; then cat "$dir/$cmd.json"; fi
                    if [ -f "$dir/$cmd.stderr" ]; then cat "$dir/$cmd.stderr" >&2; fi
                    exit "$(cat "$dir/$cmd.exit" 2>/dev/null || echo 0)"
                    """);
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path script() {
        return dir.resolve("barman");
    }

    public static String sample(String name) {
        try (var in = FakeBarman.class.getResourceAsStream("/barman-json/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no sample " + name);
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** `barman CMD` prints the sample file and exits with {@code exit}. */
    public FakeBarman answer(String cmd, String sampleFile, int exit) {
        return answerText(cmd, sample(sampleFile), exit);
    }

    public FakeBarman answerText(String cmd, String json, int exit) {
        try {
            Files.writeString(dir.resolve(cmd + ".json"), json);
            Files.writeString(dir.resolve(cmd + ".exit"), Integer.toString(exit));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public FakeBarman sleep(String cmd, int seconds) {
        try {
            Files.writeString(dir.resolve(cmd + ".sleep"), Integer.toString(seconds));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** `barman CMD` waits, once it has logged its call, until {@link #release} (a check that takes as long as wanted). */
    public FakeBarman hold(String cmd) {
        try {
            Files.deleteIfExists(dir.resolve(cmd + ".release"));
            Files.writeString(dir.resolve(cmd + ".hold"), "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public FakeBarman release(String cmd) {
        try {
            Files.writeString(dir.resolve(cmd + ".release"), "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** How many `barman CMD` are inside their hold now (entered and not left). */
    public int holding(String cmd) {
        return lines(cmd + ".entered") - lines(cmd + ".left");
    }

    private int lines(String f) {
        try {
            Path p = dir.resolve(f);
            return Files.exists(p) ? Files.readAllLines(p).size() : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<String> calls() {
        try {
            Path log = dir.resolve("calls.log");
            return Files.exists(log) ? Files.readAllLines(log) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
