package io.barmand.retention;

import static io.barmand.retention.Catalogue.NOW;
import static io.barmand.retention.Catalogue.PARIS;
import static org.assertj.core.api.Assertions.assertThat;

import io.barmand.config.JobKind;
import io.barmand.config.RetentionPolicy;
import io.barmand.history.Facts;
import io.barmand.job.RunOptions;
import io.barmand.schedule.ConflictRules;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the wiring adds to the engine: an admin's keep, the mass-delete override, the conflicts, the run's words. */
class WiringTest {
    final List<Candidate> nov = Catalogue.nightly(LocalDate.of(2026, 11, 1), LocalDate.of(2026, 12, 1));

    static RetentionPolicy window(int days, int maxDeletes) {
        return RetentionPolicy.of(Optional.of(Duration.ofDays(days)), 0, 0, 0, 0, 1, maxDeletes, PARIS);
    }

    @Test
    void anAdminsKeepIsNeverReleasedNorDeleted() {
        List<Candidate> c = new ArrayList<>();
        for (Candidate x : nov) {
            boolean admin = x.backupId().equals("20261103T020000");
            c.add(new Candidate(x.backupId(), x.end(), x.status(), false, false, true, Optional.empty(), admin));
        }
        Plan p = RetentionEngine.plan(window(7, 100), c, NOW, false, true);
        Decision d = p.decision("20261103T020000");
        assertThat(d.verdict()).isEqualTo(Verdict.KEEP);
        assertThat(d.has(Reason.Rule.ADMIN_KEEP)).isTrue();
        assertThat(p.decision("20261104T020000").verdict()).isEqualTo(Verdict.DELETE);
    }

    @Test
    void allowMassDeleteLiftsTheCountGuardsButNotTheClockGuard() {
        Plan refused = RetentionEngine.plan(window(7, 3), nov, NOW, false);
        assertThat(refused.refused()).isTrue();
        assertThat(refused.refusal()).contains("more than max-deletes-per-run 3").contains("more than half");
        Plan allowed = RetentionEngine.plan(window(7, 3), nov, NOW, false, true);
        assertThat(allowed.refused()).isFalse();
        assertThat(allowed.deletes()).hasSizeGreaterThan(3);
        // a clock far behind the newest backup: refused even so
        Plan clock = RetentionEngine.plan(window(7, 3), nov, NOW.minus(Duration.ofDays(3)), false, true);
        assertThat(clock.refused()).isTrue();
        assertThat(clock.refusal()).contains("the clock looks wrong");
    }

    @Test
    void retentionNeverRunsBesideARunThatReadsOrWritesBackups() {
        for (JobKind k : List.of(JobKind.BACKUP, JobKind.OFFSITE, JobKind.RESTORE_TEST, JobKind.VERIFY, JobKind.RETENTION)) {
            assertThat(ConflictRules.conflict(JobKind.RETENTION, k)).as(k.id()).isTrue();
            assertThat(ConflictRules.conflict(k, JobKind.RETENTION)).as(k.id()).isTrue();
        }
        for (JobKind k : List.of(JobKind.CHECK, JobKind.SWITCH_WAL, JobKind.REPORT, JobKind.PRUNE_HISTORY)) {
            assertThat(ConflictRules.conflict(JobKind.RETENTION, k)).as(k.id()).isFalse();
        }
    }

