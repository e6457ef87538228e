package io.barmand.retention;

import static io.barmand.retention.BarmanStandIn.SERVER;
import static org.assertj.core.api.Assertions.assertThat;

import io.barmand.config.JobKind;
import io.barmand.config.Settings;
import io.barmand.job.JobService;
import io.barmand.job.RunOptions;
import io.barmand.testing.Contexts;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The retention service over a stand-in Barman: what it reads from Barman and what it asks Barman to do. */
class RetentionServiceTest {
    static final Instant NOW = Instant.parse("2026-12-07T19:00:00Z");
    static final String POLICY = "retention { enabled = true, minimum-redundancy = 1, max-deletes-per-run = 50,\n"
            + "  local { recovery-window = 3d, keep-daily = 0, keep-weekly = 0, keep-monthly = 0, keep-yearly = 0 } }";

    @TempDir
    Path tmp;

    /** Nightly DONE backups at 02:00 UTC, ids in UTC (a Barman host in UTC), from Dec 1 to Dec 7. */
    static BarmanStandIn nightly(BarmanStandIn b) {
        for (int d = 1; d <= 7; d++) {
            Instant begin = Instant.parse(String.format("2026-12-%02dT02:00:00Z", d));
            b.backup(String.format("202612%02dT020000", d), "DONE", begin, begin.plus(Duration.ofMinutes(10)), null);
        }
        return b;
    }

    static RetentionService service(BarmanStandIn b, Settings s, Instant now) {
        return new RetentionService(b.client(), null, s.servers(), null, null, s.stateDir(), Clock.fixed(now, ZoneOffset.UTC));
    }

    static JobService.Result run(RetentionService svc) {
        return svc.execute(Contexts.of(JobKind.RETENTION, SERVER, RunOptions.NONE));
    }

    @Test
    void backupTimesAreBarmansNotTheIdReadInTheSchedulesZone() {
        // Barman in UTC names a backup begun an hour ago 20261207T180000; the schedules are in Los Angeles (UTC-8),
        // where that id would read as 8 h in the future; one still running, one failed
        BarmanStandIn b = nightly(new BarmanStandIn(tmp))
                .backup("20261207T180000", "STARTED", NOW.minus(Duration.ofHours(1)), null, null)
                .backup("20261207T170000", "FAILED", NOW.minus(Duration.ofHours(2)), null, null);
        Settings s = b.settings("timezone = \"America/Los_Angeles\"\n" + POLICY);
        RetentionService svc = service(b, s, NOW);
        Plan p = svc.plans(SERVER, false, Duration.ofMinutes(1)).local();
        assertThat(p.refused()).as(p.refusal()).isFalse();
        assertThat(p.decision("20261207T180000").end()).isEqualTo(NOW.minus(Duration.ofHours(1)));
        assertThat(p.decision("20261207T180000").verdict()).isEqualTo(Verdict.KEEP);
        JobService.Result r = run(svc);
        assertThat(r.success()).as(String.valueOf(r.figures())).isTrue();
        assertThat(b.calls()).contains("delete pg1 20261207T170000", "delete pg1 20261201T020000")
                .doesNotContain("delete pg1 20261207T180000");
    }

    static final String MONTHLY = "retention { enabled = true, minimum-redundancy = 1, max-deletes-per-run = 50,\n"
            + "  local { recovery-window = 3d, keep-daily = 0, keep-weekly = 0, keep-monthly = 1, keep-yearly = 0 } }";
    static final String OLDEST = "20261201T020000";

    /** A first run: the oldest backup kept by keep-monthly alone, so barmand keeps it standalone and notes it. */
    BarmanStandIn keptStandaloneByBarmand() {
        BarmanStandIn b = nightly(new BarmanStandIn(tmp));
        Settings s = b.settings(MONTHLY);
        JobService.Result r = run(service(b, s, NOW));
        assertThat(r.success()).as(String.valueOf(r.figures())).isTrue();
        assertThat(b.calls()).contains("keep --target standalone pg1 " + OLDEST, "delete pg1 20261202T020000",
                "delete pg1 20261203T020000");
        assertThat(b.keep(OLDEST)).isEqualTo("standalone");
        assertThat(journal(s)).exists();
        return b;
    }

