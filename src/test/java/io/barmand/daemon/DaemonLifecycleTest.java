package io.barmand.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.barmand.config.JobKind;
import io.barmand.config.Settings;
import io.barmand.control.Lifecycle;
import io.barmand.history.Outcome;
import io.barmand.history.RunRecord;
import io.barmand.history.Trigger;
import io.barmand.job.RunRequest;
import io.barmand.schedule.BarmandScheduler;
import io.barmand.testing.FakeBarman;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The daemon's life over a fake barman (real services, runner, Quartz and store): a reload while a backup runs, a
 * refused reload, a stop that waits for a backup or cuts it at stop-wait, a restart when idle, and what systemd is told.
 */
class DaemonLifecycleTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    @TempDir
    Path tmp;
    FakeBarman fake;
    Path conf;
    Daemon daemon;
    final Recording sd = new Recording();
    final CompletableFuture<Integer> exited = new CompletableFuture<>();
    final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    /** The messages the daemon would send to systemd. */
    static final class Recording extends SystemdNotify {
        final List<String> sent = new CopyOnWriteArrayList<>();

        Recording() {
            super(Optional.empty());
        }

        @Override
        synchronized void send(String message) {
            sent.add(message);
            super.send(message);
        }

        boolean saw(String part) {
            return sent.stream().anyMatch(m -> m.contains(part));
        }
    }

    @BeforeEach
    void setUp() {
        fake = new FakeBarman(tmp.resolve("bin")).answer("list-servers", "list-servers.json", 0)
                .answer("switch-wal", "switch-wal.json", 0).answer("backup", "backup.json", 0)
                .answer("show-backup", "show-backup.json", 0).answer("check", "check-ok.json", 0);
        conf = tmp.resolve("barmand.conf");
        logs.start();
        ((Logger) LoggerFactory.getLogger(Daemon.class)).addAppender(logs);
    }

    @AfterEach
    void tearDown() {
        fake.release("backup");
        if (daemon != null) {
            daemon.stop();
        }
        ((Logger) LoggerFactory.getLogger(Daemon.class)).detachAppender(logs);
    }

    void write(String backupSchedule, String stopWait, String more) throws Exception {
        Files.writeString(conf, """
                barmand {
                  barman.binary = "%s"
                  state-dir = "%s"
                  control-socket = "%s"
                  stop-wait = %s
                  scheduler.max-heavy-runs = 1
                  metrics.listen = ""
                  defaults { check.schedule = off, switch-wal.schedule = off, verify.schedule = off, backup.retry.max = 0 }
                  history.prune.schedule = off
                  report.schedule = off
                  servers { itpg { backup.schedule = "%s" }, itbad { backup.schedule = off } }
                  %s
                }
                """.formatted(fake.script(), tmp.resolve("state"), tmp.resolve("c.sock"), stopWait, backupSchedule, more));
    }

    void start() {
        daemon = new Daemon(Settings.load(conf, null), Clock.systemUTC(), () -> Settings.load(conf, null), sd, exited::complete);
        daemon.start();
    }

    CompletableFuture<RunRecord> backup(String server) {
        return daemon.runner().submit(RunRequest.of(JobKind.BACKUP, server, Trigger.MANUAL));
    }

    Optional<Instant> nextBackup() {
        return daemon.scheduler().nextFires().stream().filter(e -> e.getKey().equals(BarmandScheduler.key("itpg", JobKind.BACKUP)))
                .map(Map.Entry::getValue).findFirst();
    }

    List<String> errors() {
        return logs.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR)
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void aReloadTakesTheNewScheduleWhileTheRunningBackupGoesOnAndABadFileIsRefusedWithEveryProblem() throws Exception {
        write("0 0 3 * * ?", "1h", "");
        start();
        assertThat(sd.sent.get(0)).startsWith("READY=1\nSTATUS=idle; next: backup itpg at ");
        assertThat(nextBackup().orElseThrow().toString()).endsWith("T03:00:00Z");
        fake.hold("backup");
        CompletableFuture<RunRecord> running = backup("itpg");
        await().atMost(WAIT).until(() -> fake.holding("backup") == 1);
        await().atMost(WAIT).until(() -> sd.saw("STATUS=backup itpg running since "));

        write("30 4 * * *", "1h", "");
        Lifecycle.Reload r = daemon.reload("the test");
        assertThat(r.reloaded()).isTrue();
        assertThat(r.jobs()).isEqualTo(1);
        assertThat(r.problems()).isEmpty();
        assertThat(nextBackup().orElseThrow().toString()).endsWith("T04:30:00Z");
        assertThat(daemon.settings().servers().get("itpg").job(JobKind.BACKUP).scheduleText()).isEqualTo("30 4 * * *");
        assertThat(sd.saw("RELOADING=1\nMONOTONIC_USEC=")).isTrue();
        assertThat(sd.sent.get(sd.sent.size() - 1)).startsWith("READY=1\nSTATUS=backup itpg running since ")
                .contains("; next: backup itpg at ").contains("T04:30:00Z");
        assertThat(logs.list).anyMatch(e -> e.getFormattedMessage().startsWith("reloaded: 1 jobs scheduled, 2 servers, 1 run(s)"));
        assertThat(running).isNotDone();

        // two problems: both refused, both logged; the settings in force stay
        write("0 15 5 * * ?", "1h", "colour = red\n  scheduler.max-light-runs = 0");
        r = daemon.reload("the test");
        assertThat(r.reloaded()).isFalse();
        assertThat(r.problems()).hasSize(2);
        assertThat(r.problems()).anyMatch(p -> p.contains("barmand.colour: unknown key"))
                .anyMatch(p -> p.contains("barmand.scheduler.max-light-runs: must be between 1 and 256, is 0"));
        assertThat(errors()).contains("reload refused: " + r.problems().get(0), "reload refused: " + r.problems().get(1));
        assertThat(nextBackup().orElseThrow().toString()).endsWith("T04:30:00Z");
        assertThat(daemon.settings().servers().get("itpg").job(JobKind.BACKUP).scheduleText()).isEqualTo("30 4 * * *");
        assertThat(sd.sent.get(sd.sent.size() - 1)).startsWith("READY=1\n");

        fake.release("backup");
        RunRecord done = running.get(20, TimeUnit.SECONDS);
        assertThat(done.outcome()).isEqualTo(Outcome.SUCCESS);
        await().atMost(WAIT).until(() -> sd.saw("STATUS=idle; next: backup itpg at "));
    }

    /**
     * Issue 22: run-now of a job that is off for the server, through the daemon's control socket (a CLI whose file
     * differs from the daemon's, or a client of its own): refused with 64 naming the key, nothing recorded.
     */
    @Test
    void aRunNowOfAJobThatIsOffIsRefusedThroughTheSocketWithNothingRecorded() throws Exception {
        write("off", "1h", "");
        start();
        var req = io.barmand.history.RunJson.MAPPER.createObjectNode().put("op", "run-now").put("job", "offsite")
                .put("server", "itpg");
        var resp = io.barmand.control.ControlClient.request(tmp.resolve("c.sock"), req, Duration.ofSeconds(20));
        assertThat(resp.path("ok").asBoolean()).isFalse();
        assertThat(resp.path("exitCode").asInt()).isEqualTo(64);
        assertThat(resp.path("error").asText()).isEqualTo("job 'offsite' is off for server 'itpg': "
                + "barmand.servers.itpg.offsite.enabled = true turns it on (with the bucket; reference.conf, block offsite)");
        try (io.barmand.history.RunStore ro = io.barmand.history.RunStore.open(tmp.resolve("state"), false)) {
            assertThat(ro.list("itpg", "offsite", 10)).isEmpty();
        }
    }

    /**
     * Issue 22: the package's file names no server. The daemon starts (no failed unit), schedules nothing, not even the
     * jobs of the host, and says what to configure; a reload that names a server schedules its jobs and the host's.
     */
    @Test
    void withNoServerTheDaemonIdlesSayingWhatToConfigureAndAReloadNamingOneSchedulesItsJobs() throws Exception {
        String head = """
                barmand {
                  barman.binary = "%s"
                  state-dir = "%s"
                  control-socket = "%s"
                  metrics.listen = ""
                """.formatted(fake.script(), tmp.resolve("state"), tmp.resolve("c.sock"));
        Files.writeString(conf, head + "}\n");
        start();
        assertThat(daemon.scheduler().nextFires()).isEmpty();
        assertThat(sd.sent.get(0)).isEqualTo("READY=1\nSTATUS=idle");
        assertThat(logs.list).anyMatch(e -> e.getFormattedMessage().startsWith("barmand ready: 0 servers, 0 jobs scheduled"));
        assertThat(logs.list).anyMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN && e.getFormattedMessage()
                .startsWith("barmand.servers: no server configured: barmand schedules no job (the report's included) until "
                        + "a block names a Barman server, e.g. " + tmp.resolve("conf.d/pg1.conf") + " holding barmand.servers.pg1 {}"));

        Files.writeString(conf, head + "  servers { itpg {} }\n}\n");
        Lifecycle.Reload r = daemon.reload("the test");
        assertThat(r.reloaded()).isTrue();
        // check, switch-wal and backup of itpg, prune-history and the report
        assertThat(daemon.scheduler().nextFires()).extracting(e -> e.getKey().getName())
                .contains("check", "switch-wal", "backup", "prune-history", "report");
    }

    /**
     * Issue 20, 1: a second daemon on the same state-dir while a backup runs is refused (75, naming the pid) before it
     * opens the history: the running backup is not marked interrupted, it ends success, and nothing else is fired.
     */
    @Test
    void aSecondDaemonOnTheSameStateDirIsRefusedBeforeTouchingTheHistory() throws Exception {
        write("0 0 3 * * ?", "1h", "");
        start();
        fake.hold("backup");
        CompletableFuture<RunRecord> running = backup("itpg");
        await().atMost(WAIT).until(() -> fake.holding("backup") == 1);
        int callsBefore = fake.calls().size();
        Daemon second = new Daemon(Settings.load(conf, null), Clock.systemUTC(), () -> Settings.load(conf, null),
                new Recording(), x -> { });
        assertThatThrownBy(second::start).isInstanceOf(io.barmand.error.BarmandException.class)
                .hasMessageContaining("another barmand (pid " + ProcessHandle.current().pid() + ") is running")
                .satisfies(e -> assertThat(((io.barmand.error.BarmandException) e).exitCode()).isEqualTo(75));
        second.stop(); // as the shutdown hook does: it must release nothing of the first
        try (io.barmand.history.RunStore ro = io.barmand.history.RunStore.open(tmp.resolve("state"), false)) {
            assertThat(ro.list(null, null, 10)).singleElement().satisfies(r -> assertThat(r.outcome()).isEqualTo(Outcome.RUNNING));
        }
        assertThatThrownBy(() -> InstanceLock.acquire(tmp.resolve("state"))).hasMessageContaining("another barmand");
        fake.release("backup");
        assertThat(running.get(20, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.SUCCESS);
        try (io.barmand.history.RunStore ro = io.barmand.history.RunStore.open(tmp.resolve("state"), false)) {
            assertThat(ro.list(null, null, 10)).singleElement().satisfies(r -> assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS));
        }
        assertThat(fake.calls().subList(callsBefore, fake.calls().size())).noneMatch(c -> c.startsWith("check")
                || c.startsWith("switch-wal") || c.startsWith("backup"));
    }

    int cli(java.io.StringWriter out, java.io.StringWriter err, String... args) {
        picocli.CommandLine cl = io.barmand.cli.Main.commandLine();
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void barmandReloadAsksThroughTheControlSocketAndPrintsEveryProblemOfARefusal() throws Exception {
        write("0 0 3 * * ?", "1h", "");
        start();
        write("0 0 4 * * ?", "1h", "");
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        assertThat(cli(out, err, "--config", conf.toString(), "reload")).isZero();
        assertThat(out.toString()).isEqualTo("reloaded: 1 jobs scheduled\n");
        assertThat(nextBackup().orElseThrow().toString()).endsWith("T04:00:00Z");
        // a broken file: the CLI finds the socket in last-good.conf, the daemon refuses, every problem printed
        write("0 0 5 * * ?", "1h", "colour = red\n  history.keep = -1d");
        out.getBuffer().setLength(0);
        assertThat(cli(out, err, "--config", conf.toString(), "reload")).isEqualTo(78);
        assertThat(err.toString()).startsWith("barmand: reload refused, the settings in force stay:\n")
                .contains("barmand.colour: unknown key").contains("barmand.history.keep");
        assertThat(err.toString().lines().count()).isEqualTo(3);
        assertThat(nextBackup().orElseThrow().toString()).endsWith("T04:00:00Z");
        // restart-when-idle with nothing long running: idle, exit 0, nothing done
        write("0 0 4 * * ?", "1h", "");
        out.getBuffer().setLength(0);
        assertThat(cli(out, err, "--config", conf.toString(), "restart-when-idle")).isZero();
        assertThat(out.toString()).isEqualTo("idle\n");
        assertThat(exited).isNotDone();
    }

    @Test
    void aReloadThatChangesWhatOnlyAStartReadsSaysSo() throws Exception {
        write("0 0 3 * * ?", "1h", "");
        start();
        write("0 0 3 * * ?", "1h", "scheduler.threads = 2\n  control-socket = \"" + tmp.resolve("other.sock") + "\"");
        Lifecycle.Reload r = daemon.reload("the test");
        assertThat(r.reloaded()).isTrue();
        assertThat(r.needRestart()).containsExactly(
                "barmand.control-socket changed from " + tmp.resolve("c.sock") + " to " + tmp.resolve("other.sock") + ", still "
                        + tmp.resolve("c.sock"),
                "barmand.scheduler.threads changed from 4 to 2, still 4");
        assertThat(Files.exists(tmp.resolve("c.sock"))).isTrue();
    }

    @Test
    void aStopWaitsForTheRunningBackupAndRecordsTheQueuedOneSkipped() throws Exception {
        write("0 0 3 * * ?", "1h", "");
        start();
        fake.hold("backup");
        CompletableFuture<RunRecord> running = backup("itpg");
        await().atMost(WAIT).until(() -> fake.holding("backup") == 1);
        CompletableFuture<RunRecord> queued = backup("itbad"); // max-heavy-runs = 1: it waits for a slot
        assertThat(daemon.runner().queuedCount()).isEqualTo(1);

        CompletableFuture<Void> stop = CompletableFuture.runAsync(daemon::stop);
        RunRecord skipped = queued.get(20, TimeUnit.SECONDS);
        assertThat(skipped.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(skipped.error()).startsWith("daemon stopping: queued since ").endsWith(", never started");
        await().atMost(WAIT).until(() -> sd.saw("EXTEND_TIMEOUT_USEC=60000000"));
        assertThat(sd.saw("STOPPING=1\nSTATUS=stopping: waiting for backup itpg (run ")).isTrue();
        assertThat(logs.list).anyMatch(e -> e.getFormattedMessage().startsWith(
                "barmand stopping: no new runs; waiting up to PT1H (stop-wait) for backup itpg (run "));
        // still waiting, the backup untouched; a new run is refused and recorded
        assertThat(stop).isNotDone();
        assertThat(fake.holding("backup")).isEqualTo(1);
        assertThat(backup("itbad").get(5, TimeUnit.SECONDS).error()).isEqualTo("daemon stopping");

        fake.release("backup");
        stop.get(20, TimeUnit.SECONDS);
        assertThat(running.get(1, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.SUCCESS);
    }

    @Test
    void aStopInterruptsTheBackupAtStopWait() throws Exception {
        write("0 0 3 * * ?", "1s", "");
        start();
        fake.hold("backup");
        CompletableFuture<RunRecord> running = backup("itpg");
        await().atMost(WAIT).until(() -> fake.holding("backup") == 1);
        long t0 = System.nanoTime();
        daemon.stop();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        RunRecord r = running.get(20, TimeUnit.SECONDS);
        assertThat(r.outcome()).isEqualTo(Outcome.INTERRUPTED);
        assertThat(errors()).anyMatch(m -> m.matches("barmand stopping: backup itpg \\(run \\d+, since .*\\) still running after "
                + "stop-wait = PT1S: interrupting"));
    }

    @Test
    void aSecondStopRequestCutsTheWaitShort() throws Exception {
        write("0 0 3 * * ?", "6h", "");
        start();
        fake.hold("backup");
        CompletableFuture<RunRecord> running = backup("itpg");
        await().atMost(WAIT).until(() -> fake.holding("backup") == 1);
        CompletableFuture<Void> stop = CompletableFuture.runAsync(daemon::stop);
        await().atMost(WAIT).until(() -> sd.saw("STOPPING=1"));
        daemon.cutShort();
        stop.get(20, TimeUnit.SECONDS);
        assertThat(running.get(1, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.INTERRUPTED);
    }

    @Test
    void aRestartWhenIdleWaitsForTheBackupHoldsNewOnesAndExits75() throws Exception {
        write("0 0 3 * * ?", "1h", "");
        start();
        assertThat(daemon.restartWhenIdle("the test")).isEmpty();
        assertThat(exited).isNotDone();
        fake.hold("backup");
        CompletableFuture<RunRecord> running = backup("itpg");
        await().atMost(WAIT).until(() -> fake.holding("backup") == 1);
        List<String> waits = daemon.restartWhenIdle("the upgrade");
        assertThat(waits).singleElement().asString().matches("backup itpg \\(run \\d+, since .*\\)");
        CompletableFuture<RunRecord> held = backup("itbad");
        // a check still runs; the new backup waits
        assertThat(daemon.runner().run(JobKind.CHECK, "itpg", Trigger.MANUAL).outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(held).isNotDone();
        fake.release("backup");
        assertThat(exited.get(20, TimeUnit.SECONDS)).isEqualTo(Lifecycle.EXIT_RESTART);
        assertThat(running.get(1, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(held).isNotDone();
        daemon.stop(); // what System.exit's shutdown hook does
        RunRecord h = held.get(5, TimeUnit.SECONDS);
        assertThat(h.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(h.error()).startsWith("daemon restarting: queued since ");
    }
}
