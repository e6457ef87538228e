package io.barmand.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.barmand.config.Settings;
import io.barmand.health.Health;
import io.barmand.history.Facts;
import io.barmand.history.Outcome;
import io.barmand.history.RunFigures;
import io.barmand.history.RunStore;
import io.barmand.history.Sizes;
import io.barmand.history.Trigger;
import io.barmand.testing.FakeBarman;
import io.barmand.testing.MutableClock;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportServiceTest {
    @TempDir
    Path tmp;
    RunStore store;
    Settings settings;
    final Instant day0 = Instant.parse("2026-11-20T00:00:00Z");
    final MutableClock clock = new MutableClock(day0);
    static final java.time.format.DateTimeFormatter ID = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss")
            .withZone(java.time.ZoneOffset.UTC);

    @BeforeEach
    void setUp() throws Exception {
        FakeBarman barman = new FakeBarman(tmp.resolve("bin"));
        Path f = tmp.resolve("barmand.conf");
        Files.writeString(f, "barmand {\n  barman.binary = \"" + barman.script() + "\"\n  state-dir = \"" + tmp
                + "/state\"\n  control-socket = \"" + tmp + "/c.sock\"\n  history.prune.schedule = off\n"
                + "  report { schedule = off, host-name = \"backup1\" }\n"
                + "  defaults { check.schedule = off, switch-wal.schedule = off, verify.schedule = off, backup.schedule = \"0 0 2 * * ?\" }\n"
                + "  servers { pg1 {}, pg2 {} }\n}\n");
        settings = Settings.load(f, (bin, cf, t) -> Set.of("pg1", "pg2"));
        store = RunStore.open(settings.stateDir(), true);
        store.recordDaemonStart(day0, "test");
    }

    ReportService service() {
        return new ReportService(settings.report(), settings.servers(), store, new Health(settings, store, s -> Optional.empty()),
                () -> Map.of("state", settings.stateDir()), Optional.empty(), settings.stateDir(), settings.hostTimezone(), clock,
                () -> Map.of("pg1", Optional.empty(), "pg2", Optional.of("REDUNDANCY 2")));
    }

    /** Fourteen nights of backups of both servers, growing; a restore test of pg1 every other day. */
    void nights(int n) {
        for (int d = 0; d < n; d++) {
            Instant at = day0.plus(Duration.ofDays(d)).plus(Duration.ofHours(2));
            for (String server : d == 14 ? List.of("pg1") : List.of("pg1", "pg2")) {
                long id = store.start(server, "backup", Trigger.SCHEDULED, at);
                long size = (100L + d) * 1_048_576L;
                store.finish(id, Outcome.SUCCESS, at.plusSeconds(30 + d), (30 + d) * 1000L, new RunFigures(ID.format(at),
                        size, size / 30, List.of(), null, null, Facts.builder().bytes("size", size).seconds("copy", 30.0 + d).build()));
            }
            if (d % 2 == 0) {
                long id = store.start("pg1", "restore-test", Trigger.SCHEDULED, at.plus(Duration.ofHours(2)));
                store.finish(id, Outcome.SUCCESS, at.plus(Duration.ofHours(2)).plusSeconds(20), 20_000, new RunFigures(null, null,
                        null, List.of(), null, null, Facts.builder().seconds("rto", 10.0 + d).seconds("canary-age", 3.5).build()));
            }
        }
    }

    @Test
    void theReportSaysTheSameInTextHtmlAndJsonWithTheHostsChartAndOnePerServerInTrouble() throws Exception {
        nights(15);
        // pg2's last backup failed, and its retry was skipped
        Instant last = day0.plus(Duration.ofDays(14)).plus(Duration.ofHours(2));
        long failed = store.start("pg2", "backup", Trigger.SCHEDULED, last);
        store.finish(failed, Outcome.FAILED, last.plusSeconds(5), 5000, RunFigures.error("barman backup exited 1: disk full"));
        long skipped = store.skipped("pg2", "backup", Trigger.RETRY, last.plusSeconds(1800), "backup already running", 2);
        clock.set(day0.plus(Duration.ofDays(14)).plus(Duration.ofHours(7)));
        ReportService.Made m = service().make(Duration.ofHours(24));

        assertThat(m.subject()).isEqualTo("[barmand backup1] at risk: pg2; FAILED: pg2 backup, pg2 backup age");
        // the first table: can each server be restored, to when, proven by what; then why not
        assertThat(m.text()).contains("""
                SERVER  VERDICT     RESTORABLE TO            RPO      OFFSITE TO  LAST PROVEN (RESTORE TEST)
                pg1     restorable  2026-12-04 02:00:44 UTC  4h 59m   -           2h 59m ago, from Barman, RTO 24.0s
                pg2     at risk     2026-12-03 02:00:43 UTC  28h 59m  -           never
                  pg2 at risk: never proven by a restore test; newest backup ended 28h 59m ago (health.backup-max-age = 26h)
                """);
        assertThat(m.text().indexOf("RESTORABLE TO")).isLessThan(m.text().indexOf("LAST BACKUP"));
        assertThat(m.html().indexOf("Restorable to")).isLessThan(m.html().indexOf("Last backup"));
        assertThat(m.html()).contains(">at risk</td>").contains(">restorable</td>");
        assertThat(m.text())
                .contains("pg1     OK        20261204T020000, 4h 59m ago, 114.0 MiB, took 44.0s   off      success 2h 59m ago, "
                        + "RTO 24.0s, canary 3.5s old  none recorded")
                .contains("pg2     CRITICAL  20261203T020000, 28h 59m ago, 113.0 MiB, took 43.0s")
                .contains("CRITICAL  pg2: backup failed (run " + failed + ", 2026-12-04T02:00:05Z): barman backup exited 1: disk full")
                .contains("CRITICAL  pg2: newest backup 20261203T020000 is 28h 59m old (health.backup-max-age = 26h)")
                .contains("2026-12-04 02:00:00 UTC  pg2 backup failed (scheduled, run " + failed + "): barman backup exited 1: disk full")
                .contains("2026-12-04 02:30:00 UTC  pg2 backup skipped (retry, attempt 2, run " + skipped + "): backup already running")
                .contains("pg1: 14 backup(s), took 31.0s to 44.0s (last 44.0s), 101.0 MiB to 114.0 MiB; 7 restore test(s), "
                        + "RTO 12.0s to 24.0s");
        // the HTML part: the same lines, the charts by content id: the host's, and pg2's (at risk, a failed backup);
        // pg1 (restorable, nothing failed) has its line only
        assertThat(m.html()).contains("FAILED: pg2 backup, pg2 backup age").contains("<img src=\"cid:trend--host\"")
                .contains("<img src=\"cid:trend-pg2\"").doesNotContain("cid:trend-pg1").contains("barman backup exited 1: disk full")
                .contains("<li><b>pg1</b>: 14 backup(s), took 31.0s to 44.0s");
        assertThat(m.charts()).containsOnlyKeys("", "pg2");
        assertThat(m.data().charted()).containsExactly("", "pg2");
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(m.charts().get("pg2")));
        assertThat(png.getWidth()).isEqualTo(TrendChart.WIDTH);
        assertThat(png.getHeight()).isEqualTo(TrendChart.HEIGHT);
        assertThat(m.letter().images()).containsOnlyKeys("trend--host", "trend-pg2");
        // the host's trend: a point per night, the sizes of both servers' backups summed (pg2's last one failed)
        assertThat(m.data().hostTrend().backups()).hasSize(14);
        assertThat(m.data().hostTrend().backups().get(0).bytes()).isEqualTo(2 * 101L * 1_048_576L);
        assertThat(m.data().hostTrend().backups().get(0).value()).isEqualTo(31.0);
        assertThat(m.data().hostTrend().backups().get(13).bytes()).isEqualTo(114L * 1_048_576L);
        assertThat(m.data().hostTrend().restoreTests()).extracting(ReportData.Point::value).contains(24.0);
        // JSON: the same figures, typed
        JsonNode j = new ObjectMapper().readTree(m.json());
        assertThat(j.path("version").asInt()).isEqualTo(1);
        assertThat(j.path("severity").asText()).isEqualTo("CRITICAL");
        JsonNode pg1 = j.path("servers").get(0);
        assertThat(pg1.path("lastBackup").path("backupId").asText()).isEqualTo("20261204T020000");
        assertThat(pg1.path("lastBackup").path("sizeBytes").asLong()).isEqualTo(114L * 1_048_576L);
        assertThat(pg1.path("lastRestoreTest").path("rtoSeconds").asDouble()).isEqualTo(24.0);
        assertThat(j.path("troubles")).hasSize(2);
        assertThat(j.path("trends").get(0).path("backups")).hasSize(14);
        assertThat(j.path("trends").get(0).path("chart").asBoolean()).isFalse();
        assertThat(j.path("trends").get(1).path("chart").asBoolean()).isTrue();
        assertThat(j.path("hostTrend").path("days")).hasSize(14);
        assertThat(j.path("problems")).hasSize(2);
        JsonNode r1 = j.path("restorability").get(0);
        assertThat(r1.path("verdict").asText()).isEqualTo("restorable");
        assertThat(r1.path("restorableTo").asText()).isEqualTo("2026-12-04T02:00:44Z");
        assertThat(r1.path("rpoSeconds").asLong()).isEqualTo(Duration.ofHours(4).plusMinutes(59).plusSeconds(16).getSeconds());
        assertThat(r1.path("lastProven").path("source").asText()).isEqualTo("barman");
        assertThat(r1.path("lastProven").path("rtoSeconds").asDouble()).isEqualTo(24.0);
        assertThat(j.path("restorability").get(1).path("verdict").asText()).isEqualTo("at-risk");
        assertThat(j.path("restorability").get(1).path("reasons").get(0).path("text").asText())
                .isEqualTo("never proven by a restore test");
        assertThat(j.path("problems").get(0).path("key").asText()).isEqualTo("backup");
    }

    @Test
    void aServerWithTestsFromBarmanAndFromS3ShowsTheLastOfEachAndMissedOnesOfEachSchedule() throws Exception {
        Path bin = tmp.resolve("pgbin");
        Files.createDirectories(bin);
        for (String t : List.of("pg_ctl", "pg_amcheck", "pg_verifybackup", "pg_checksums")) {
            Files.writeString(bin.resolve(t), "#!/bin/sh\n");
            bin.resolve(t).toFile().setExecutable(true);
        }
        Path f = tmp.resolve("barmand.conf");
        Files.writeString(f, "barmand {\n  barman.binary = \"" + new FakeBarman(tmp.resolve("bin")).script() + "\"\n  state-dir = \""
                + tmp + "/state\"\n  control-socket = \"" + tmp + "/c.sock\"\n  history.prune.schedule = off\n"
                + "  report { schedule = off, host-name = \"backup1\" }\n"
                + "  defaults { check.schedule = off, switch-wal.schedule = off, verify.schedule = off, backup.schedule = off }\n"
                + "  servers { pg1 { offsite { enabled = true, bucket = \"b\" }, restore-test { pg-bin-dir = \"" + bin
                + "\", schedule = \"0 0 3 * * ?\", s3.schedule = \"0 0 4 ? * SUN\" } } }\n}\n");
        settings = Settings.load(f, (bin2, cf, t) -> Set.of("pg1"));
        // Saturday 2026-11-21 03:00 from Barman, passed; 12:00 from S3 (by hand), failed; Sunday 03:00 from Barman,
        // passed; Sunday 04:00 from S3: no run (missed)
        long old = store.start("pg1", "restore-test", Trigger.SCHEDULED, Instant.parse("2026-11-21T03:00:01Z"));
        store.finish(old, Outcome.SUCCESS, Instant.parse("2026-11-21T03:00:21Z"), 20_000, new RunFigures("B0", null, null,
                List.of(), null, null, Facts.builder().text("source", "barman").seconds("rto", 10.0).build()));
        long fromS3 = store.start("pg1", "restore-test", Trigger.MANUAL, Instant.parse("2026-11-21T12:00:00Z"));
        store.finish(fromS3, Outcome.FAILED, Instant.parse("2026-11-21T12:00:30Z"), 30_000, new RunFigures("B0", null, null,
                List.of("manifest"), "manifest: data.tar.zst: sha256 mismatch", null, Facts.builder().text("source", "s3").build()));
        long fromBarman = store.start("pg1", "restore-test", Trigger.SCHEDULED, Instant.parse("2026-11-22T03:00:01Z"));
        store.finish(fromBarman, Outcome.SUCCESS, Instant.parse("2026-11-22T03:00:21Z"), 20_000, new RunFigures("B1", null, null,
                List.of(), null, null, Facts.builder().text("source", "barman").seconds("rto", 11.0).build()));
        clock.set(Instant.parse("2026-11-22T07:00:00Z"));
        ReportService.Made m = service().make(Duration.ofHours(24));
        // no backup recorded in this history: not restorable, first
        assertThat(m.subject()).isEqualTo("[barmand backup1] NOT restorable: pg1; FAILED: pg1 restore test from S3, pg1 "
                + "restore test from S3 missed");
        assertThat(m.text()).contains("success 3h 59m ago, RTO 11.0s (from Barman); failed 18h 59m ago (from S3)")
                .contains("pg1 restore-test missed").contains("of its schedule from S3 (restore-test.s3.schedule)");
        JsonNode pg1 = new ObjectMapper().readTree(m.json()).path("servers").get(0);
        assertThat(pg1.path("lastRestoreTest").path("runId").asLong()).isEqualTo(fromBarman);
        assertThat(pg1.path("lastRestoreTest").path("source").asText()).isEqualTo("barman");
        assertThat(pg1.path("lastRestoreTestS3").path("runId").asLong()).isEqualTo(fromS3);
        assertThat(pg1.path("lastRestoreTestS3").path("outcome").asText()).isEqualTo("failed");
    }

    /** Issue 22: 26 failed checks in the night are one line, with their count and first and last time. */
    @Test
    void failuresOfTheSameKindAreOneLineWithTheirCountAndEachRunStaysInTheHtmlAndJson() throws Exception {
        nights(1);
        Instant t = day0.plus(Duration.ofHours(17)).plus(Duration.ofMinutes(44));
        for (int i = 0; i < 26; i++) {
            long id = store.start("pg1", "check", Trigger.SCHEDULED, t.plusSeconds(60L * i));
            store.finish(id, Outcome.FAILED, t.plusSeconds(60L * i + 2), 2000, new RunFigures(null, null, null,
                    List.of("postgresql", "receive_wal_running"), null, null));
        }
        long other = store.start("pg2", "backup", Trigger.MANUAL, t.plusSeconds(90));
        store.finish(other, Outcome.FAILED, t.plusSeconds(95), 5000, RunFigures.error("barman backup exited 1: disk full"));
        clock.set(day0.plus(Duration.ofHours(22)));
        ReportService.Made m = service().make(Duration.ofHours(24));
        assertThat(m.text()).contains("Failed, skipped and missed runs since 2026-11-19 22:00:00 UTC (27, one line per kind; each "
                        + "run in the HTML and JSON)\n"
                        + "  pg1 check failed 26 times since 2026-11-20 17:44:00 UTC (last 2026-11-20 18:09:00 UTC): failed checks: "
                        + "postgresql, receive_wal_running\n"
                        + "  2026-11-20 17:45:30 UTC  pg2 backup failed (manual, run " + other + "): barman backup exited 1: disk full\n");
        assertThat(m.html()).contains("pg1 check failed 26 times since").contains("<summary>Each run (27)</summary>");
        // the group, each of the 26 runs, and the problem of the newest check
        assertThat(m.html().split("failed checks: postgresql, receive_wal_running", -1)).hasSize(29);
        JsonNode j = new ObjectMapper().readTree(m.json());
        assertThat(j.path("troubles")).hasSize(27);
        JsonNode g = j.path("troubleGroups").get(0);
        assertThat(g.path("count").asInt()).isEqualTo(26);
        assertThat(g.path("first").asText()).isEqualTo("2026-11-20T17:44:00Z");
        assertThat(g.path("last").asText()).isEqualTo("2026-11-20T18:09:00Z");
        assertThat(g.path("runIds")).hasSize(26);
        // pg2: backups but never restore-tested; pg1: proven the same day
        assertThat(m.subject()).startsWith("[barmand backup1] at risk: pg2; FAILED: pg2 backup");
    }

    @Test
    void theReportListsWhatRetentionDidAndARefusedRunIsACriticalProblem() throws Exception {
        Path f = tmp.resolve("barmand.conf");
        Files.writeString(f, Files.readString(f).replace("servers { pg1 {}, pg2 {} }",
                "servers { pg1 { retention.enabled = true }, pg2 {} }"));
        settings = Settings.load(f, (bin, cf, t) -> Set.of("pg1", "pg2"));
        nights(2);
        Instant at = day0.plus(Duration.ofDays(1)).plus(Duration.ofHours(3));
        long ok = store.start("pg1", "retention", Trigger.AFTER_BACKUP, at);
        Facts facts = Facts.builder().count("backups", 9).count("deleted", 1).text("deleted-backups", "20261124T020000")
                .count("standalone", 1).count("released", 0).count("kept", 8).build();
        store.finish(ok, Outcome.SUCCESS, at.plusSeconds(3), 3000, new RunFigures(null, null, null, List.of(), null,
                io.barmand.retention.RetentionText.detail(facts), facts));
        clock.set(day0.plus(Duration.ofDays(1)).plus(Duration.ofHours(7)));
        ReportService.Made m = service().make(Duration.ofHours(24));
        assertThat(m.text()).contains("pg1: success: local: 1 deleted (20261124T020000), 1 kept standalone, 0 released, 8 kept")
                .contains("pg2: barmand deletes no backup: Barman's retention_policy 'REDUNDANCY 2' applies (barman cron)");
        assertThat(m.subject()).doesNotContain("retention");
        // a refused run: nothing deleted, but someone must look
        long refused = store.start("pg1", "retention", Trigger.MANUAL, at.plus(Duration.ofHours(1)));
        store.finish(refused, Outcome.FAILED, at.plus(Duration.ofHours(1)).plusSeconds(2), 2000, new RunFigures(null, null,
                null, List.of("refused"), "local: would delete 6 of 9 DONE backups, more than half: nothing deleted", null,
                Facts.NONE));
        ReportService.Made m2 = service().make(Duration.ofHours(24));
        assertThat(m2.subject()).contains("pg1 retention");
        assertThat(m2.text()).contains("pg1: failed: local: would delete 6 of 9 DONE backups, more than half");
    }

    @Test
    void theJobSavesTheReportAndSaysItWasNotMailedWithoutRecipients() throws Exception {
        nights(2);
        clock.set(day0.plus(Duration.ofDays(1)).plus(Duration.ofHours(7)));
        var res = service().execute(io.barmand.job.RunContext.of("", settings.hostJobs().get(io.barmand.config.JobKind.REPORT),
                io.barmand.job.RunOptions.NONE));
        assertThat(res.success()).isTrue();
        // pg2 has backups but was never restore-tested: not "OK: 2 servers"
        assertThat(res.figures().detail()).contains("\"[barmand backup1] at risk: pg2\" saved as ")
                .contains("(mail.to is empty: not mailed)");
        Path reports = settings.stateDir().resolve("reports");
        try (var l = Files.list(reports)) {
            assertThat(l.map(p -> p.getFileName().toString().replaceAll("\\d{8}T\\d{6}Z", "T")).sorted().toList())
                    .containsExactly("report-T-trend--host.png", "report-T-trend-pg2.png", "report-T.html", "report-T.json",
                            "report-T.txt");
        }
        assertThat(res.figures().facts().text("verdict")).contains("at risk: pg2");
        assertThat(res.figures().facts().count("servers")).contains(2L);
    }
}
