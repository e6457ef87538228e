package io.barmand.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.barmand.config.ReportSettings;
import io.barmand.health.Health;
import io.barmand.health.HealthReport;
import io.barmand.health.Problem;
import io.barmand.mail.Letter;
import io.barmand.mail.Outbox;
import io.barmand.webhook.Event;
import io.barmand.webhook.Webhooks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alerts: a mail when a problem appears and a "recovered" mail when it clears, one per problem (a server and a key
 * such as "backup"), never one per retry; the same events posted to the webhooks of alerts.webhooks, if any (after the
 * mail, and without waiting for them: {@link Webhooks#post} only keeps them for its own thread). Which problems are open, and which were mailed, is kept in
 * STATE-DIR/alerts.json, so that a restart neither repeats nor forgets them. At most {@code alerts.max-per-hour} mails
 * go out per hour; a problem held back by that limit is mailed at a later evaluation (it stays open, unmailed).
 */
public final class AlertService {
    private static final Logger log = LoggerFactory.getLogger(AlertService.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An alert or recovered mail handed to the outbox (delivered: the mail went at once; false without mail). */
    public record Sent(String problem, String kind, String subject, boolean delivered) {
    }

    private final ReportSettings settings;
    private final Health health;
    private final Optional<Outbox> outbox;
    private final Optional<Webhooks> webhooks;
    private final Path stateFile;
    private final Clock clock;
    private final DateTimeFormatter time;

    public AlertService(ReportSettings settings, Health health, Outbox outbox, Path stateDir, ZoneId zone, Clock clock) {
        this(settings, health, Optional.of(outbox), Optional.empty(), stateDir, zone, clock);
    }

    /** Mail, webhooks, or both (at least one). */
    public AlertService(ReportSettings settings, Health health, Optional<Outbox> outbox, Optional<Webhooks> webhooks,
                        Path stateDir, ZoneId zone, Clock clock) {
        this.settings = settings;
        this.health = health;
        this.outbox = outbox;
        this.webhooks = webhooks.filter(Webhooks::enabled);
        this.stateFile = stateDir.resolve("alerts.json");
        this.clock = clock;
        this.time = io.barmand.vocabulary.TimeText.formatter(zone); // one notation: 2026-12-08 03:30:00 CET
    }

    /** Looks at every server now; mails what appeared and what cleared. Never throws. */
    public synchronized List<Sent> evaluate() {
        List<Sent> out = new ArrayList<>();
        try {
            Instant now = clock.instant();
            HealthReport h = health.evaluate(now, settings.window());
            Map<String, Problem> current = new LinkedHashMap<>();
            for (Problem p : h.problems()) {
                if (p.alert()) {
                    current.put(p.id(), p);
                }
            }
            ObjectNode state = read();
            ObjectNode open = state.with("open");
            ArrayNode sent = state.withArray("sent");
            prune(sent, now);
            // cleared: a recovered mail for those that were mailed
            for (Iterator<Map.Entry<String, JsonNode>> it = open.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (current.containsKey(e.getKey())) {
                    continue;
                }
                if (e.getValue().path("mailed").asBoolean(false)) {
                    if (sent.size() >= settings.alertsMaxPerHour()) {
                        log.warn("alert: {} cleared; its recovered mail waits (alerts.max-per-hour = {})", e.getKey(),
                                settings.alertsMaxPerHour());
                        continue;
                    }
                    JsonNode was = e.getValue();
                    String subject = "[barmand " + settings.hostName() + "] RECOVERED: " + was.path("label").asText();
                    Instant since = Instant.parse(was.path("since").asText(now.toString()));
                    String text = was.path("label").asText() + " is OK again at " + time.format(now) + ", after "
                            + Health.age(Duration.between(since, now)) + ".\n\nThe problem was: "
                            + was.path("text").asText() + "\n\n" + summary(h);
                    // a problem opened by an older version has no server, key or job of its own: read from its id
                    String id = e.getKey();
                    String server = was.path("server").asText(id.contains(" ") ? id.substring(0, id.indexOf(' ')) : "");
                    String key = was.path("key").asText(id.contains(" ") ? id.substring(id.indexOf(' ') + 1) : id);
                    Event ev = new Event("recovered", settings.hostName(), server, key,
                            Optional.ofNullable(was.path("job").textValue()), was.path("severity").asText(),
                            was.path("label").asText(), was.path("text").asText(), since, now,
                            was.path("run").canConvertToLong() ? OptionalLong.of(was.path("run").asLong()) : OptionalLong.empty(),
                            subject, text);
                    out.add(post(Letter.plain("recovered", subject, text), ev, id, sent, now));
                } else {
                    log.info("alert: {} cleared before its alert was mailed", e.getKey());
                }
                it.remove();
            }
            // appeared (or held back so far)
            for (Problem p : current.values()) {
                JsonNode known = open.get(p.id());
                if (known != null && known.path("mailed").asBoolean(false)) {
                    continue;
                }
                ObjectNode o = open.putObject(p.id());
                o.put("label", p.label()).put("text", p.text()).put("severity", p.severity().word())
                        .put("since", (p.since() == null ? now : p.since()).toString()).put("mailed", false)
                        .put("server", p.server()).put("key", p.key());
                p.job().ifPresent(j -> o.put("job", j.id()));
                p.run().ifPresent(r -> o.put("run", r));
                if (sent.size() >= settings.alertsMaxPerHour()) {
                    log.warn("alert: {}: {} (not mailed: alerts.max-per-hour = {} reached; it will be)", p.id(), p.text(),
                            settings.alertsMaxPerHour());
                    continue;
                }
                String subject = "[barmand " + settings.hostName() + "] " + p.severity().word() + ": " + p.label();
                String text = p.text() + "\n\nSince " + time.format(p.since() == null ? now : p.since())
                        + ". You get one more mail when it is OK again.\n\n" + summary(h);
                Instant since = p.since() == null ? now : p.since();
                Event ev = new Event("alert", settings.hostName(), p.server(), p.key(), p.job().map(j -> j.id()),
                        p.severity().word(), p.label(), p.text(), since, now, p.run(), subject, text);
                out.add(post(Letter.plain("alert", subject, text), ev, p.id(), sent, now));
                o.put("mailed", true);
            }
            write(state);
        } catch (RuntimeException e) {
            log.error("alerts: evaluation failed: {}", e.toString());
        }
        return out;
    }

    /** The problems not mailed yet because of the rate limit. */
    public synchronized List<String> heldBack() {
        List<String> l = new ArrayList<>();
        read().with("open").fields().forEachRemaining(e -> {
            if (!e.getValue().path("mailed").asBoolean(false)) {
                l.add(e.getKey());
            }
        });
        return l;
    }

    /** The mail first (a webhook never delays it), then the webhooks' copies, kept for their own thread. */
    private Sent post(Letter l, Event ev, String id, ArrayNode sent, Instant now) {
        sent.add(now.toString());
        boolean delivered = false;
        if (outbox.isPresent()) {
            Outbox.Delivery d = outbox.get().post(l);
            delivered = d.sent();
            log.info("alert: {} mail for {} ({}){}", l.kind(), id, d.id(), d.sent() ? "" : ", kept in the outbox: " + d.lastError());
        }
        webhooks.ifPresent(w -> {
            w.post(ev);
            log.info("alert: {} for {} handed to the webhooks ({})", l.kind(), id, w.dir());
        });
        return new Sent(id, l.kind(), l.subject(), delivered);
    }

    /** Every current problem, one line each: what else is wrong right now. */
    private static String summary(HealthReport h) {
        List<Problem> all = h.problems();
        if (all.isEmpty()) {
            return "No other problem now (" + h.verdict() + ").\n";
        }
        StringBuilder b = new StringBuilder("All problems now (" + all.size() + "):\n");
        for (Problem p : all) {
            b.append("  ").append(String.format("%-8s", p.severity().word())).append("  ").append(p.server().isEmpty() ? "" : p.server() + ": ")
                    .append(p.text()).append('\n');
        }
        return b.toString();
    }

    private static void prune(ArrayNode sent, Instant now) {
        for (int i = sent.size() - 1; i >= 0; i--) {
            if (Instant.parse(sent.get(i).asText()).isBefore(now.minus(Duration.ofHours(1)))) {
                sent.remove(i);
            }
        }
    }

    private ObjectNode read() {
        if (Files.exists(stateFile)) {
            try {
                return (ObjectNode) JSON.readTree(stateFile.toFile());
            } catch (IOException | ClassCastException e) {
                log.error("{}: unreadable ({}): starting from no open alert", stateFile, e.getMessage());
            }
        }
        return JSON.createObjectNode();
    }

    private void write(ObjectNode state) {
        try {
            Path tmp = stateFile.resolveSibling("alerts.json.tmp");
            Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
            Files.move(tmp, stateFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            log.error("{}: cannot record the open alerts: {}", stateFile, e.getMessage());
        }
    }
}
