package io.barmand.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barmand.error.BarmandException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunStoreTest {
    @TempDir
    Path tmp;
    final Instant t0 = Instant.parse("2026-11-24T01:00:00Z");

    @Test
    void startThenFinishWithFigures() {
        try (RunStore s = RunStore.open(tmp, true)) {
            long id = s.start("pg1", "backup", Trigger.SCHEDULED, t0);
            assertThat(s.get(id).orElseThrow().outcome()).isEqualTo(Outcome.RUNNING);
            s.finish(id, Outcome.SUCCESS, t0.plusSeconds(6), 5960,
                    new RunFigures("20261124T010000", 31457280L, 5279000L, List.of(), null, "copy 5.9s"));
            RunRecord r = s.get(id).orElseThrow();
            assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
            assertThat(r.ended()).isEqualTo(t0.plusSeconds(6));
            assertThat(r.durationMs()).isEqualTo(5960L);
            assertThat(r.backupId()).isEqualTo("20261124T010000");
            assertThat(r.sizeBytes()).isEqualTo(31457280L);
            assertThat(r.throughputBytesPerSec()).isEqualTo(5279000L);
            assertThat(r.detail()).isEqualTo("copy 5.9s");
            assertThat(s.lastSuccessfulBackup("pg1")).contains(r);
        }
    }

    @Test
    void failedChecksRoundTrip() {
        try (RunStore s = RunStore.open(tmp, true)) {
            long id = s.start("pg1", "check", Trigger.MANUAL, t0);
            s.finish(id, Outcome.FAILED, t0, 300, new RunFigures(null, null, null, List.of("postgresql", "wal_archive"), "x", null));
            assertThat(s.get(id).orElseThrow().failedChecks()).containsExactly("postgresql", "wal_archive");
        }
    }

    @Test
    void survivesReopenAndMarksLeftoverRunsInterrupted() {
        long id;
        try (RunStore s = RunStore.open(tmp, true)) {
            id = s.start("pg1", "backup", Trigger.SCHEDULED, t0);
        }
        try (RunStore s = RunStore.open(tmp, true)) {
            assertThat(s.markRunningInterrupted(t0.plusSeconds(60), "daemon stopped")).isEqualTo(1);
            RunRecord r = s.get(id).orElseThrow();
            assertThat(r.outcome()).isEqualTo(Outcome.INTERRUPTED);
            assertThat(r.error()).isEqualTo("daemon stopped");
            // a late finish does not overwrite the interrupted record
            s.finish(id, Outcome.SUCCESS, t0.plusSeconds(61), 1, RunFigures.NONE);
            assertThat(s.get(id).orElseThrow().outcome()).isEqualTo(Outcome.INTERRUPTED);
        }
    }

    @Test
    void skippedRunsAndFilters() {
        try (RunStore s = RunStore.open(tmp, true)) {
            s.skipped("pg1", "check", Trigger.SCHEDULED, t0, "server pg1 busy");
            s.start("pg2", "check", Trigger.SCHEDULED, t0);
            long b = s.start("pg1", "backup", Trigger.CATCH_UP, t0.plusSeconds(1));
            assertThat(s.list(null, null, 10)).extracting(RunRecord::id).startsWith(b);
            assertThat(s.list("pg1", null, 10)).hasSize(2);
            assertThat(s.list("pg1", "check", 10)).singleElement().satisfies(r -> {
                assertThat(r.outcome()).isEqualTo(Outcome.SKIPPED);
                assertThat(r.error()).isEqualTo("server pg1 busy");
            });
            assertThat(s.list(null, null, 1)).hasSize(1);
            assertThat(s.lastRun("pg1", "check", false)).isEmpty();
            assertThat(s.lastRun("pg1", "check", true)).isPresent();
            assertThat(s.since("pg1", "backup", t0)).hasSize(1);
            assertThat(s.since("pg1", "backup", t0.plusSeconds(2))).isEmpty();
        }
    }

    @Test
    void daemonStarts() {
        try (RunStore s = RunStore.open(tmp, true)) {
            assertThat(s.recordDaemonStart(t0, "test")).isEmpty();
            assertThat(s.recordDaemonStart(t0.plusSeconds(10), "test")).contains(t0);
            assertThat(s.firstDaemonStart()).contains(t0);
            assertThat(s.lastDaemonStart()).contains(t0.plusSeconds(10));
        }
    }

    @Test
    void aReaderSeesWhatTheWriterWrote() {
        try (RunStore w = RunStore.open(tmp, true); RunStore r0 = RunStore.open(tmp, false)) {
            long id = w.start("pg1", "check", Trigger.SCHEDULED, t0);
            assertThat(r0.get(id)).isPresent();
            assertThatThrownBy(() -> r0.start("pg1", "check", Trigger.SCHEDULED, t0)).isInstanceOf(BarmandException.class);
        }
    }

    @Test
    void readingAbsentHistoryIsUnavailable() {
        assertThatThrownBy(() -> RunStore.open(tmp.resolve("none"), false)).isInstanceOf(BarmandException.class)
                .hasMessageContaining("no history yet");
    }

    @Test
    void aQueuedRunBeginsWithItsWaitAndAStopMarksWhatNeverStarted() {
        try (RunStore s = RunStore.open(tmp, true)) {
            long q = s.queue("pg1", "backup", Trigger.SCHEDULED, t0, 2);
            RunRecord queued = s.get(q).orElseThrow();
            assertThat(queued.outcome()).isEqualTo(Outcome.QUEUED);
            assertThat(queued.requested()).isEqualTo(t0);
            assertThat(queued.waitedMs()).isNull();
            assertThat(queued.attempt()).isEqualTo(2);
            assertThat(s.begin(q, t0.plusSeconds(90), 90_000)).isTrue();
            assertThat(s.begin(q, t0.plusSeconds(91), 1)).as("begins once").isFalse();
            RunRecord begun = s.get(q).orElseThrow();
            assertThat(begun.outcome()).isEqualTo(Outcome.RUNNING);
            assertThat(begun.started()).isEqualTo(t0.plusSeconds(90));
            assertThat(begun.requested()).isEqualTo(t0);
            assertThat(begun.waitedMs()).isEqualTo(90_000L);
            long never = s.queue("pg2", "offsite", Trigger.AFTER_BACKUP, t0, 1);
            assertThat(s.markRunningInterrupted(t0.plusSeconds(100), "daemon stopped before the run finished")).isEqualTo(2);
            assertThat(s.get(q).orElseThrow().outcome()).isEqualTo(Outcome.INTERRUPTED);
            RunRecord skipped = s.get(never).orElseThrow();
            assertThat(skipped.outcome()).isEqualTo(Outcome.SKIPPED);
            assertThat(skipped.error()).isEqualTo("daemon stopped before the run finished (queued, never started)");
        }
    }

    @Test
    void aVersion1HistoryIsMigratedAndStillReadByAReadOnlyCli() throws Exception {
        Path f = tmp.resolve(RunStore.FILE);
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + f);
             java.sql.Statement st = c.createStatement()) {
            // the schema barmand 1 wrote
            st.executeUpdate("""
                    CREATE TABLE runs (
                      id INTEGER PRIMARY KEY AUTOINCREMENT,
                      server TEXT NOT NULL, job TEXT NOT NULL, trigger TEXT NOT NULL,
                      started TEXT NOT NULL, ended TEXT, outcome TEXT NOT NULL,
                      duration_ms INTEGER, backup_id TEXT, size_bytes INTEGER, throughput INTEGER,
                      failed_checks TEXT, error TEXT, detail TEXT, pid INTEGER)""");
            st.executeUpdate("CREATE TABLE daemon_starts (id INTEGER PRIMARY KEY AUTOINCREMENT, started TEXT NOT NULL,"
                    + " pid INTEGER, version TEXT)");
            st.executeUpdate("INSERT INTO runs(server, job, trigger, started, ended, outcome, duration_ms) VALUES"
                    + " ('pg1','backup','scheduled','2026-11-24T01:00:00Z','2026-11-24T01:00:06Z','success',6000)");
            st.executeUpdate("PRAGMA user_version = 1");
        }
        try (RunStore ro = RunStore.open(tmp, false)) {
            RunRecord r = ro.list(null, null, 10).get(0);
            assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
            assertThat(r.attempt()).isEqualTo(1);
            assertThat(r.requested()).isEqualTo(t0);
        }
        try (RunStore s = RunStore.open(tmp, true)) {
            RunRecord r = s.list(null, null, 10).get(0);
            assertThat(r.requested()).isEqualTo(t0);
            assertThat(r.waitedMs()).isZero();
            assertThat(r.attempt()).isEqualTo(1);
            long id = s.queue("pg1", "backup", Trigger.RETRY, t0.plusSeconds(60), 2);
            assertThat(s.get(id).orElseThrow().attempt()).isEqualTo(2);
            // v4: the old row takes its id as its change number, the new one the next
            assertThat(s.changesAfter(0, 10)).extracting(RunChange::seq).containsExactly(1L, 2L);
        }
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + f);
             java.sql.Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery("PRAGMA user_version")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(4);
        }
    }

    @Test
    void everyChangeTakesTheNextNumberAndAReaderResumesAfterTheLastItRead() {
        long a;
        long b;
        try (RunStore s = RunStore.open(tmp, true)) {
            a = s.queue("pg1", "backup", Trigger.SCHEDULED, t0, 1);                 // change 1
            b = s.start("pg2", "check", Trigger.SCHEDULED, t0);                     // change 2
            assertThat(s.changesAfter(0, 10)).extracting(c -> c.run().id(), RunChange::seq)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(a, 1L), org.assertj.core.groups.Tuple.tuple(b, 2L));
            s.begin(a, t0.plusSeconds(5), 5000);                                    // change 3
            s.finish(b, Outcome.SUCCESS, t0.plusSeconds(1), 1000, RunFigures.NONE); // change 4
            // a run changed again is there once, as it is now, at its newest change
            assertThat(s.changesAfter(2, 10)).extracting(c -> c.run().id(), c -> c.run().outcome(), RunChange::seq)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(a, Outcome.RUNNING, 3L),
                            org.assertj.core.groups.Tuple.tuple(b, Outcome.SUCCESS, 4L));
            assertThat(s.changesAfter(3, 1)).extracting(RunChange::seq).containsExactly(4L);
            assertThat(s.lastChange()).isEqualTo(4);
        }
        // numbers go on after a restart
        try (RunStore s = RunStore.open(tmp, true)) {
            s.finish(a, Outcome.FAILED, t0.plusSeconds(9), 4000, RunFigures.error("boom"));
            assertThat(s.changesAfter(4, 10)).extracting(RunChange::seq).containsExactly(5L);
            assertThat(s.changesAfter(4, 10).get(0).run().error()).isEqualTo("boom");
        }
    }

    @Test
    void theQueriesThatComeNextAndPruning() {
        try (RunStore s = RunStore.open(tmp, true)) {
            for (int day = 0; day < 10; day++) {
                Instant t = t0.plus(java.time.Duration.ofDays(day));
                long b = s.start("pg1", "backup", Trigger.SCHEDULED, t);
                s.finish(b, day % 3 == 0 ? Outcome.FAILED : Outcome.SUCCESS, t.plusSeconds(60), 60_000 + day,
                        RunFigures.NONE);
                long c = s.start("pg2", "check", Trigger.SCHEDULED, t.plusSeconds(5));
                s.finish(c, Outcome.SUCCESS, t.plusSeconds(6), 1000, RunFigures.NONE);
            }
            long open = s.queue("pg1", "backup", Trigger.MANUAL, t0.minusSeconds(999), 1);
            // the newest with an outcome, and a trend of the last N
            assertThat(s.last("pg1", "backup", Outcome.FAILED).orElseThrow().durationMs()).isEqualTo(60_009L);
            assertThat(s.lastN("pg1", "backup", Outcome.SUCCESS, 3)).extracting(RunRecord::durationMs)
                    .containsExactly(60_008L, 60_007L, 60_005L);
            // a window of two days: its runs, oldest first
            List<RunRecord> w = s.window(t0.plus(java.time.Duration.ofDays(2)), t0.plus(java.time.Duration.ofDays(4)));
            assertThat(w).extracting(r -> r.server() + " " + r.job() + " " + r.requested()).containsExactly(
                    "pg1 backup 2026-11-26T01:00:00Z", "pg2 check 2026-11-26T01:00:05Z",
                    "pg1 backup 2026-11-27T01:00:00Z", "pg2 check 2026-11-27T01:00:05Z");
            assertThat(s.window(t0.plus(java.time.Duration.ofDays(30)), t0.plus(java.time.Duration.ofDays(31)))).isEmpty();
            // prune: what ended before day 5, never the queued run
            assertThat(s.prune(t0.plus(java.time.Duration.ofDays(5)))).isEqualTo(10);
            assertThat(s.list(null, null, 100)).hasSize(11).anyMatch(r -> r.id() == open);
            assertThat(s.list(null, null, 100)).filteredOn(r -> r.id() != open)
                    .allMatch(r -> !r.ended().isBefore(t0.plus(java.time.Duration.ofDays(5))));
        }
    }

    /** Issue 20, 12: a zero-length history.db is refused, not taken as a new empty history; the message says how to recover. */
    @Test
    void aZeroLengthHistoryIsRefusedWithTheWayToRecover() throws Exception {
        java.nio.file.Files.createFile(tmp.resolve(RunStore.FILE));
        for (boolean writable : new boolean[] {true, false}) {
            assertThatThrownBy(() -> RunStore.open(tmp, writable)).isInstanceOf(BarmandException.class)
                    .hasMessageStartingWith(tmp.resolve(RunStore.FILE) + ": the history file is empty (0 bytes)")
                    .hasMessageContaining("move the file aside").hasMessageContaining("Lost with it: the record of past runs")
                    .satisfies(e -> assertThat(((BarmandException) e).exitCode()).isEqualTo(74));
        }
        assertThat(java.nio.file.Files.size(tmp.resolve(RunStore.FILE))).isZero();
    }

    /** Issue 20, 12: a history SQLite cannot read is named, with the way to recover. */
    @Test
    void aCorruptHistoryIsNamedWithTheWayToRecover() throws Exception {
        java.nio.file.Files.writeString(tmp.resolve(RunStore.FILE), "not a database, ".repeat(512));
        for (boolean writable : new boolean[] {true, false}) {
            assertThatThrownBy(() -> RunStore.open(tmp, writable)).isInstanceOf(BarmandException.class)
                    .hasMessageStartingWith(tmp.resolve(RunStore.FILE) + ": not a history SQLite can read (")
                    .hasMessageContaining("move the file aside with its -wal and -shm files");
        }
    }

    /** Issue 20, 12: the history and its -wal/-shm files are owner and group only, whatever the umask (022 here). */
    @Test
    void theHistoryIsReadableByOwnerAndGroupOnly() throws Exception {
        try (RunStore s = RunStore.open(tmp, true)) {
            s.start("pg1", "backup", Trigger.SCHEDULED, Instant.parse("2026-11-24T01:00:00Z"));
            for (String f : List.of(RunStore.FILE, RunStore.FILE + "-wal", RunStore.FILE + "-shm")) {
                assertThat(java.nio.file.Files.getPosixFilePermissions(tmp.resolve(f))).as(f)
                        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
            }
        }
    }
}
