package io.barmand.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandRunnerTest {
    final CommandRunner runner = new CommandRunner(Clock.systemUTC(), Duration.ofSeconds(2));
    @TempDir
    Path tmp;

    @Test
    void capturesStdoutStderrAndExitCode() {
        CommandResult r = runner.run(List.of("sh", "-c", "echo out; echo err >&2; exit 3"), Duration.ofSeconds(10));
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stdout()).isEqualTo("out\n");
        assertThat(r.stderrTail()).isEqualTo("err\n");
        assertThat(r.ok()).isFalse();
        assertThat(r.timedOut()).isFalse();
    }

    @Test
    void drainsLargeOutputOnBothStreamsWithoutDeadlock() {
        // 4 MiB on each stream: far beyond a pipe buffer
        CommandResult r = runner.run(List.of("sh", "-c",
                "head -c 4194304 /dev/zero | tr '\\0' a; head -c 4194304 /dev/zero | tr '\\0' b >&2"), Duration.ofSeconds(30));
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).hasSize(4 * 1024 * 1024);
        assertThat(r.stderrTail()).hasSize(CommandRunner.TAIL).matches("b+");
    }

    @Test
    void timeoutKillsTheWholeTreeDescendantsFirst() throws Exception {
        Path pids = tmp.resolve("pids");
        // a child and a grandchild that would outlive a kill of the direct child only
        String script = "sh -c 'sleep 300 & echo $! >> " + pids + "; wait' & echo $! >> " + pids + "; sleep 300 & echo $! >> "
                + pids + "; wait";
        long t0 = System.nanoTime();
        CommandResult r = runner.run(List.of("sh", "-c", script), Duration.ofMillis(700));
        assertThat(r.timedOut()).isTrue();
        assertThat(r.ok()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(8));
        List<Long> spawned = Files.readAllLines(pids).stream().map(Long::parseLong).toList();
        assertThat(spawned).hasSize(3);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(spawned).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                        .as("pid %d alive", pid).isFalse()));
    }

    @Test
    void sigtermIgnoredMeansSigkillAfterTheGrace() {
        CommandRunner quick = new CommandRunner(Clock.systemUTC(), Duration.ofMillis(500));
        long t0 = System.nanoTime();
        CommandResult r = quick.run(List.of("sh", "-c", "trap '' TERM; sleep 300 & wait; sleep 300"), Duration.ofMillis(300));
        assertThat(r.timedOut()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(8));
    }

    @Test
    void interruptKillsAndSaysInterrupted() throws Exception {
        AtomicReference<Thread> worker = new AtomicReference<>();
        AtomicReference<Boolean> flagAfter = new AtomicReference<>();
        CompletableFuture<CommandResult> f = CompletableFuture.supplyAsync(() -> {
            worker.set(Thread.currentThread());
            CommandResult r = runner.run(List.of("sleep", "300"), Duration.ofMinutes(5));
            flagAfter.set(Thread.interrupted());
            return r;
        });
        await().until(() -> worker.get() != null);
        Thread.sleep(300);
        worker.get().interrupt();
        CommandResult r = f.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(r.interrupted()).isTrue();
        assertThat(r.timedOut()).isFalse();
        assertThat(flagAfter.get()).as("interrupt flag restored").isTrue();
    }

    @Test
    void neverKillsBarmanCronOrReceiveWal() {
        assertThat(CommandRunner.isProtectedArgv(List.of("/usr/bin/python3", "/usr/bin/barman", "-c", "/etc/barman.conf", "-q", "cron"))).isTrue();
        assertThat(CommandRunner.isProtectedArgv(List.of("/usr/bin/python3", "/usr/bin/barman", "-q", "receive-wal", "pg1"))).isTrue();
        assertThat(CommandRunner.isProtectedArgv(List.of("/usr/bin/barman", "--config=/etc/barman.conf", "receive-wal", "pg1"))).isTrue();
        assertThat(CommandRunner.isProtectedArgv(List.of("/opt/venv/bin/python3.11", "-u", "/opt/venv/bin/barman", "cron"))).isTrue();
        assertThat(CommandRunner.isProtectedArgv(List.of("python3", "-m", "barman.cli", "receive-wal", "pg1"))).isTrue();
        assertThat(CommandRunner.isProtectedArgv(List.of("/usr/lib/postgresql/15/bin/pg_receivewal", "--slot=barman"))).isTrue();
        assertThat(CommandRunner.isProtectedArgv(List.of("/usr/bin/python3", "/usr/bin/barman", "-f", "json", "backup", "--wait", "pg1"))).isFalse();
        assertThat(CommandRunner.isProtectedArgv(List.of("/usr/lib/postgresql/15/bin/pg_basebackup", "--pgdata=/x"))).isFalse();
        assertThat(CommandRunner.isProtectedArgv(List.of("/usr/bin/barman", "-f", "json", "check", "cronserver"))).isFalse();
    }

    @Test
    void aServerNamedCronOrReceiveWalIsNoProtectedCommand() {
        // the old substring test took these for barman cron / receive-wal: their hung commands were never killed
        assertThat(CommandRunner.isProtectedArgv(List.of("/usr/bin/python3", "/usr/bin/barman", "-c", "/etc/barman.conf", "-f", "json",
                "check", "--", "cron"))).isFalse();
        assertThat(CommandRunner.isProtectedArgv(List.of("/usr/bin/barman", "-f", "json", "backup", "--wait", "cron"))).isFalse();
        assertThat(CommandRunner.isProtectedArgv(List.of("/usr/bin/barman", "-f", "json", "status", "receive-wal"))).isFalse();
        // -c's value is the config file, not the subcommand
        assertThat(CommandRunner.isProtectedArgv(List.of("/usr/bin/barman", "-c", "cron", "check", "pg1"))).isFalse();
        assertThat(CommandRunner.isProtectedArgv(List.of("/usr/bin/python3", "/srv/cron/receive-wal.py"))).isFalse();
        assertThat(CommandRunner.isProtectedArgv(List.of("sh", "-c", "barman cron"))).isFalse();
    }

    @Test
    void aHungCommandOfAServerNamedCronIsKilled() throws Exception {
        Path pids = tmp.resolve("pids");
        // `barman -c ... check -- cron` (the fake runs as `/bin/sh .../barman -c ... check -- cron`) hangs
        Path hung = Files.createDirectories(tmp.resolve("bin")).resolve("barman");
        Files.writeString(hung, "#!/bin/sh\necho $$ > " + pids + "\nsleep 300\n");
        hung.toFile().setExecutable(true);
        long t0 = System.nanoTime();
        CommandResult r = runner.run(List.of(hung.toString(), "-c", "/etc/barman.conf", "-f", "json", "check", "--", "cron"),
                Duration.ofMillis(700));
        assertThat(r.timedOut()).isTrue();
        long pid = Long.parseLong(Files.readString(pids).trim());
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("barman check -- cron alive").isFalse());
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(8));
    }

    @Test
    void protectedDescendantSurvivesATreeKill() throws Exception {
        Path pids = tmp.resolve("pids");
        // a barman script whose argv says receive-wal, like `python3 /usr/bin/barman ... receive-wal pg1`
        Path dir = Files.createDirectories(tmp.resolve("bin"));
        Path rw = dir.resolve("barman");
        Files.writeString(rw, "#!/bin/sh\nsleep 300\n");
        rw.toFile().setExecutable(true);
        String script = "sh " + rw + " -q receive-wal pg1 >/dev/null 2>&1 & echo $! > " + pids + "; sleep 300";
        CommandResult r = runner.run(List.of("bash", "-c", script), Duration.ofMillis(800));
        assertThat(r.timedOut()).isTrue();
        long pid = Long.parseLong(Files.readString(pids).trim());
        ProcessHandle ph = ProcessHandle.of(pid).orElseThrow();
        try {
            assertThat(ph.isAlive()).isTrue();
        } finally {
            ph.descendants().forEach(ProcessHandle::destroyForcibly);
            ph.destroyForcibly();
        }
    }

    @Test
    void missingExecutable() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> runner.run(List.of(tmp.resolve("none").toString()), Duration.ofSeconds(1)))
                .isInstanceOf(io.barmand.error.BarmandException.class).hasMessageContaining("cannot start");
    }
}
