package io.barmand.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.barmand.config.WebhookSettings;
import io.barmand.testing.HookServer;
import io.barmand.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Webhooks against a real HTTP server on loopback (the JDK's HttpServer). */
class WebhooksTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration RETRY = Duration.ofMinutes(1);

    @TempDir
    Path tmp;
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T06:58:00Z"));
    final HookServer server = new HookServer();
    final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    final Logger logger = (Logger) LoggerFactory.getLogger(Webhooks.class);

    @BeforeEach
    void listen() {
        logs.start();
        logger.addAppender(logs);
    }

    @AfterEach
    void close() {
        logger.detachAppender(logs);
        server.close();
    }

    static Event failedBackup(Instant at) {
        return new Event("alert", "backup1", "pg1", "backup", Optional.of("backup"), "CRITICAL", "pg1 backup",
                "backup failed (run 41, 2026-12-07T06:57:10Z): barman backup exited 1: ERROR: cannot connect",
                Instant.parse("2026-12-07T06:57:10Z"), at, OptionalLong.of(41), "[barmand backup1] CRITICAL: pg1 backup",
                "backup failed (run 41, 2026-12-07T06:57:10Z): barman backup exited 1: ERROR: cannot connect\n\n"
                        + "Since 2026-12-07 07:57 CET. You get one more mail when it is OK again.\n\nAll problems now (1): ...\n");
    }

    WebhookSettings hook(String name, String path, WebhookSettings.Format f, Optional<Path> secret, Duration timeout) {
        return new WebhookSettings(name, server.url(path), f, secret, timeout);
    }

    Webhooks webhooks(WebhookSettings... hooks) {
        return new Webhooks(tmp.resolve("state"), List.of(hooks), RETRY, Duration.ofMinutes(8), clock, "1.2.3");
    }

    List<JsonNode> records(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".json") && !p.getFileName().toString().startsWith("last-"))
                    .sorted().map(p -> {
                        try {
                            return JSON.readTree(p.toFile());
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }).toList();
        }
    }

    @Test
    void slackAndJsonBodiesTheSignatureChecksOut() throws Exception {
        Path secret = tmp.resolve("hook.secret");
        Files.writeString(secret, "correct horse battery staple\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Webhooks w = webhooks(hook("chat", "/services/T0/B0/XYZ", WebhookSettings.Format.SLACK, Optional.empty(), Duration.ofSeconds(5)),
                hook("pager", "/barmand", WebhookSettings.Format.JSON, Optional.of(secret), Duration.ofSeconds(5)));
        w.post(failedBackup(clock.instant()));
        assertThat(server.received()).as("post only keeps; the HTTP requests are flush's").isEmpty();
        assertThat(w.flush()).isEqualTo(2);

        HookServer.Request slack = server.received().stream().filter(r -> r.path().startsWith("/services")).findFirst().orElseThrow();
        assertThat(JSON.readTree(slack.body())).isEqualTo(JSON.readTree("""
                {"text": "[barmand backup1] CRITICAL: pg1 backup\\nbackup failed (run 41, 2026-12-07T06:57:10Z): barman backup exited 1: ERROR: cannot connect"}"""));
        assertThat(slack.header("Content-Type")).isEqualTo("application/json; charset=utf-8");
        assertThat(slack.header(Webhooks.SIGNATURE)).as("no secret-file, no signature").isNull();

        HookServer.Request json = server.received().stream().filter(r -> r.path().equals("/barmand")).findFirst().orElseThrow();
        JsonNode doc = JSON.readTree(json.body());
        assertThat(doc.path("event").asText()).isEqualTo("alert");
        assertThat(doc.path("host").asText()).isEqualTo("backup1");
        assertThat(doc.path("server").asText()).isEqualTo("pg1");
        assertThat(doc.path("job").asText()).isEqualTo("backup");
        assertThat(doc.path("severity").asText()).isEqualTo("CRITICAL");
        assertThat(doc.path("run").isIntegralNumber()).isTrue();
        assertThat(doc.path("run").asLong()).isEqualTo(41);
        assertThat(doc.path("since").asText()).isEqualTo("2026-12-07T06:57:10Z");
        assertThat(doc.path("at").asText()).isEqualTo("2026-12-07T06:58:00Z");
        assertThat(doc.path("problem").asText()).startsWith("backup failed (run 41");
        assertThat(json.header("X-Barmand-Event")).isEqualTo("alert");
        assertThat(json.header("User-Agent")).isEqualTo("barmand/1.2.3");
        // what a receiver does: HMAC-SHA256 of the raw body with the shared secret
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("correct horse battery staple".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = "sha256=" + HexFormat.of().formatHex(mac.doFinal(json.body().getBytes(StandardCharsets.UTF_8)));
        assertThat(json.header(Webhooks.SIGNATURE)).isEqualTo(expected);
        // a body changed on the way fails the check
        assertThat(json.header(Webhooks.SIGNATURE)).isNotEqualTo("sha256=" + Webhooks.sign("correct horse battery staple",
                json.body().replace("pg1", "pg2").getBytes(StandardCharsets.UTF_8)));

        // recorded: both in webhooks/sent with their HTTP status; nothing kept
        assertThat(records(tmp.resolve("state/webhooks"))).isEmpty();
        assertThat(records(tmp.resolve("state/webhooks/sent"))).extracting(r -> r.path("lastStatus").asInt()).containsExactly(200, 200);
        assertThat(w.status()).allSatisfy(s -> {
            assertThat(s.lastSuccess()).contains(clock.instant());
            assertThat(s.pending()).isZero();
        });
        assertThat(logs.list).filteredOn(e -> e.getLevel() == Level.INFO).extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(m -> assertThat(m).startsWith("webhook chat: alert \"[barmand backup1] CRITICAL: pg1 backup\" "
                        + "delivered to http://127.0.0.1:" + server.url("/").getPort() + "/…: HTTP 200 (attempt 1, "))
                .noneSatisfy(m -> assertThat(m).contains("XYZ"));
    }

    @Test
    void a500ThenA200IsRetriedAndDeliveredOnce() throws Exception {
        server.answer(500);
        Webhooks w = webhooks(hook("pager", "/barmand", WebhookSettings.Format.JSON, Optional.empty(), Duration.ofSeconds(5)));
        w.post(failedBackup(clock.instant()));
        assertThat(w.flush()).isZero();
        assertThat(server.received()).hasSize(1);
        JsonNode kept = records(tmp.resolve("state/webhooks")).get(0);
        assertThat(kept.path("attempts").asInt()).isEqualTo(1);
        assertThat(kept.path("lastStatus").asInt()).isEqualTo(500);
        assertThat(kept.path("lastError").asText()).isEqualTo("HTTP 500: boom");
        assertThat(kept.path("nextAttempt").asText()).isEqualTo(clock.instant().plus(RETRY).toString());
        assertThat(w.status()).singleElement().satisfies(s -> {
            assertThat(s.pending()).isEqualTo(1);
            assertThat(s.failing()).contains("HTTP 500: boom");
            assertThat(s.lastSuccess()).isEmpty();
        });

        clock.advance(Duration.ofSeconds(59));
        assertThat(w.flush()).as("not due yet").isZero();
        assertThat(server.received()).hasSize(1);
        clock.advance(Duration.ofSeconds(1));
        assertThat(w.flush()).isEqualTo(1);
        assertThat(w.flush()).as("delivered once").isZero();
        assertThat(server.received()).hasSize(2);
        assertThat(server.received().get(0).body()).isEqualTo(server.received().get(1).body());
        assertThat(records(tmp.resolve("state/webhooks/sent"))).singleElement().satisfies(r -> {
            assertThat(r.path("attempts").asInt()).isEqualTo(2);
            assertThat(r.path("lastStatus").asInt()).isEqualTo(200);
            assertThat(r.path("sentAt").asText()).isEqualTo(clock.instant().toString());
        });
        assertThat(w.status()).singleElement().satisfies(s -> {
            assertThat(s.pending()).isZero();
            assertThat(s.failing()).isEmpty();
        });
        // the failure logged once, at its start, and its end
        assertThat(logs.list).filteredOn(e -> e.getLevel() == Level.ERROR).singleElement()
                .extracting(ILoggingEvent::getFormattedMessage).asString()
                .contains("webhook pager: alert \"[barmand backup1] CRITICAL: pg1 backup\" not delivered to http://127.0.0.1:")
                .contains("HTTP 500: boom; kept in " + tmp.resolve("state/webhooks") + ", tried again in 60s");
        assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(m -> assertThat(m).startsWith("webhook pager works again, after 1 failed attempt(s) (the first: HTTP 500: boom)"));
        // a new process knows when it last worked
        assertThat(webhooks(hook("pager", "/barmand", WebhookSettings.Format.JSON, Optional.empty(), Duration.ofSeconds(5)))
                .status().get(0).lastSuccess()).contains(clock.instant());
    }

    @Test
    void pruneDeletesOldDeliveredRecordsAndNeverTheSpool() throws Exception {
        Webhooks w = webhooks(hook("pager", "/barmand", WebhookSettings.Format.JSON, Optional.empty(), Duration.ofSeconds(5)));
        w.post(failedBackup(clock.instant()));
        assertThat(w.flush()).isEqualTo(1);
        Instant delivered = clock.instant();
        clock.advance(Duration.ofDays(2));
        server.answer(500);
        w.post(failedBackup(clock.instant()));
        assertThat(w.flush()).isZero();
        assertThat(records(tmp.resolve("state/webhooks"))).hasSize(1);

        assertThat(w.prune(delivered)).as("delivered at the cut: kept").isZero();
        assertThat(records(tmp.resolve("state/webhooks/sent"))).hasSize(1);
        assertThat(w.prune(delivered.plusSeconds(1))).isEqualTo(1);
        assertThat(records(tmp.resolve("state/webhooks/sent"))).isEmpty();
        assertThat(records(tmp.resolve("state/webhooks"))).as("the undelivered event stays, whatever its age")
                .singleElement().satisfies(r -> assertThat(r.path("attempts").asInt()).isEqualTo(1));
        assertThat(w.prune(clock.instant().plus(Duration.ofDays(1000)))).isZero();
        assertThat(records(tmp.resolve("state/webhooks"))).hasSize(1);
        assertThat(w.what()).isEqualTo("delivered webhook record(s)");
    }

    @Test
    void aNewEventTakesTheWaitingOneAlongInTheirOrder() throws Exception {
        server.answer(500);
        Webhooks w = webhooks(hook("pager", "/barmand", WebhookSettings.Format.JSON, Optional.empty(), Duration.ofSeconds(5)));
        w.post(failedBackup(clock.instant()));
        assertThat(w.flush()).isZero();
        clock.advance(Duration.ofSeconds(10));
        w.post(new Event("recovered", "backup1", "pg1", "backup", Optional.of("backup"), "CRITICAL", "pg1 backup", "...",
                Instant.parse("2026-12-07T06:57:10Z"), clock.instant(), OptionalLong.of(41), "[barmand backup1] RECOVERED: pg1 backup",
                "pg1 backup is OK again"));
        assertThat(w.flush()).isEqualTo(2);
        assertThat(server.received()).extracting(r -> r.header("X-Barmand-Event")).containsExactly("alert", "alert", "recovered");
        assertThat(w.status().get(0).pending()).isZero();
    }

    @Test
    void aWebhookThatNeverAnswersTimesOutAndItsEventIsKept() throws Exception {
        server.hang();
        Webhooks w = webhooks(hook("pager", "/barmand", WebhookSettings.Format.JSON, Optional.empty(), Duration.ofSeconds(1)));
        w.post(failedBackup(clock.instant()));
        long t0 = System.nanoTime();
        assertThat(w.flush()).isZero();
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(server.received()).hasSize(1);
        assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
        JsonNode kept = records(tmp.resolve("state/webhooks")).get(0);
        assertThat(kept.path("lastError").asText()).isEqualTo("no answer within 1s (timeout)");
        assertThat(kept.has("lastStatus")).isFalse();
    }

    @Test
    void whatOneProcessKeptTheNextDelivers() throws Exception {
        Webhooks first = webhooks(hook("pager", "/barmand", WebhookSettings.Format.JSON, Optional.empty(), Duration.ofSeconds(5)));
        first.post(failedBackup(clock.instant()));
        // stopped before it flushed: the next start (its own thread) posts it
        Webhooks next = webhooks(hook("pager", "/barmand", WebhookSettings.Format.JSON, Optional.empty(), Duration.ofSeconds(5)));
        next.start(Duration.ofMinutes(10));
        try {
            HookServer.Request r = server.next();
            assertThat(r).isNotNull();
            assertThat(JSON.readTree(r.body()).path("run").asLong()).isEqualTo(41);
        } finally {
            next.close();
        }
    }
}