    static Path journal(Settings s) {
        return s.stateDir().resolve("retention-keeps/pg1@" + OLDEST + ".keep");
    }

    @Test
    void anAdminsFullKeepOverBarmandsStandaloneOneIsARailAndTheNoteIsDropped() {
        BarmanStandIn b = keptStandaloneByBarmand();
        b.keepByHand(OLDEST, "full");
        // no tier wants it any more: barmand's own keep would be released and the backup deleted
        Settings s = b.settings(POLICY);
        RetentionService svc = service(b, s, NOW.plus(Duration.ofHours(1)));
        RetentionService.Plans plans = svc.plans(SERVER, false, Duration.ofMinutes(1));
        assertThat(plans.foreignKeeps()).containsKey(OLDEST);
        assertThat(plans.local().decision(OLDEST).verdict()).isEqualTo(Verdict.KEEP);
        assertThat(plans.local().decision(OLDEST).has(Reason.Rule.ADMIN_KEEP)).isTrue();
        JobService.Result r = run(svc);
        assertThat(r.success()).as(String.valueOf(r.figures())).isTrue();
        assertThat(b.calls()).doesNotContain("keep --release pg1 " + OLDEST, "delete pg1 " + OLDEST);
        assertThat(b.keep(OLDEST)).isEqualTo("full");
        assertThat(journal(s)).doesNotExist();
        assertThat(r.figures().facts().text("keep-notes-dropped")).contains(OLDEST);
        // and later runs leave it too
        assertThat(service(b, s, NOW.plus(Duration.ofDays(30))).plans(SERVER, false, Duration.ofMinutes(1)).local()
                .decision(OLDEST).has(Reason.Rule.ADMIN_KEEP)).isTrue();
    }

    @Test
    void aStandaloneKeepReleasedAndTakenAgainByHandIsAnAdminsToo() {
        BarmanStandIn b = keptStandaloneByBarmand();
        b.keepByHand(OLDEST, "standalone");
        Settings s = b.settings(POLICY);
        JobService.Result r = run(service(b, s, NOW.plus(Duration.ofHours(1))));
        assertThat(r.success()).as(String.valueOf(r.figures())).isTrue();
        assertThat(b.calls()).doesNotContain("keep --release pg1 " + OLDEST, "delete pg1 " + OLDEST);
        assertThat(b.keep(OLDEST)).isEqualTo("standalone");
        assertThat(journal(s)).doesNotExist();
    }

    @Test
    void barmandsOwnStandaloneKeepIsStillReleasedWhenNoTierWantsIt() {
        BarmanStandIn b = keptStandaloneByBarmand();
        Settings s = b.settings(POLICY);
        JobService.Result r = run(service(b, s, NOW.plus(Duration.ofHours(1))));
        assertThat(r.success()).as(String.valueOf(r.figures())).isTrue();
        assertThat(b.calls()).contains("keep --release pg1 " + OLDEST, "delete pg1 " + OLDEST);
        assertThat(journal(s)).doesNotExist();
    }

    @Test
    void anOlderBarmandsNoteIsMatchedByTheTimeItWasWritten() throws Exception {
        BarmanStandIn b = nightly(new BarmanStandIn(tmp));
        Settings s = b.settings(POLICY);
        java.nio.file.Files.createDirectories(journal(s).getParent());
        java.nio.file.Files.writeString(journal(s), "barman keep --target standalone by barmand's retention\n");
        b.keepByHand(OLDEST, "standalone");
        java.nio.file.attribute.FileTime keptAt = java.nio.file.Files.getLastModifiedTime(
                b.base.resolve(OLDEST).resolve("annotations/keep"));
        RetentionService svc = service(b, s, NOW);
        // written just before its keep: barmand's
        java.nio.file.Files.setLastModifiedTime(journal(s), java.nio.file.attribute.FileTime.from(keptAt.toInstant().minusSeconds(1)));
        assertThat(svc.plans(SERVER, false, Duration.ofMinutes(1)).foreignKeeps()).isEmpty();
        // written a day before a keep: the keep was taken again since
        java.nio.file.Files.setLastModifiedTime(journal(s), java.nio.file.attribute.FileTime.from(keptAt.toInstant().minus(Duration.ofDays(1))));
        assertThat(svc.plans(SERVER, false, Duration.ofMinutes(1)).foreignKeeps()).containsKey(OLDEST);
    }

