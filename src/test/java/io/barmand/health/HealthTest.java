package io.barmand.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.barmand.config.JobKind;
import io.barmand.config.Settings;
import io.barmand.history.Facts;
import io.barmand.history.Outcome;
import io.barmand.history.RunFigures;
import io.barmand.history.RunStore;
import io.barmand.history.Trigger;
import io.barmand.testing.FakeBarman;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthTest {
    @TempDir
    Path tmp;
    RunStore store;
    final Instant day0 = Instant.parse("2026-11-20T00:00:00Z");
    final Map<String, Instant> wal = new HashMap<>();

    @BeforeEach
    void open() {
        store = RunStore.open(tmp.resolve("state"), true);
    }

    Settings settings(String servers, String more) throws IOException {
        FakeBarman barman = new FakeBarman(tmp.resolve("bin"));
        Path f = tmp.resolve("barmand.conf");
        Files.writeString(f, "barmand {\n  barman.binary = \"" + barman.script() + "\"\n  state-dir = \"" + tmp
                + "/state\"\n  control-socket = \"" + tmp + "/c.sock\"\n  history.prune.schedule = off\n"
                + "  report.schedule = off\n  defaults { check.schedule = off, switch-wal.schedule = off, verify.schedule = off }\n" + more
                + "\n  servers { " + servers + " }\n}\n");
        return Settings.load(f, (bin, cf, t) -> Set.of("pg1", "pg2", "pg3"));
    }

    Health health(Settings s) {
        return new Health(s, store, server -> Optional.ofNullable(wal.get(server)));
    }

    long backup(String server, Instant requested, Outcome outcome, String error) {
        long id = store.start(server, "backup", Trigger.SCHEDULED, requested);
        store.finish(id, outcome, requested.plusSeconds(60), 60_000, outcome == Outcome.SUCCESS
                ? new RunFigures("B" + id, 1_000_000L, 16_666L, List.of(), null, null, Facts.builder().seconds("copy", 58.0).build())
                : RunFigures.error(error));
        return id;
    }

    long restoreTest(String server, Instant requested, Outcome outcome) {
        long id = store.start(server, "restore-test", Trigger.SCHEDULED, requested);
        store.finish(id, outcome, requested.plusSeconds(40), 40_000, outcome == Outcome.SUCCESS
                ? new RunFigures("B1", null, null, List.of(), null, null, Facts.builder().seconds("rto", 41.0).text("source", "barman").build())
                : RunFigures.error("restore test failed: the canary row is missing"));
        return id;
    }

    /** The three verdicts from Barman's files (its newest DONE backup, WAL, chain) and the history's restore tests. */
    @Test
    void eachServerGetsItsVerdictFromBarmansFilesAndItsRestoreTests() throws IOException {
        Settings s = settings("pg1 {}, pg2 {}, pg3 {}", "");
        store.recordDaemonStart(day0, "test");
        Instant now = day0.plus(Duration.ofHours(8));
        restoreTest("pg1", now.minus(Duration.ofHours(3)), Outcome.SUCCESS);
        restoreTest("pg2", now.minus(Duration.ofHours(5)), Outcome.SUCCESS);
        long failed = restoreTest("pg2", now.minus(Duration.ofHours(2)), Outcome.FAILED);
        io.barmand.barman.RestorePoint.DoneBackup b = new io.barmand.barman.RestorePoint.DoneBackup("20261120T020000",
                day0.plus(Duration.ofHours(2)), "000000010000000000000003");
        Optional<io.barmand.barman.RestorePoint.Wal> w = Optional.of(new io.barmand.barman.RestorePoint.Wal(
                "000000010000000000000009", now.minusSeconds(120)));
        Map<String, io.barmand.barman.RestorePoint> points = Map.of(
                "pg1", new io.barmand.barman.RestorePoint(true, Optional.of(b), w, Optional.empty()),
                "pg2", new io.barmand.barman.RestorePoint(true, Optional.of(b), w, Optional.empty()),
                "pg3", new io.barmand.barman.RestorePoint(true, Optional.of(b), w, Optional.of("000000010000000000000005")));
        HealthReport h = new Health(s, store, x -> Optional.empty(), points::get).evaluate(now, Duration.ofHours(24));
        assertThat(h.servers()).extracting(x -> x.restorability().verdict()).containsExactly(
                io.barmand.vocabulary.Restorable.RESTORABLE, io.barmand.vocabulary.Restorable.AT_RISK,
                io.barmand.vocabulary.Restorable.NOT_RESTORABLE);
        Restorability pg1 = h.servers().get(0).restorability();
        assertThat(pg1.restorableTo()).contains(now.minusSeconds(120));
        assertThat(pg1.rpo()).contains(Duration.ofSeconds(120));
        assertThat(pg1.proof()).map(Restorability.Proof::rtoSeconds).contains(Optional.of(41.0));
        assertThat(h.servers().get(1).restorability().why()).isEqualTo("last restore test failed (run " + failed + ", 119m ago)");
        // pg2's proof is still its older passed test
        assertThat(h.servers().get(1).restorability().proof()).map(Restorability.Proof::ended)
                .contains(now.minus(Duration.ofHours(5)).plusSeconds(40));
        assertThat(h.servers().get(2).restorability().restorableTo()).contains(b.ended());
        assertThat(h.verdict()).startsWith("NOT restorable: pg3; at risk: pg2");
        assertThat(h.severity()).isEqualTo(Severity.CRITICAL);
    }

    /** Issue 20, 2: a history that takes no writes is one CRITICAL problem of the host, mailed once, until it does. */
    @Test
    void aHistoryThatTakesNoWritesIsACriticalProblemOfTheHostUntilItDoes() throws Exception {
        Settings s = settings("pg1 { backup.schedule = \"0 0 2 * * ?\" }", "");
        store.recordDaemonStart(day0, "test");
        io.barmand.history.StoreFaults.full(store);
        for (int n = 0; store.trouble().isEmpty() && n < 500; n++) {
            backup("pg1", day0.plusSeconds(n), Outcome.SUCCESS, null);
        }
        HealthReport h = health(s).evaluate(day0.plus(Duration.ofHours(1)), Duration.ofHours(48));
        assertThat(h.problems()).filteredOn(p -> p.key().equals("history-store")).singleElement().satisfies(p -> {
            assertThat(p.server()).isEmpty();
            assertThat(p.severity()).isEqualTo(Severity.CRITICAL);
            assertThat(p.alert()).isTrue();
            assertThat(p.text()).startsWith("history store: SQLITE_FULL since ").contains("kept in memory");
        });
        io.barmand.history.StoreFaults.roomAgain(store);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> store.trouble().isEmpty());
        assertThat(health(s).evaluate(day0.plus(Duration.ofHours(1)), Duration.ofHours(48)).problems())
                .noneMatch(p -> p.key().equals("history-store"));
    }

    @Test
    void aFireTimeWithNoRunIsMissedAndACriticalProblemUntilTheJobSucceedsAgain() throws IOException {
        Settings s = settings("pg1 { backup.schedule = \"0 0 2 * * ?\" }", "");
        store.recordDaemonStart(day0, "test");
        backup("pg1", day0.plus(Duration.ofHours(2)).plusSeconds(1), Outcome.SUCCESS, null);
        // day 1 02:00 passed with no run (barmand was down)
        Instant now = day0.plus(Duration.ofDays(1)).plus(Duration.ofHours(10));
        HealthReport h = health(s).evaluate(now, Duration.ofHours(48));
        assertThat(h.missed()).containsExactly(new Missed("pg1", JobKind.BACKUP, day0.plus(Duration.ofDays(1)).plus(Duration.ofHours(2))));
        // the newest backup is 32h old as well: two problems
        assertThat(h.problems()).extracting(Problem::id).containsExactly("pg1 backup-age", "pg1 missed-backup");
        Problem p = h.problems().get(1);
        assertThat(p.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(p.alert()).isTrue();
        assertThat(p.text()).contains("the run due at 2026-11-21T02:00:00Z did not happen");
        // never restore-tested, and its backup old: at risk, before the problems
        assertThat(h.verdict()).isEqualTo("at risk: pg1; FAILED: pg1 backup age, pg1 backup missed");
        // a catch-up run that succeeds ends the problem; the missed fire time stays in the window's list
        backup("pg1", now.plusSeconds(10), Outcome.SUCCESS, null);
        HealthReport after = health(s).evaluate(now.plusSeconds(200), Duration.ofHours(48));
        assertThat(after.missed()).hasSize(1);
        assertThat(after.problems()).isEmpty();
        assertThat(after.verdict()).isEqualTo("at risk: pg1");
        assertThat(after.problemSeverity()).isEqualTo(Severity.OK);
        assertThat(after.severity()).isEqualTo(Severity.WARNING);
    }

    @Test
    void fireTimesBeforeBarmandFirstStartedAreNotMissed() throws IOException {
        Settings s = settings("pg1 { backup.schedule = \"0 0 2 * * ?\" }", "");
        store.recordDaemonStart(day0.plus(Duration.ofDays(2)), "test");
        HealthReport h = health(s).evaluate(day0.plus(Duration.ofDays(2)).plus(Duration.ofHours(1)), Duration.ofDays(7));
        assertThat(h.missed()).isEmpty();
        assertThat(h.problemSeverity()).isEqualTo(Severity.OK);
        // no backup at all: not restorable, whatever the schedules say
        assertThat(h.servers(io.barmand.vocabulary.Restorable.NOT_RESTORABLE)).containsExactly("pg1");
        assertThat(h.severity()).isEqualTo(Severity.CRITICAL);
    }

    @Test
    void aRunWithinTheMisfireToleranceCountsAndOneLaterDoesNot() throws IOException {
        Settings s = settings("pg1 { backup.schedule = \"0 0 2 * * ?\" }", "");
        store.recordDaemonStart(day0, "test");
        Instant fire = day0.plus(Duration.ofHours(2));
        // misfire-threshold 60s + 2 min: a run asked 170 s late is the fire time's run
        backup("pg1", fire.plusSeconds(170), Outcome.SUCCESS, null);
        Instant fire2 = fire.plus(Duration.ofDays(1));
        backup("pg1", fire2.plusSeconds(190), Outcome.SUCCESS, null);
        HealthReport h = health(s).evaluate(fire2.plus(Duration.ofHours(1)), Duration.ofDays(3));
        assertThat(h.missed()).extracting(Missed::fireTime).containsExactly(fire2);
        // it succeeded after the missed fire time: no problem left
        assertThat(h.problems()).isEmpty();
    }

    @Test
    void aFailedBackupIsCriticalAndNamesItsErrorUntilALaterOneSucceeds() throws IOException {
        Settings s = settings("pg1 {}, pg2 {}", "");
        store.recordDaemonStart(day0, "test");
        long id = backup("pg1", day0.plusSeconds(100), Outcome.FAILED, "barman backup exited 1: ERROR: connection refused");
        backup("pg2", day0.plusSeconds(100), Outcome.SUCCESS, null);
        HealthReport h = health(s).evaluate(day0.plusSeconds(3600), Duration.ofHours(24));
        assertThat(h.problems()).singleElement().satisfies(p -> {
            assertThat(p.id()).isEqualTo("pg1 backup");
            assertThat(p.text()).isEqualTo("backup failed (run " + id + ", 2026-11-20T00:02:40Z): barman backup exited 1: "
                    + "ERROR: connection refused");
        });
        assertThat(h.verdict()).isEqualTo("NOT restorable: pg1; at risk: pg2; FAILED: pg1 backup");
        assertThat(h.servers().get(1).severity()).isEqualTo(Severity.OK);
        backup("pg1", day0.plusSeconds(4000), Outcome.SUCCESS, null);
        assertThat(health(s).evaluate(day0.plusSeconds(5000), Duration.ofHours(24)).problems()).isEmpty();
    }

    @Test
    void anOldNewestBackupAndAnOldWalAreProblemsPastTheirThresholds() throws IOException {
        Settings s = settings("pg1 { backup.schedule = \"0 0 2 * * ?\" }", "health { backup-max-age = 26h, wal-max-age = 6h }");
        store.recordDaemonStart(day0, "test");
        backup("pg1", day0.plus(Duration.ofHours(2)), Outcome.SUCCESS, null);
        Instant now = day0.plus(Duration.ofHours(2)).plus(Duration.ofHours(27));
        // the day-1 fire time was missed too; the age is its own problem
        wal.put("pg1", now.minus(Duration.ofHours(7)));
        HealthReport h = health(s).evaluate(now, Duration.ofHours(24));
        assertThat(h.problems()).extracting(Problem::key).containsExactlyInAnyOrder("backup-age", "wal-age", "missed-backup");
        Problem age = h.problems().stream().filter(p -> p.key().equals("backup-age")).findFirst().orElseThrow();
        assertThat(age.text()).isEqualTo("newest backup B1 is 26h 59m old (health.backup-max-age = 26h)");
        Problem w = h.problems().stream().filter(p -> p.key().equals("wal-age")).findFirst().orElseThrow();
        assertThat(w.severity()).isEqualTo(Severity.WARNING);
        assertThat(w.text()).isEqualTo("newest WAL file in Barman's archive is 7h old (health.wal-max-age = 6h)");
        // thresholds off: neither
        Settings off = settings("pg1 { backup.schedule = \"0 0 2 * * ?\" }", "health { backup-max-age = off, wal-max-age = off }");
        assertThat(health(off).evaluate(now, Duration.ofHours(24)).problems()).extracting(Problem::key)
                .containsExactly("missed-backup");
    }

    @Test
    void aFailedCheckIsAWarningThatIsNotAlerted() throws IOException {
        Settings s = settings("pg1 {}", "");
        // restorable: a backup, proven by a restore test
        backup("pg1", day0.minusSeconds(7200), Outcome.SUCCESS, null);
        restoreTest("pg1", day0.minusSeconds(3600), Outcome.SUCCESS);
        long id = store.start("pg1", "check", Trigger.SCHEDULED, day0);
        store.finish(id, Outcome.FAILED, day0.plusSeconds(2), 2000,
                new RunFigures(null, null, null, List.of("wal_archive"), null, null));
        HealthReport h = health(s).evaluate(day0.plusSeconds(60), Duration.ofHours(24));
        assertThat(h.problems()).singleElement().satisfies(p -> {
            assertThat(p.severity()).isEqualTo(Severity.WARNING);
            assertThat(p.alert()).isFalse();
            assertThat(p.text()).endsWith("failed checks: wal_archive");
        });
        assertThat(h.verdict()).isEqualTo("WARNING: pg1 check");
        assertThat(h.severity().exitCode()).isEqualTo(1);
    }

    @Test
    void missedRunsOfJobsOfTheHostAreWarnings() throws IOException {
        Settings s = settings("pg1 { backup.schedule = off }", "report.schedule = \"0 0 7 * * ?\"");
        store.recordDaemonStart(day0, "test");
        HealthReport h = health(s).evaluate(day0.plus(Duration.ofHours(8)), Duration.ofHours(24));
        assertThat(h.hostMissed()).containsExactly(new Missed("", JobKind.REPORT, day0.plus(Duration.ofHours(7))));
        assertThat(h.problems()).singleElement().satisfies(p -> {
            assertThat(p.id()).isEqualTo("missed-report");
            assertThat(p.severity()).isEqualTo(Severity.WARNING);
        });
    }

    /** pg1 with a daily restore test from Barman at 03:00 and a weekly one from S3 on Sunday at 04:00. */
    Settings twoRestoreTests() throws IOException {
        Path bin = tmp.resolve("pgbin");
        Files.createDirectories(bin);
        for (String t : List.of("pg_ctl", "pg_amcheck", "pg_verifybackup", "pg_checksums")) {
            Files.writeString(bin.resolve(t), "#!/bin/sh\n");
            bin.resolve(t).toFile().setExecutable(true);
        }
        return settings("pg1 { backup.schedule = off, offsite { enabled = true, bucket = \"b\" }, restore-test { pg-bin-dir = \""
                + bin + "\", schedule = \"0 0 3 * * ?\", s3.schedule = \"0 0 4 ? * SUN\" } }", "");
    }

    long restoreTest(Instant requested, String source, Outcome outcome, String error) {
        long id = store.start("pg1", "restore-test", Trigger.SCHEDULED, requested);
        store.finish(id, outcome, requested.plusSeconds(60), 60_000, new RunFigures("B1", null, null,
                outcome == Outcome.SUCCESS ? List.of() : List.of("manifest"), error, null,
                Facts.builder().text("source", source).seconds("rto", 12.0).build()));
        return id;
    }

    @Test
    void aFailedTestFromS3StaysAProblemWhileTheDailyTestsFromBarmanPass() throws IOException {
        Settings s = twoRestoreTests();
        store.recordDaemonStart(day0, "test");   // Friday 2026-11-20
        for (int d = 0; d < 4; d++) {
            restoreTest(day0.plus(Duration.ofDays(d)).plus(Duration.ofHours(3)).plusSeconds(1), "barman", Outcome.SUCCESS, null);
        }
        Instant sunday = Instant.parse("2026-11-22T04:00:01Z");
        long failed = restoreTest(sunday, "s3", Outcome.FAILED, "manifest: data.tar.zst of 20261122T020000: sha256 mismatch");
        // Monday: the test from Barman passed after the failed one from S3
        Instant now = Instant.parse("2026-11-23T10:00:00Z");
        HealthReport h = health(s).evaluate(now, Duration.ofHours(72));
        assertThat(h.missed()).isEmpty();
        assertThat(h.problems()).singleElement().satisfies(p -> {
            assertThat(p.id()).isEqualTo("pg1 restore-test-s3");
            assertThat(p.severity()).isEqualTo(Severity.CRITICAL);
            assertThat(p.text()).isEqualTo("restore test from S3 failed (run " + failed + ", 2026-11-22T04:01:01Z): "
                    + "manifest: data.tar.zst of 20261122T020000: sha256 mismatch");
        });
        // a test from S3 that passes ends it; a failed one from Barman is its own problem
        restoreTest(now.plusSeconds(10), "s3", Outcome.SUCCESS, null);
        long barmanFailed = restoreTest(now.plusSeconds(100), "barman", Outcome.FAILED, "canary: no canary row");
        HealthReport after = health(s).evaluate(now.plusSeconds(300), Duration.ofHours(72));
        assertThat(after.problems()).extracting(Problem::id).containsExactly("pg1 restore-test");
        assertThat(after.problems().get(0).text()).startsWith("restore test failed (run " + barmanFailed + ",");
    }

    @Test
    void eachScheduleOfTheRestoreTestHasItsOwnMissedRuns() throws IOException {
        Settings s = twoRestoreTests();
        store.recordDaemonStart(day0, "test");
        for (int d = 0; d < 4; d++) {
            restoreTest(day0.plus(Duration.ofDays(d)).plus(Duration.ofHours(3)).plusSeconds(1), "barman", Outcome.SUCCESS, null);
        }
        // Sunday 04:00 passed with no run: the weekly test from S3 is missed, the daily ones are not
        HealthReport h = health(s).evaluate(Instant.parse("2026-11-23T10:00:00Z"), Duration.ofHours(72));
        assertThat(h.missed()).containsExactly(new Missed("pg1", JobKind.RESTORE_TEST, Instant.parse("2026-11-22T04:00:00Z"),
                "restore-test-s3"));
        assertThat(h.problems()).singleElement().satisfies(p -> {
            assertThat(p.id()).isEqualTo("pg1 missed-restore-test-s3");
            assertThat(p.text()).startsWith("restore test from S3 missed: the run due at 2026-11-22T04:00:00Z did not happen");
        });
        // a day without the daily test (the window no longer holds Sunday): that one is missed, on its own
        HealthReport later = health(s).evaluate(Instant.parse("2026-11-24T10:00:00Z"), Duration.ofHours(30));
        assertThat(later.missed()).extracting(Missed::schedule, Missed::fireTime).containsExactly(
                org.assertj.core.groups.Tuple.tuple("restore-test", Instant.parse("2026-11-24T03:00:00Z")));
        assertThat(later.problems()).extracting(Problem::id).containsExactly("pg1 missed-restore-test");
        assertThat(later.problems().get(0).text()).startsWith("restore test missed: the run due at 2026-11-24T03:00:00Z");
    }
}
