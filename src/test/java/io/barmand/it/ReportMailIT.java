package io.barmand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.barmand.history.RunStore;
import io.barmand.history.Sizes;
import io.barmand.testing.HookServer;
import io.barmand.it.Barmand.Cli;
import io.barmand.it.Barmand.Daemon;
import io.barmand.testing.ItServerLock;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The packaged daemon, real PostgreSQL 15 and Barman 3.4, and a real SMTP server (GreenMail in this JVM, on
 * loopback): the morning report, alerts, an SMTP server that is down, a login that is refused.
 */
@ResourceLock(ItServerLock.ITPG)
@ResourceLock(ItServerLock.CLUSTER)
@ExtendWith({ItServerLock.class, BarmanFixture.class})
class ReportMailIT {
    @TempDir
    Path dir;
    Path log;
    int port;
    GreenMail smtp;

    @BeforeEach
    void setUp() throws Exception {
        BarmanFixture.ready();
        log = dir.resolve("barmand.log");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        smtp = start();
    }

    GreenMail start() {
        GreenMail g = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP))
                .withConfiguration(GreenMailConfiguration.aConfig().withUser("barmand", "right-password"));
        g.start();
        return g;
    }

    @AfterEach
    void tearDown() {
        if (smtp != null) {
            smtp.stop();
        }
    }

    Path conf(String more) throws Exception {
        return conf(more, "itpg {}");
    }

    Path conf(String more, String servers) throws Exception {
        return BarmanFixture.barmandConf(dir, """
                  report.host-name = "itbackup"
                  mail {
                    to = ["dba@example.net"]
                    from = "barmand@itbackup.example.net"
                    smtp { host = "127.0.0.1", port = %d, security = none }
                    retry { initial = 2s, max = 4s }
                  }
                  alerts.interval = 2s
                %s
                  servers { %s }
                """.formatted(port, more, servers));
    }

    static List<String> subjects(GreenMail g) {
        return Arrays.stream(g.getReceivedMessages()).map(ReportMailIT::subject).toList();
    }

    static String subject(MimeMessage m) {
        try {
            return m.getSubject();
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode byServer(JsonNode array, String server) {
        for (JsonNode n : array) {
            if (n.path("server").asText().equals(server)) {
                return n;
            }
        }
        throw new AssertionError("no " + server + " in " + array);
    }

    static JsonNode lastRun(Path conf, String job) throws Exception {
        return Barmand.history(conf).stream().filter(r -> r.path("job").asText().equals(job)).findFirst().orElseThrow();
    }

    /**
     * Also issue 22's verdicts for real: itpg restorable after a real backup and a real restore test (Barman's own
     * files read for its newest DONE backup and WAL chain), itbad (Barman knows it, its PostgreSQL is absent) NOT
     * restorable: in the subject, the report's first table, its JSON, status --json and the metrics.
     */
    @Test
    void theMorningReportArrivesWithBothPartsTheChartAndTheFiguresOfTheHistory() throws Exception {
        int metricsPort;
        try (ServerSocket s = new ServerSocket(0)) {
            metricsPort = s.getLocalPort();
        }
        // the restore test runs as barman: its scratch folder where barman may write
        Path scratchRoot = Files.createTempDirectory(Path.of("/var/tmp"), "barmand-reportmail-");
        Files.setPosixFilePermissions(scratchRoot, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path conf = conf("  metrics.listen = \"127.0.0.1:" + metricsPort + "\"", "itpg { restore-test { scratch-dir = \""
                + scratchRoot.resolve("scratch") + "\", port-range = \"54450-54459\" } }, itbad {}");
        try (Daemon d = Daemon.start(conf, log)) {
            Cli b = Barmand.cli("run-now", "backup", "itpg", "--config", conf.toString());
            assertThat(b.exit()).as("backup: %s %s\n%s", b.out(), b.err(), d.logText()).isZero();
            JsonNode backup = lastRun(conf, "backup");
            Cli t = Barmand.cli("run-now", "restore-test", "itpg", "--config", conf.toString());
            assertThat(t.exit()).as("restore test: %s %s\n%s", t.out(), t.err(), d.logText()).isZero();
            JsonNode test = lastRun(conf, "restore-test");
            // the daemon's metrics endpoint says the same, from Barman's own catalogue and from the history
            var http = java.net.http.HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                String body = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + metricsPort
                        + "/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                assertThat(body).containsPattern("(?m)^barmand_last_run_success\\{kind=\"backup\",server=\"itpg\"} 1(\\.0)?$")
                        .containsPattern("(?m)^barman_last_backup\\{server=\"itpg\"} [0-9.E]+$")
                        .containsPattern("(?m)^barman_backups_total\\{server=\"itpg\"} [1-9]")
                        .containsPattern("(?m)^barmand_restorable\\{server=\"itpg\"} 2(\\.0)?$")
                        .containsPattern("(?m)^barmand_restorable\\{server=\"itbad\"} 0(\\.0)?$")
                        .containsPattern("(?m)^barmand_restorable_to_timestamp_seconds\\{server=\"itpg\",source=\"barman\"} [0-9.E]+$");
            });
            Cli r = Barmand.cli("run-now", "report", "--config", conf.toString());
            assertThat(r.exit()).as("report: %s %s\n%s", r.out(), r.err(), d.logText()).isZero();
            await().atMost(Duration.ofSeconds(30)).until(() -> smtp.getReceivedMessages().length == 1);
            MimeMessage m = smtp.getReceivedMessages()[0];
            assertThat(m.getSubject()).isEqualTo("[barmand itbackup] NOT restorable: itbad");
            assertThat(m.getFrom()[0].toString()).isEqualTo("barmand@itbackup.example.net");
            assertThat(m.getContentType()).startsWith("multipart/alternative");
            Multipart alt = (Multipart) m.getContent();
            assertThat(alt.getCount()).isEqualTo(2);
            String text = (String) alt.getBodyPart(0).getContent();
            assertThat(alt.getBodyPart(0).getContentType()).startsWith("text/plain");
            // the text part as received, for the docs' copy of a real report (target/ReportMailIT-report.txt)
            Files.writeString(Path.of("target", "ReportMailIT-report.txt"), m.getSubject() + "\n\n" + text);
            String size = Sizes.human(backup.path("sizeBytes").asLong());
            assertThat(text).containsPattern("itpg +OK +" + backup.path("backupId").asText()).contains(backup.path("backupId").asText() + ", ").contains(size)
                    .contains("Problems now: none").contains("1 backup(s)")
                    .containsPattern("itpg +restorable +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC +\\S+ +- +\\S+ ago, from Barman, RTO ")
                    .containsPattern("itbad +NOT restorable +- +- +- +never")
                    .containsPattern("itbad NOT restorable: no (DONE backup in Barman|successful backup recorded)");
            assertThat(text.indexOf("RESTORABLE TO")).isLessThan(text.indexOf("LAST BACKUP"));
            Multipart related = (Multipart) alt.getBodyPart(1).getContent();
            assertThat(alt.getBodyPart(1).getContentType()).startsWith("multipart/related");
            BodyPart html = related.getBodyPart(0);
            assertThat(html.getContentType()).startsWith("text/html");
            assertThat((String) html.getContent()).contains("NOT restorable: itbad").contains(">restorable</td>").contains(backup.path("backupId").asText())
                    .contains(size).contains("<img src=\"cid:trend--host\"").doesNotContain("cid:trend-itpg")
                    .contains("<li><b>itpg</b>: 1 backup(s)");
            BodyPart png = related.getBodyPart(1);
            assertThat(png.getContentType()).startsWith("image/png");
            // the whole host's chart; itpg is restorable with nothing failed (a line, no chart), itbad has no point to draw
            assertThat(((jakarta.mail.internet.MimeBodyPart) png).getContentID()).isEqualTo("<trend--host>");
            assertThat(related.getCount()).isEqualTo(2);
            try (InputStream in = png.getInputStream()) {
                assertThat(ImageIO.read(in).getWidth()).isEqualTo(640);
            }
            JsonNode run = lastRun(conf, "report");
            assertThat(run.path("outcome").asText()).isEqualTo("success");
            assertThat(run.path("facts").path("mail-state").path("value").asText()).isEqualTo("sent");
            // the same report on demand, as JSON
            Cli json = Barmand.cli("report", "--format", "json", "--config", conf.toString());
            assertThat(json.exit()).as(json.err()).isZero();
            JsonNode j = Barmand.JSON.readTree(json.out());
            JsonNode itpg = byServer(j.path("servers"), "itpg");
            assertThat(itpg.path("lastBackup").path("backupId").asText()).isEqualTo(backup.path("backupId").asText());
            assertThat(itpg.path("lastBackup").path("sizeBytes").asLong()).isEqualTo(backup.path("sizeBytes").asLong());
            JsonNode rj = byServer(j.path("restorability"), "itpg");
            assertThat(rj.path("verdict").asText()).isEqualTo("restorable");
            assertThat(rj.path("backupId").asText()).isEqualTo(backup.path("backupId").asText());
            assertThat(rj.path("lastProven").path("runId").asLong()).isEqualTo(test.path("id").asLong());
            assertThat(byServer(j.path("restorability"), "itbad").path("verdict").asText()).isEqualTo("not-restorable");
            // status --json: the same verdicts
            Cli st = Barmand.cli("status", "--json", "--config", conf.toString());
            JsonNode sj = Barmand.JSON.readTree(st.out());
            assertThat(sj.path("restorability")).extracting(x -> x.path("server").asText() + " " + x.path("verdict").asText())
                    .containsExactlyInAnyOrder("itpg restorable", "itbad not-restorable");
            JsonNode sr = byServer(sj.path("restorability"), "itpg");
            assertThat(sr.path("lastProven").path("source").asText()).isEqualTo("barman");
            assertThat(sr.path("lastProven").path("rtoSeconds").asDouble()).isPositive();
            assertThat(sr.path("rpoSeconds").asLong()).isBetween(0L, 3600L);
        } finally {
            try (Stream<Path> w = Files.walk(scratchRoot)) {
                w.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void aFailedBackupSendsOneAlertAndAGoodBackupOneRecoveredMail() throws Exception {
        // and posts both to a webhook (an HTTP server in this JVM), as JSON
        try (HookServer hooks = new HookServer()) {
            failedThenRecovered("  alerts.webhooks = [ { name = \"it\", url = \"" + hooks.url("/barmand") + "\", format = json } ]\n",
                    hooks);
        }
    }

    private void failedThenRecovered(String webhook, HookServer hooks) throws Exception {
        // backups cut short after 2 s, tried once more after 1 s: two failed runs, one problem
        Path bad = conf("  defaults.backup { timeout = 2s, retry { max = 1, after = 1s } }\n" + webhook);
        try (Daemon d = Daemon.start(bad, log)) {
            Barmand.cli("run-now", "backup", "itpg", "--config", bad.toString());
            await().atMost(Duration.ofMinutes(2)).until(() -> Barmand.history(bad).stream()
                    .filter(r -> r.path("job").asText().equals("backup") && r.path("outcome").asText().equals("failed")).count() == 2);
            await().atMost(Duration.ofSeconds(30)).until(() -> smtp.getReceivedMessages().length >= 1);
            // alerts are evaluated every 2 s: give a second alert every chance to appear
            Path state = dir.resolve("state/alerts.json");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(state)
                    && Files.getLastModifiedTime(state).toInstant().isAfter(Instant.now().minusSeconds(1)));
            await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10)).until(() -> true);
            assertThat(subjects(smtp)).as(d.logText()).containsExactly("[barmand itbackup] CRITICAL: itpg backup");
            assertThat((String) smtp.getReceivedMessages()[0].getContent()).contains("backup failed (run ")
                    .contains("ran past its timeout");
            await().atMost(Duration.ofSeconds(30)).until(() -> !hooks.received().isEmpty());
            JsonNode alert = Barmand.JSON.readTree(hooks.received().get(0).body());
            assertThat(alert.path("event").asText()).isEqualTo("alert");
            assertThat(alert.path("server").asText()).isEqualTo("itpg");
            assertThat(alert.path("job").asText()).isEqualTo("backup");
            assertThat(alert.path("host").asText()).isEqualTo("itbackup");
            // the failed run it was seen with: the first, or its retry
            assertThat(alert.path("run").asLong()).isIn(Barmand.history(bad).stream().filter(r -> r.path("job").asText()
                    .equals("backup")).map(r -> r.path("id").asLong()).toList().toArray());
            assertThat(alert.path("subject").asText()).isEqualTo("[barmand itbackup] CRITICAL: itpg backup");
            assertThat(d.stop(Duration.ofSeconds(60))).isIn(0, 143);
        }
        BarmanFixture.up();
        Path good = conf(webhook);
        try (Daemon d = Daemon.start(good, dir.resolve("barmand-2.log"))) {
            Cli b = Barmand.cli("run-now", "backup", "itpg", "--config", good.toString());
            assertThat(b.exit()).as(b.err()).isZero();
            await().atMost(Duration.ofSeconds(30)).until(() -> smtp.getReceivedMessages().length == 2);
            assertThat(subjects(smtp)).containsExactly("[barmand itbackup] CRITICAL: itpg backup",
                    "[barmand itbackup] RECOVERED: itpg backup");
            assertThat((String) smtp.getReceivedMessages()[1].getContent()).startsWith("itpg backup is OK again at ");
            await().atMost(Duration.ofSeconds(30)).until(() -> hooks.received().size() >= 2);
            JsonNode recovered = Barmand.JSON.readTree(hooks.received().get(1).body());
            assertThat(recovered.path("event").asText()).isEqualTo("recovered");
            assertThat(recovered.path("run")).isEqualTo(Barmand.JSON.readTree(hooks.received().get(0).body()).path("run"));
            assertThat(hooks.received()).as("each delivered once").hasSize(2);
            // logged once the answer is read, just after the server has the request
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(d.logText())
                    .contains("webhook it: recovered \"[barmand itbackup] RECOVERED: itpg backup\" delivered to http://127.0.0.1:")
                    .contains(": HTTP 200 (attempt 1, "));
        }
    }

    @Test
    void aReportMadeWhileSmtpIsDownIsRecordedKeptAndDeliveredWhenItReturns() throws Exception {
        Path conf = conf("");
        smtp.stop();
        try (Daemon d = Daemon.start(conf, log)) {
            Cli r = Barmand.cli("run-now", "report", "--config", conf.toString());
            assertThat(r.exit()).as("the report run failed: %s", r.out()).isEqualTo(1);
            JsonNode run = lastRun(conf, "report");
            assertThat(run.path("outcome").asText()).isEqualTo("failed");
            assertThat(run.path("error").asText()).contains("not sent: cannot reach SMTP server 127.0.0.1:" + port)
                    .contains("kept in " + dir.resolve("state/outbox"));
            Path outbox = dir.resolve("state/outbox");
            try (Stream<Path> l = Files.list(outbox)) {
                assertThat(l.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".eml")).toList()).hasSize(1);
            }
            // the daemon tries again every 2-4 s; SMTP comes back
            await().atMost(Duration.ofSeconds(30)).until(() -> d.logText().contains("attempt 2 failed"));
            smtp = start();
            await().atMost(Duration.ofSeconds(30)).until(() -> smtp.getReceivedMessages().length == 1);
            // itpg never restore-tested in this state: at risk (NOT restorable if no backup is left from other tests)
            assertThat(smtp.getReceivedMessages()[0].getSubject()).matches("\\[barmand itbackup] (at risk|NOT restorable): itpg");
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                try (Stream<Path> l = Files.list(outbox)) {
                    return l.noneMatch(p -> p.toString().endsWith(".eml"));
                }
            });
            Path sent;
            try (Stream<Path> l = Files.list(outbox.resolve("sent"))) {
                sent = l.findFirst().orElseThrow();
            }
            JsonNode rec = Barmand.JSON.readTree(sent.toFile());
            assertThat(rec.path("attempts").asInt()).isGreaterThanOrEqualTo(3);
            assertThat(rec.path("lastError").asText()).contains("cannot reach SMTP server 127.0.0.1:" + port);
            assertThat(rec.path("sentAt").asText()).isNotEmpty();
            assertThat(d.logText()).containsPattern("mail \\S+ \"\\[barmand itbackup\\] (at risk|NOT restorable): itpg\" sent to dba@example.net");
        }
    }

    @Test
    void aRefusedLoginIsAClearFailureNamingTheServer() throws Exception {
        Path secrets = dir.resolve("smtp.secrets");
        Files.writeString(secrets, "user = barmand\npassword = wrong-password\n");
        Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rw-------"));
        Path conf = conf("  mail.smtp.secrets-file = \"" + secrets + "\"");
        try (RunStore s = RunStore.open(dir.resolve("state"), true)) {
            s.recordDaemonStart(Instant.now(), "test");
        }
        Cli r = Barmand.cli("report", "--send", "--config", conf.toString());
        assertThat(r.exit()).as(r.out()).isEqualTo(69);
        assertThat(r.err()).contains("SMTP server 127.0.0.1:" + port + " refused the login of 'barmand' (from " + secrets + ")")
                .contains("kept in " + dir.resolve("state/outbox"));
        assertThat(smtp.getReceivedMessages()).isEmpty();
        // the right one: delivered
        Files.writeString(secrets, "user = barmand\npassword = right-password\n");
        Cli ok = Barmand.cli("report", "--send", "--config", conf.toString());
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("sent to dba@example.net through smtp 127.0.0.1:" + port + " (none)");
        assertThat(smtp.getReceivedMessages()).hasSize(1);
    }
}
