package io.barmand.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.barmand.config.Settings;
import io.barmand.health.Health;
import io.barmand.history.Facts;
import io.barmand.history.Outcome;
import io.barmand.history.RunFigures;
import io.barmand.history.RunStore;
import io.barmand.history.Trigger;
import io.barmand.testing.FakeBarman;
import io.barmand.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mail of 200 servers stays a mail: the whole host's chart and one per server that needs attention, the others a
 * line each, under 1 MB with the charts as a mail carries them (base64). A size, not a time.
 */
class ReportSizeTest {
    @TempDir
    Path tmp;
    final Instant day0 = Instant.parse("2026-11-20T00:00:00Z");
    final MutableClock clock = new MutableClock(day0);
    static final java.time.format.DateTimeFormatter ID = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss")
            .withZone(java.time.ZoneOffset.UTC);

    Settings settings(int servers) throws Exception {
        FakeBarman barman = new FakeBarman(tmp.resolve("bin"));
        Set<String> names = IntStream.rangeClosed(1, servers).mapToObj(i -> "pg" + i).collect(Collectors.toSet());
        Path f = tmp.resolve("barmand.conf");
        Files.writeString(f, "barmand {\n  barman.binary = \"" + barman.script() + "\"\n  state-dir = \"" + tmp
                + "/state\"\n  control-socket = \"" + tmp + "/c.sock\"\n  history.prune.schedule = off\n"
                + "  report { schedule = off, host-name = \"backup1\" }\n"
                + "  defaults { check.schedule = off, switch-wal.schedule = off, verify.schedule = off, backup.schedule = \"0 0 2 * * ?\" }\n"
                + "  servers { " + names.stream().sorted().map(n -> n + " {}").collect(Collectors.joining(", ")) + " }\n}\n");
        return Settings.load(f, (bin, cf, t) -> names);
    }

