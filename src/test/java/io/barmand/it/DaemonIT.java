package io.barmand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.barmand.it.Barmand.Cli;
import io.barmand.it.Barmand.Daemon;
import io.barmand.testing.ItServerLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The packaged daemon against real PostgreSQL 15 and Barman 3.4 (server itpg, throttled to a few MB/s so that a
 * backup lasts several seconds; server itbad whose PostgreSQL is absent).
 */
// the longest IT class: started first, so that the others run beside it (failsafe runs IT classes in parallel)
@Order(1)
@ResourceLock(ItServerLock.ITPG)
@ResourceLock(ItServerLock.CLUSTER)
@ExtendWith({ItServerLock.class, BarmanFixture.class})
class DaemonIT {
    @TempDir
    Path dir;
    Path log;

    @BeforeEach
    void fixture() throws Exception {
        // a test that killed a backup leaves a FAILED one behind: the fixture deletes it and re-checks
        BarmanFixture.ready();
        log = dir.resolve("barmand.log");
    }

    /** A Quartz cron that fires once, at now + {@code seconds} (UTC). */
    static String onceIn(int seconds) {
        ZonedDateTime t = ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(seconds).withNano(0);
        return "%d %d %d %d %d ? %d".formatted(t.getSecond(), t.getMinute(), t.getHour(), t.getDayOfMonth(),
                t.getMonthValue(), t.getYear());
    }

    static Optional<JsonNode> find(List<JsonNode> runs, String job, String trigger, String outcome) {
        return runs.stream().filter(r -> r.path("job").asText().equals(job)
                && (trigger == null || r.path("trigger").asText().equals(trigger))
                && (outcome == null || r.path("outcome").asText().equals(outcome))).findFirst();
    }

    static List<String> barmanBackups() throws Exception {
        Process p = new ProcessBuilder("barman", "-c", BarmanFixture.barmanConf().toString(), "-f", "json", "list-backups", "itpg")
                .redirectErrorStream(false).start();
        JsonNode j = Barmand.JSON.readTree(p.getInputStream());
        p.waitFor();
        return java.util.stream.StreamSupport.stream(j.path("itpg").spliterator(), false)
                .map(b -> b.path("backup_id").asText() + " " + b.path("status").asText()).toList();
    }

