package io.barmand.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.barmand.config.Settings;
import io.barmand.health.Health;
import io.barmand.history.Outcome;
import io.barmand.history.RunFigures;
import io.barmand.history.RunStore;
import io.barmand.history.Trigger;
import io.barmand.mail.Outbox;
import io.barmand.mail.Sender;
import io.barmand.process.CommandRunner;
import io.barmand.testing.FakeBarman;
import io.barmand.testing.HookServer;
import io.barmand.testing.MutableClock;
import io.barmand.webhook.Webhooks;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerts and "recovered" posted to webhooks beside the mail: a real SMTP server (GreenMail) and a real HTTP server
 * (the JDK's) in this JVM, the problems from a real history store.
 */
class AlertWebhookTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    @TempDir
    Path tmp;
    final HookServer server = new HookServer();
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T05:57:00Z"));
    RunStore store;
    Settings settings;
    Webhooks webhooks;

    void configure(String webhookList, boolean mail) throws Exception {
        FakeBarman barman = new FakeBarman(tmp.resolve("bin"));
        Path f = tmp.resolve("barmand.conf");
        Files.writeString(f, "barmand {\n  barman.binary = \"" + barman.script() + "\"\n  state-dir = \"" + tmp
                + "/state\"\n  control-socket = \"" + tmp + "/c.sock\"\n  history.prune.schedule = off\n"
                + "  report { schedule = off, host-name = \"backup1\" }\n  alerts { webhooks = [" + webhookList + "] }\n"
                + (mail ? "  mail { to = [\"dba@example.net\"], from = \"barmand@backup1.example.net\", "
                + "smtp { host = \"127.0.0.1\", port = " + smtp.getSmtp().getPort() + ", security = none } }\n" : "")
                + "  defaults { timezone = \"Europe/Paris\", check.schedule = off, switch-wal.schedule = off, "
                + "backup.schedule = off, verify.schedule = off }\n  servers { pg1 {} }\n}\n");
        settings = Settings.load(f, (bin, cf, t) -> Set.of("pg1"));
        store = RunStore.open(settings.stateDir(), true);
        webhooks = new Webhooks(settings.stateDir(), settings.webhooks(), settings.mail().retryInitial(),
                settings.mail().retryMax(), clock, "test");
    }

    @AfterEach
    void close() {
        if (webhooks != null) {
            webhooks.close();
        }
        if (store != null) {
            store.close();
        }
        server.close();
    }

    AlertService alerts(boolean mail) {
        Optional<Outbox> o = mail ? Optional.of(new Outbox(settings.stateDir(), settings.mail(), new Sender(settings.mail(),
                new CommandRunner(clock, Duration.ofSeconds(1))), clock)) : Optional.empty();
        return new AlertService(settings.report(), new Health(settings, store, s -> Optional.empty()), o, Optional.of(webhooks),
                settings.stateDir(), settings.hostTimezone(), clock);
    }

    long backup(Outcome outcome) {
        long id = store.start("pg1", "backup", Trigger.SCHEDULED, clock.instant());
        clock.advance(Duration.ofSeconds(70));
        store.finish(id, outcome, clock.instant(), 70_000, outcome == Outcome.SUCCESS
                ? new RunFigures("20261207T055700", 1L, 1L, List.of(), null, null)
                : RunFigures.error("barman backup exited 1: ERROR: Impossible to start the backup. Check the log for more details"));
        return id;
    }

    String hook(String path, String format) {
        return "{ name = \"" + format + "\", url = \"" + server.url(path) + "\", format = " + format + " }";
    }

    @Test
    void theAlertAndItsRecoveredPostedInBothFormatsWithTheMailsWords() throws Exception {
        configure(hook("/services/T0/B0/secret", "slack") + ", " + hook("/barmand", "json"), true);
        AlertService a = alerts(true);
        long run = backup(Outcome.FAILED);
        assertThat(a.evaluate()).extracting(AlertService.Sent::kind).containsExactly("alert");
        assertThat(webhooks.flush()).isEqualTo(2);
        clock.advance(Duration.ofMinutes(40));
        backup(Outcome.SUCCESS);
        assertThat(a.evaluate()).extracting(AlertService.Sent::kind).containsExactly("recovered");
        assertThat(webhooks.flush()).isEqualTo(2);

        MimeMessage[] mails = smtp.getReceivedMessages();
        assertThat(mails).hasSize(2);
        List<HookServer.Request> slack = server.received().stream().filter(r -> r.path().startsWith("/services")).toList();
        List<HookServer.Request> json = server.received().stream().filter(r -> r.path().equals("/barmand")).toList();
        assertThat(slack).hasSize(2);
        assertThat(json).hasSize(2);
        // Slack: the mail's subject, then its first lines
        for (int i = 0; i < 2; i++) {
            String body = ((String) mails[i].getContent()).replace("\r\n", "\n");
            String text = JSON.readTree(slack.get(i).body()).path("text").asText();
            assertThat(text).isEqualTo(mails[i].getSubject() + "\n" + body.substring(0, body.indexOf("\n\n")));
        }
        assertThat(JSON.readTree(slack.get(0).body()).path("text").asText()).isEqualTo("[barmand backup1] CRITICAL: pg1 backup\n"
                + "backup failed (run " + run + ", 2026-12-07T05:58:10Z): barman backup exited 1: ERROR: Impossible to start the "
                + "backup. Check the log for more details");
        // JSON: typed fields, the same problem in its alert and its recovered
        JsonNode alert = JSON.readTree(json.get(0).body());
        JsonNode recovered = JSON.readTree(json.get(1).body());
        assertThat(alert.path("event").asText()).isEqualTo("alert");
        assertThat(alert.path("host").asText()).isEqualTo("backup1");
        assertThat(alert.path("server").asText()).isEqualTo("pg1");
        assertThat(alert.path("key").asText()).isEqualTo("backup");
        assertThat(alert.path("job").asText()).isEqualTo("backup");
        assertThat(alert.path("severity").asText()).isEqualTo("CRITICAL");
        assertThat(alert.path("run").asLong()).isEqualTo(run);
        assertThat(alert.path("since").asText()).isEqualTo("2026-12-07T05:58:10Z");
        assertThat(alert.path("subject").asText()).isEqualTo(mails[0].getSubject());
        assertThat(recovered.path("event").asText()).isEqualTo("recovered");
        assertThat(recovered.path("subject").asText()).isEqualTo(mails[1].getSubject());
        for (String same : List.of("host", "server", "key", "job", "severity", "run", "since", "problem")) {
            assertThat(recovered.path(same)).as(same).isEqualTo(alert.path(same));
        }
        assertThat(recovered.path("at").asText()).isEqualTo(clock.instant().toString());
        // the bodies as sent, for docs/alerts.md
        Path out = Path.of("target/webhook-payloads");
        Files.createDirectories(out);
        Files.writeString(out.resolve("slack-alert.json"), slack.get(0).body());
        Files.writeString(out.resolve("json-alert.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(alert));
        Files.writeString(out.resolve("json-recovered.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(recovered));
    }

    @Test
    void aWebhookThatNeverAnswersDelaysNeitherTheMailNorTheEvaluation() throws Exception {
        server.hang();
        configure("{ url = \"" + server.url("/barmand") + "\", format = json, timeout = 30s }", true);
        webhooks.start(Duration.ofSeconds(30));
        AlertService a = alerts(true);
        backup(Outcome.FAILED);
        long t0 = System.nanoTime();
        assertThat(a.evaluate()).singleElement().satisfies(s -> assertThat(s.delivered()).as("the mail went").isTrue());
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(smtp.getReceivedMessages()).hasSize(1);
        // the webhook has the request and holds it; the evaluation did not wait for it (its timeout is 30 s)
        assertThat(server.next()).isNotNull();
        assertThat(took).isLessThan(Duration.ofSeconds(10));
        assertThat(webhooks.status()).singleElement().satisfies(s -> assertThat(s.pending()).isEqualTo(1));
    }

    @Test
    void withoutMailTheWebhooksStillGetTheAlerts() throws Exception {
        configure(hook("/barmand", "json"), false);
        assertThat(settings.mail().enabled()).isFalse();
        AlertService a = alerts(false);
        backup(Outcome.FAILED);
        assertThat(a.evaluate()).singleElement().satisfies(s -> {
            assertThat(s.kind()).isEqualTo("alert");
            assertThat(s.delivered()).as("no mail").isFalse();
        });
        assertThat(webhooks.flush()).isEqualTo(1);
        assertThat(JSON.readTree(server.received().get(0).body()).path("event").asText()).isEqualTo("alert");
        assertThat(a.evaluate()).as("told once").isEmpty();
    }
}