    /**
     * 200 servers, 14 nights of backups and a restore test every other day each; pg1-pg5's last backup failed, pg6
     * was never restore-tested (at risk), pg7 has one failed check; pg8 only a skipped run (not a failure).
     */
    @Test
    void twoHundredServersMakeAMailUnderOneMegabyteWithChartsForTheServersInTroubleOnly() throws Exception {
        Settings s = settings(200);
        try (RunStore store = RunStore.open(s.stateDir(), true)) {
            store.recordDaemonStart(day0, "test");
            for (int d = 0; d < 14; d++) {
                Instant at = day0.plus(Duration.ofDays(d)).plus(Duration.ofHours(2));
                for (int i = 1; i <= 200; i++) {
                    String server = "pg" + i;
                    long id = store.start(server, "backup", Trigger.SCHEDULED, at);
                    boolean fails = d == 13 && i <= 5;
                    long size = (20L + i % 50) * 1_073_741_824L + d * 1_048_576L * i;
                    store.finish(id, fails ? Outcome.FAILED : Outcome.SUCCESS, at.plusSeconds(600 + i + d), (600L + i + d) * 1000,
                            fails ? RunFigures.error("barman backup exited 1: disk full") : new RunFigures(ID.format(at), size,
                                    size / 600, List.of(), null, null, Facts.builder().bytes("size", size).build()));
                    if (d % 2 == 1 && i != 6) {
                        long t = store.start(server, "restore-test", Trigger.SCHEDULED, at.plus(Duration.ofHours(3)));
                        store.finish(t, Outcome.SUCCESS, at.plus(Duration.ofHours(3)).plusSeconds(150), 150_000,
                                new RunFigures(null, null, null, List.of(), null, null,
                                        Facts.builder().seconds("rto", 120.0 + (i + d) % 60).build()));
                    }
                }
            }
            Instant last = day0.plus(Duration.ofDays(13)).plus(Duration.ofHours(4));
            long c = store.start("pg7", "check", Trigger.SCHEDULED, last);
            store.finish(c, Outcome.FAILED, last.plusSeconds(2), 2000, new RunFigures(null, null, null, List.of("postgresql"),
                    null, null));
            store.skipped("pg8", "check", Trigger.SCHEDULED, last, "server pg8 busy: check");
            clock.set(day0.plus(Duration.ofDays(13)).plus(Duration.ofHours(7)));
            ReportService svc = new ReportService(s.report(), s.servers(), store, new Health(s, store, x -> Optional.empty()),
                    () -> Map.of("state", s.stateDir()), Optional.empty(), s.stateDir(), s.hostTimezone(), clock, Map::of);

            ReportService.Made m = svc.make(Duration.ofHours(24));

            assertThat(m.data().servers()).hasSize(200);
            assertThat(m.data().charted()).containsExactly("", "pg1", "pg2", "pg3", "pg4", "pg5", "pg6", "pg7");
            assertThat(m.charts()).containsOnlyKeys("", "pg1", "pg2", "pg3", "pg4", "pg5", "pg6", "pg7");
            long mail = mailBytes(m);
            assertThat(mail).isLessThan(1_000_000);
            // the bound bites: a chart for each of the 200 servers would not fit in it
            double perChart = m.charts().values().stream().mapToInt(p -> Base64.getEncoder().encode(p).length).average()
                    .orElseThrow();
            assertThat(perChart * 200).isGreaterThan(1_000_000);
            // every server is still in the HTML and the text, and every point in the JSON
            assertThat(m.html()).contains("<li><b>pg200</b>: 14 backup(s)").contains("<img src=\"cid:trend-pg7\"")
                    .doesNotContain("cid:trend-pg8\"").contains("<b>All 200 servers</b>");
            assertThat(m.text()).contains("  pg200: 14 backup(s)");
            assertThat(m.json()).contains("\"server\" : \"pg200\"");
            System.out.printf("report of 200 servers: mail %d bytes (HTML %d, text %d, %d charts %d bytes in base64)%n",
                    mail, m.html().length(), m.text().length(), m.charts().size(), mail - m.html().length() - m.text().length());
        }
    }

    @Test
    void noMoreThanMaxChartsWhenEveryServerIsInTroubleTheWorstFirst() {
        List<io.barmand.health.Restorability> r = new ArrayList<>();
        List<ReportData.Trouble> troubles = new ArrayList<>();
        Instant t = Instant.parse("2026-12-08T07:00:00Z");
        for (int i = 1; i <= 100; i++) {
            var verdict = i == 50 ? io.barmand.vocabulary.Restorable.NOT_RESTORABLE : i == 60
                    ? io.barmand.vocabulary.Restorable.AT_RISK : io.barmand.vocabulary.Restorable.RESTORABLE;
            r.add(new io.barmand.health.Restorability("pg" + i, verdict, Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), List.of()));
            // a night the daemon was down: every server missed its backup; pg70 also has a failed run
            troubles.add(new ReportData.Trouble("pg" + i, "backup", "missed", t, 0, "scheduled", 1, "no run"));
        }
        troubles.add(new ReportData.Trouble("pg70", "check", "failed", t, 7, "scheduled", 1, "failed checks: postgresql"));
        List<String> c = ReportBuilder.charted(r, troubles);
        assertThat(c).hasSize(1 + ReportBuilder.MAX_CHARTS);
        assertThat(c.subList(0, 5)).containsExactly("", "pg50", "pg60", "pg70", "pg1");
        // one server: its own chart is the host's
        assertThat(ReportBuilder.charted(r.subList(0, 1), troubles)).containsExactly("pg1");
    }

    /** What the mail carries: the text and HTML parts, each chart in base64 (headers left out). */
    static long mailBytes(ReportService.Made m) {
        return m.text().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                + m.html().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                + m.charts().values().stream().mapToLong(p -> Base64.getMimeEncoder().encode(p).length).sum();
    }
}