    @Test
    void aScheduledBackupIsTakenAndRecorded() throws Exception {
        Path conf = BarmanFixture.barmandConf(dir, "servers { itpg { backup.schedule = \"" + onceIn(15) + "\" } }");
        try (Daemon d = Daemon.start(conf, log)) {
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() ->
                    find(Barmand.history(conf), "backup", "scheduled", null).filter(r -> !r.path("outcome").asText().equals("running")).isPresent());
            JsonNode r = find(Barmand.history(conf), "backup", "scheduled", null).orElseThrow();
            assertThat(r.path("outcome").asText()).as("run %s\n%s", r, d.logText()).isEqualTo("success");
            String id = r.path("backupId").asText();
            assertThat(id).matches("\\d{8}T\\d{6}");
            assertThat(r.path("sizeBytes").asLong()).isGreaterThan(1_000_000L);
            assertThat(r.path("throughputBytesPerSec").asLong()).isPositive();
            assertThat(r.path("durationMs").asLong()).isPositive();
            assertThat(barmanBackups()).contains(id + " DONE");
            assertThat(d.logText()).containsPattern("run \\d+ itpg backup \\(scheduled\\): success in [0-9.]+s, backup " + id);
            Cli status = Barmand.cli("status", "--config", conf.toString());
            assertThat(status.exit()).isZero();
            assertThat(status.out()).contains("itpg: last backup " + id);
        }
    }

    @Test
    void aFailingCheckIsRecordedWithTheNamesOfTheFailedChecks() throws Exception {
        Path conf = BarmanFixture.barmandConf(dir, "servers { itpg {}, itbad { check.schedule = \"0/5 * * * * ?\" } }");
        try (Daemon d = Daemon.start(conf, log)) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() ->
                    find(Barmand.history(conf), "check", "scheduled", "failed").isPresent());
            JsonNode r = find(Barmand.history(conf), "check", "scheduled", "failed").orElseThrow();
            assertThat(r.path("server").asText()).isEqualTo("itbad");
            List<String> failed = java.util.stream.StreamSupport.stream(r.path("failedChecks").spliterator(), false)
                    .map(JsonNode::asText).toList();
            assertThat(failed).contains("postgresql", "wal_archive");
            // the scheduled check runs every 5 s: a run-now that meets it is skipped (75); try again
            Cli[] last = new Cli[1];
            await().atMost(Duration.ofSeconds(120)).until(() -> {
                last[0] = Barmand.cli("run-now", "check", "itbad", "--config", conf.toString());
                return last[0].exit() != 75;
            });
            Cli now = last[0];
            assertThat(now.exit()).as(now.out() + now.err()).isEqualTo(1);
            assertThat(now.out()).contains("failed").contains("postgresql");
            Cli ok = Barmand.cli("run-now", "check", "itpg", "--config", conf.toString());
            assertThat(ok.exit()).as(ok.out() + ok.err()).isZero();
            assertThat(d.logText()).contains("itbad check (scheduled): failed");
        }
    }

    @Test
    void aSecondBackupIsSkippedWhileACheckRunsBesideTheBackup() throws Exception {
        Path conf = BarmanFixture.barmandConf(dir, "servers { itpg {} }");
        try (Daemon d = Daemon.start(conf, log)) {
            Process first = Barmand.startCli(dir.resolve("first.out"), "run-now", "backup", "itpg", "--config", conf.toString());
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                    find(Barmand.history(conf), "backup", "manual", "running").isPresent());
            Cli second = Barmand.cli("run-now", "backup", "itpg", "--config", conf.toString());
            assertThat(second.exit()).as(second.out() + second.err()).isEqualTo(75);
            assertThat(second.out()).contains("skipped").contains("server itpg busy: backup");
            // barman check runs during a backup: barmand neither waits nor skips it
            Cli check = Barmand.cli("run-now", "check", "itpg", "--config", conf.toString());
            assertThat(check.exit()).as(check.out() + check.err()).isZero();
            assertThat(first.waitFor(3, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
            assertThat(first.exitValue()).as(Files.readString(dir.resolve("first.out"))).isZero();
            List<JsonNode> runs = Barmand.history(conf);
            assertThat(runs).filteredOn(r -> r.path("outcome").asText().equals("skipped")).hasSize(1)
                    .allSatisfy(r -> assertThat(r.path("error").asText()).startsWith("server itpg busy: backup"));
            assertThat(runs).filteredOn(r -> r.path("job").asText().equals("check")
                    && r.path("outcome").asText().equals("success")).hasSize(1);
            assertThat(runs).filteredOn(r -> r.path("job").asText().equals("backup")
                    && r.path("outcome").asText().equals("success")).hasSize(1);
        }
    }

    @Test
    void aBackupMissedWhileStoppedIsCaughtUpAfterRestartOnce() throws Exception {
        String cron = onceIn(20);
        Path conf = BarmanFixture.barmandConf(dir, "servers { itpg { backup.schedule = \"" + cron + "\" } }");
        ZonedDateTime fire = ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(20);
        try (Daemon d = Daemon.start(conf, log)) {
            assertThat(d.stop(Duration.ofSeconds(30))).isIn(0, 143);
        }
        // the fire time passes while barmand is stopped
        await().atMost(Duration.ofSeconds(30)).until(() -> ZonedDateTime.now(ZoneOffset.UTC).isAfter(fire.plusSeconds(1)));
        assertThat(find(Barmand.history(conf), "backup", null, null)).isEmpty();
        try (Daemon d = Daemon.start(conf, dir.resolve("barmand-2.log"))) {
            assertThat(d.logText()).contains("1 catch-up(s)");
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() ->
                    find(Barmand.history(conf), "backup", "catch-up", null).filter(r -> !r.path("outcome").asText().equals("running")).isPresent());
            JsonNode r = find(Barmand.history(conf), "backup", "catch-up", null).orElseThrow();
            assertThat(r.path("outcome").asText()).as("%s\n%s", r, d.logText()).isEqualTo("success");
            assertThat(barmanBackups()).contains(r.path("backupId").asText() + " DONE");
            d.stop(Duration.ofSeconds(30));
        }
        // and once only: another restart has nothing to catch up
        try (Daemon d = Daemon.start(conf, dir.resolve("barmand-3.log"))) {
            assertThat(d.logText()).contains("0 catch-up(s)");
        }
        assertThat(Barmand.history(conf)).filteredOn(r -> r.path("job").asText().equals("backup")).hasSize(1);
    }

    @Test
    void sigtermDuringABackupKillsBarmanRecordsInterruptedAndSparesReceiveWal() throws Exception {
        // stop-wait = 0s: the stop interrupts the backup at once (the default waits for it: below)
        Path conf = BarmanFixture.barmandConf(dir, "stop-wait = 0s\nservers { itpg {} }");
        String home = BarmanFixture.BASE.resolve("home/itpg").toString();
        assertThat(Barmand.processes("receive-wal itpg", BarmanFixture.barmanConf().toString())).isNotEmpty();
        Daemon d = Daemon.start(conf, log);
        Process client;
        try {
            client = Barmand.startCli(dir.resolve("client.out"), "run-now", "backup", "itpg", "--config", conf.toString());
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                    !Barmand.processes("pg_basebackup", home).isEmpty());
            long t0 = System.nanoTime();
            int exit = d.stop(Duration.ofSeconds(40));
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(exit).isEqualTo(143);
            assertThat(took).isLessThan(Duration.ofSeconds(40));
            System.out.println("SIGTERM during backup: daemon exited in " + took.toMillis() + " ms");
        } finally {
            d.close();
        }
        assertThat(Barmand.processes("pg_basebackup", home)).isEmpty();
        assertThat(Barmand.processes("backup --wait itpg", BarmanFixture.barmanConf().toString())).isEmpty();
        assertThat(Barmand.processes("receive-wal itpg", BarmanFixture.barmanConf().toString())).as("receive-wal survives").isNotEmpty();
        JsonNode r = find(Barmand.history(conf), "backup", "manual", null).orElseThrow();
        assertThat(r.path("outcome").asText()).isEqualTo("interrupted");
        assertThat(r.path("ended").isNull()).isFalse();
        assertThat(client.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(client.exitValue()).isIn(75, 69);
        assertThat(d.logText()).contains("barmand stopped");
    }

    /**
     * The real daemon process and the real Barman, a backup made to last (barman wrapped by a script that sleeps
     * before `backup`): SIGHUP during the backup takes a new schedule and leaves the backup running; a broken file on
     * SIGHUP is refused with each problem logged; SIGTERM then waits for the backup, which succeeds, and exits 143.
     */
    @Test
    void sighupDuringABackupReschedulesAndSigtermWaitsForTheBackup() throws Exception {
        Path slow = dir.resolve("slow-barman");
        Files.writeString(slow, "#!/bin/sh\ncase \" $* \" in *\" backup \"*) sleep 8 ;; esac\nexec barman \"$@\"\n");
        Files.setPosixFilePermissions(slow, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        String body = "barman.binary = \"" + slow + "\"\nservers { itpg { backup.schedule = \"%s\" } }";
        Path conf = BarmanFixture.barmandConf(dir, body.formatted("0 0 3 * * ?"));
        Daemon d = Daemon.start(conf, log);
        try {
            Process client = Barmand.startCli(dir.resolve("client.out"), "run-now", "backup", "itpg", "--config", conf.toString());
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                    find(Barmand.history(conf), "backup", "manual", "running").isPresent());
            BarmanFixture.barmandConf(dir, body.formatted("30 4 * * *"));
            kill("-HUP", d.process().pid());
            await().atMost(Duration.ofSeconds(30)).until(() -> d.logText().contains("reloaded: "));
            assertThat(d.logText()).contains("itpg backup: daily at 04:30").containsPattern("reloaded: [0-9]+ jobs scheduled, 1 servers, 1 run\\(s\\) in progress");
            assertThat(find(Barmand.history(conf), "backup", "manual", "running")).isPresent();

            BarmanFixture.barmandConf(dir, body.formatted("30 4 * * *") + "\ncolour = red\nhistory.keep = -1d");
            kill("-HUP", d.process().pid());
            await().atMost(Duration.ofSeconds(30)).until(() -> d.logText().contains("reload refused: " + conf + ": barmand.history.keep"));
            assertThat(d.logText()).contains("reload refused: 2 problem(s)").contains("reload refused: " + conf + ": barmand.colour: unknown key");
            BarmanFixture.barmandConf(dir, body.formatted("30 4 * * *"));

            long t0 = System.nanoTime();
            int exit = d.stop(Duration.ofSeconds(120));
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            System.out.println("SIGTERM during a backup with the default stop-wait: exited after " + took.toMillis() + " ms");
            assertThat(exit).isEqualTo(143);
            assertThat(d.logText()).contains("waiting up to PT6H (stop-wait) for backup itpg (run ");
            JsonNode r = find(Barmand.history(conf), "backup", "manual", null).orElseThrow();
            assertThat(r.path("outcome").asText()).as("%s", r).isEqualTo("success");
            assertThat(client.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(client.exitValue()).isZero();
            assertThat(barmanBackups()).contains(r.path("backupId").asText() + " DONE");
        } finally {
            d.close();
        }
    }

    /**
     * Issue 20, 1: `barmand run` by hand beside the running daemon (real processes, real Barman) while a backup runs:
     * it exits 75 naming the daemon's pid, it neither marks the live run nor fires anything (Barman is asked only which
     * servers it knows, as check-config does), and the live run ends success in its record.
     */
    @Test
    void aSecondRunBesideTheDaemonExits75NamingItsPidAndTouchesNothing() throws Exception {
        Path calls = dir.resolve("calls.log");
        Path release = dir.resolve("release");
        Path held = dir.resolve("held-barman");
        Files.writeString(held, ("#!/bin/sh\necho \"$PPID $*\" >> %s\ncase \" $* \" in *\" backup \"*)"
                + " n=0; while [ ! -f %s ] && [ $n -lt 1200 ]; do sleep 0.1; n=$((n+1)); done ;; esac\nexec barman \"$@\"\n")
                .formatted(calls, release));
        Files.setPosixFilePermissions(held, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path conf = BarmanFixture.barmandConf(dir, "barman.binary = \"" + held + "\"\nservers { itpg {} }");
        try (Daemon d = Daemon.start(conf, log)) {
            Process client = Barmand.startCli(dir.resolve("client.out"), "run-now", "backup", "itpg", "--config", conf.toString());
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                    find(Barmand.history(conf), "backup", "manual", "running").isPresent());
            // the run is recorded running a moment before its `barman backup` starts: wait until Barman holds it
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() ->
                    Files.readAllLines(calls).stream().anyMatch(c -> c.contains(" backup ")));
            int before = Files.readAllLines(calls).size();
            Cli second = Barmand.cli("run", "--config", conf.toString());
            assertThat(second.exit()).as(second.out() + second.err()).isEqualTo(75);
            assertThat(second.err()).contains("another barmand (pid " + d.process().pid() + ") is running");
            List<String> byIt = Files.readAllLines(calls).subList(before, Files.readAllLines(calls).size());
            assertThat(byIt).as("barman calls while the second run lived").allMatch(c -> c.contains(" list-servers"));
            List<JsonNode> runs = Barmand.history(conf);
            assertThat(runs).hasSize(1);
            assertThat(runs.get(0).path("outcome").asText()).isEqualTo("running");
            Files.writeString(release, "");
            assertThat(client.waitFor(3, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
            assertThat(client.exitValue()).as(Files.readString(dir.resolve("client.out"))).isZero();
            runs = Barmand.history(conf);
            assertThat(runs).hasSize(1);
            assertThat(runs.get(0).path("outcome").asText()).as("%s", runs.get(0)).isEqualTo("success");
            assertThat(d.process().isAlive()).isTrue();
            assertThat(Barmand.cli("status", "--config", conf.toString()).exit()).isZero();
        } finally {
            // a failure above must not leave the held wrapper to start its `barman backup` under the next test
            ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(held.toString()))
                    .forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** Started with SIGHUP ignored (nohup): the JVM cannot handle it, and barmand says so and how to reload instead. */
    @Test
    void sighupIgnoredByTheParentIsNamedWithTheWayToReload() throws Exception {
        Path conf = BarmanFixture.barmandConf(dir, "servers { itpg {} }");
        Daemon d = Daemon.start(conf, log, "--ignore-signal=HUP");
        try {
            assertThat(d.logText()).contains("SIGHUP is ignored by the process that started barmand (nohup?)")
                    .contains("`barmand reload`");
            assertThat(Barmand.cli("reload", "--config", conf.toString()).exit()).isZero();
            await().atMost(Duration.ofSeconds(30)).until(() -> d.logText().contains("reloaded: "));
        } finally {
            d.close();
        }
    }

    /** The real JVM's signal handling: a second SIGTERM while the stop waits for a backup interrupts it at once. */
    @Test
    void sigtermTwiceCutsTheWaitForABackupShort() throws Exception {
        Path slow = dir.resolve("slow-barman");
        Files.writeString(slow, "#!/bin/sh\ncase \" $* \" in *\" backup \"*) sleep 60 ;; esac\nexec barman \"$@\"\n");
        Files.setPosixFilePermissions(slow, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path conf = BarmanFixture.barmandConf(dir, "barman.binary = \"" + slow + "\"\nservers { itpg {} }");
        Daemon d = Daemon.start(conf, log);
        try {
            Barmand.startCli(dir.resolve("client.out"), "run-now", "backup", "itpg", "--config", conf.toString());
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                    find(Barmand.history(conf), "backup", "manual", "running").isPresent());
            kill("-TERM", d.process().pid());
            await().atMost(Duration.ofSeconds(30)).until(() -> d.logText().contains("waiting up to PT6H (stop-wait) for backup itpg"));
            assertThat(d.process().isAlive()).isTrue();
            long t0 = System.nanoTime();
            int exit = d.stop(Duration.ofSeconds(40)); // the second SIGTERM
            System.out.println("second SIGTERM: exited after " + Duration.ofNanos(System.nanoTime() - t0).toMillis() + " ms");
            assertThat(exit).isEqualTo(143);
            assertThat(d.logText()).contains("still running after a second stop request: interrupting");
        } finally {
            d.close();
        }
        assertThat(find(Barmand.history(conf), "backup", "manual", null).orElseThrow().path("outcome").asText()).isEqualTo("interrupted");
    }

    static void kill(String signal, long pid) throws Exception {
        assertThat(new ProcessBuilder("kill", signal, Long.toString(pid)).inheritIO().start().waitFor()).isZero();
    }

    @Test
    void aBadConfigIsRejectedWithExit78NamingKeyAndFile() throws Exception {
        record Case(String body, String expected) {
        }
        List<Case> cases = List.of(
                new Case("servers { itpg { backup.schedul = \"0 0 1 * * ?\" } }", "barmand.servers.itpg.backup.schedul: unknown key"),
                new Case("servers { itpg { check.schedule = \"0 0 25 * * ?\" } }", "barmand.servers.itpg.check.schedule = \"0 0 25 * * ?\": hour \"25\": 25 is out of range (allowed: 0-23)"),
                new Case("servers { itpg {}, nosuch {} }", "barmand.servers.nosuch: Barman does not know server 'nosuch'"),
                new Case("barman.binary = \"/usr/local/bin/no-barman\"\nservers { itpg {} }", "barmand.barman.binary: /usr/local/bin/no-barman does not exist"));
        for (Case c : cases) {
            Path conf = BarmanFixture.barmandConf(dir, c.body());
            for (String cmd : List.of("check-config", "run")) {
                Cli r = Barmand.cli(cmd, "--config", conf.toString());
                assertThat(r.exit()).as("%s with %s: %s", cmd, c.body(), r.err()).isEqualTo(78);
                assertThat(r.err()).contains(conf + ": " + c.expected());
            }
        }
        assertThat(Files.exists(dir.resolve("state/history.db"))).as("nothing ran").isFalse();
    }
}