    @Test
    void aClockAYearAheadDeletesNothingAndTheRunSaysWhy() {
        BarmanStandIn b = nightly(new BarmanStandIn(tmp));
        Settings s = b.settings(POLICY);
        assertThat(s.servers().get(SERVER).retention().orElseThrow().newestBackupMaxAge()).contains(Duration.ofDays(3));
        // the clock jumped a year: every backup looks a year old
        RetentionService svc = service(b, s, NOW.plus(Duration.ofDays(365)));
        Plan p = svc.plans(SERVER, true, Duration.ofMinutes(1)).local();
        assertThat(p.refused()).isTrue();
        assertThat(p.deletes()).isEmpty();
        assertThat(p.keepsStandalone()).isEmpty();
        JobService.Result r = svc.execute(Contexts.of(JobKind.RETENTION, SERVER, RunOptions.NONE.withAllowMassDelete()));
        // recorded failed with why (the runner alerts on it), as for a newest backup in the future
        assertThat(r.success()).isFalse();
        assertThat(r.figures().facts().text("refused").orElseThrow()).contains("newest DONE backup 20261207T020000",
                "longer ago than newest-backup-max-age 3d", "the clock looks wrong");
        assertThat(r.figures().error()).contains("newest-backup-max-age");
        assertThat(b.calls()).noneMatch(c -> c.startsWith("delete") || c.startsWith("keep --target") || c.startsWith("keep --release"));
        // the same catalogue at the right time is planned as usual
        assertThat(service(b, s, NOW).plans(SERVER, false, Duration.ofMinutes(1)).local().refused()).isFalse();
    }

    @Test
    void aCopyTheS3PolicyExpiredDoesNotHoldTheLocalBackup() throws Exception {
        BarmanStandIn b = nightly(new BarmanStandIn(tmp));
        Settings s = b.settings(POLICY + "\noffsite { enabled = true, bucket = b, endpoint = \"http://127.0.0.1:1\","
                + " spool-dir = \"" + tmp + "/spool\" }");
        // Dec 1 and Dec 3 were copied, and the S3 policy expired their copies; Dec 2 was never copied; the bucket
        // can't be read today, so nothing is in it as far as this run knows
        Path expired = s.stateDir().resolve("offsite-expired");
        java.nio.file.Files.createDirectories(expired);
        for (String id : java.util.List.of("20261201T020000", "20261203T020000")) {
            java.nio.file.Files.writeString(expired.resolve("pg1@" + id + ".keep"), "offsite copy expired by the S3 policy\n");
        }
        RetentionService svc = new RetentionService(b.client(), null, s.servers(), o -> {
            throw new IllegalStateException("bucket down (test)");
        }, null, s.stateDir(), Clock.fixed(NOW, ZoneOffset.UTC));
        Plan p = svc.plans(SERVER, false, Duration.ofMinutes(1)).local();
        // judged by the local policy alone: outside the 3-day window, deleted
        for (String id : java.util.List.of("20261201T020000", "20261203T020000")) {
            assertThat(p.decision(id).verdict()).as(id).isEqualTo(Verdict.DELETE);
            assertThat(p.decision(id).has(Reason.Rule.OFFSITE_UNVERIFIED)).isFalse();
        }
        // the one never copied is held until it is
        assertThat(p.decision("20261202T020000").verdict()).isEqualTo(Verdict.KEEP);
        assertThat(p.decision("20261202T020000").reason().text()).isEqualTo("not copied offsite yet");
        JobService.Result r = run(svc);
        assertThat(r.figures().error()).contains("s3: the bucket cannot be read");
        assertThat(b.calls()).contains("delete pg1 20261201T020000", "delete pg1 20261203T020000")
                .doesNotContain("delete pg1 20261202T020000");
        // their notes go with them
        assertThat(expired.resolve("pg1@20261201T020000.keep")).doesNotExist();
    }
}