    @Test
    void aRunFollowsEachBackupOrEachOffsiteCopyWhenOffsiteIsOn(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        io.barmand.testing.FakeBarman fake = new io.barmand.testing.FakeBarman(tmp.resolve("bin"));
        java.nio.file.Path f = tmp.resolve("barmand.conf");
        java.nio.file.Files.writeString(f, "barmand {\n  barman.binary = \"" + fake.script() + "\"\n  state-dir = \"" + tmp
                + "/state\"\n  control-socket = \"" + tmp + "/c.sock\"\n  servers {\n"
                + "    pg1 { retention.enabled = true }\n"
                + "    pg2 { retention.enabled = true, offsite { enabled = true, bucket = b, endpoint = \"http://127.0.0.1:1\","
                + " spool-dir = \"" + tmp + "/spool\" } }\n"
                + "    pg3 { retention { enabled = true, after-backup = false } }\n"
                + "    pg4 {}\n  }\n}\n");
        io.barmand.config.Settings s = io.barmand.config.Settings.load(f, (bin, cf, t) -> java.util.Set.of("pg1", "pg2", "pg3", "pg4"));
        RetentionService svc = new RetentionService(null, null, s.servers(), null, null, tmp, java.time.Clock.systemUTC());
        // the wiring's declaration: after a backup, its offsite copy (when on), then retention
        io.barmand.schedule.FollowUps chain = io.barmand.wiring.Services.afterBackup(
                server -> s.servers().get(server).offsite().enabled(), svc::followsBackups);
        io.barmand.history.Trigger after = io.barmand.history.Trigger.AFTER_BACKUP;
        io.barmand.history.Trigger scheduled = io.barmand.history.Trigger.SCHEDULED;
        assertThat(chain.next(JobKind.BACKUP, scheduled, "pg1")).contains(JobKind.RETENTION);
        assertThat(chain.next(JobKind.OFFSITE, after, "pg1")).isEmpty();
        assertThat(chain.next(JobKind.BACKUP, scheduled, "pg2")).as("after its offsite copy instead").contains(JobKind.OFFSITE);
        assertThat(chain.next(JobKind.OFFSITE, after, "pg2")).contains(JobKind.RETENTION);
        assertThat(chain.next(JobKind.OFFSITE, scheduled, "pg2")).as("a scheduled WAL copy is no new backup").isEmpty();
        assertThat(s.servers().get("pg2").retention().orElseThrow().s3()).isPresent();
        assertThat(chain.next(JobKind.BACKUP, scheduled, "pg3")).isEmpty();
        assertThat(svc.enabled("pg4")).isFalse();
        assertThat(chain.next(JobKind.BACKUP, scheduled, "pg4")).isEmpty();
    }

    @Test
    void theMassDeleteOverrideTravelsOverTheControlSocket() {
        RunOptions o = RunOptions.NONE.withAllowMassDelete();
        assertThat(o.isEmpty()).isFalse();
        assertThat(RunOptions.fromMap(o.toMap()).allowMassDelete()).isTrue();
        assertThat(RunOptions.fromMap(RunOptions.NONE.toMap()).allowMassDelete()).isFalse();
    }

    @Test
    void aRunIsSaidOnceInWords() {
        Facts f = Facts.builder().count("backups", 9).count("deleted", 2).text("deleted-backups", "20261101T020000,20261102T020000")
                .count("standalone", 1).count("released", 0).count("kept", 7).bytes("wal-before", 3L << 30)
                .bytes("wal-after", 1L << 30).count("s3-copies", 5).count("s3-deleted", 1).count("s3-wal-deleted", 40)
                .bytes("s3-freed", 700L << 20).count("s3-verified", 4).build();
        assertThat(RetentionText.detail(f)).isEqualTo("local: 2 deleted (20261101T020000, 20261102T020000), 1 kept "
                + "standalone, 0 released, 7 kept, WAL 3.0 GiB -> 1.0 GiB; s3: 1 copies deleted, 40 WAL objects deleted, "
                + "700.0 MiB freed, 4 of 4 kept copies verified");
        assertThat(RetentionText.detail(Facts.builder().text("refused", "Barman's own retention_policy is set").build()))
                .isEqualTo("Barman's own retention_policy is set");
        assertThat(RetentionText.detail(Facts.builder().count("backups", 51).text("refused", "would delete 40").build()))
                .isEqualTo("local: refused, nothing done");
        assertThat(RetentionText.ids("a,b,c,d,e,f,g")).isEqualTo("a, b, c, d, e and 2 more");
    }
}
