package io.barmand.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.barmand.config.WebhookSettings;
import io.barmand.state.StateOwner;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alerts posted to the webhooks of {@code alerts.webhooks}, beside mail. Each event is written to STATE-DIR/webhooks
 * (one .json per webhook: the body, its attempts) before any try, so that a restart loses none; it stays there until
 * the webhook answers 2xx, tried again after {@code mail.retry.initial} doubling up to {@code mail.retry.max}, like
 * mail. A delivered one moves to webhooks/sent with the HTTP status (its record).
 *
 * <p>{@link #post} only writes files: the HTTP requests run on this class's own thread ({@link #start}), so that a
 * webhook that is down or never answers (each request bounded by the webhook's {@code timeout}) delays neither a mail
 * nor a job. A failing webhook is logged once per episode (at its first failure, then when it works again), and its
 * newest success and undelivered count are in the metrics.
 */
public final class Webhooks implements AutoCloseable, io.barmand.state.KeptRecords {
    private static final Logger log = LoggerFactory.getLogger(Webhooks.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    /** The header of the body's HMAC-SHA256, with {@code secret-file}: {@code sha256=HEX}. */
    public static final String SIGNATURE = "X-Barmand-Signature";
    static final String LAST_SUCCESS = "last-success.json";

    /** A webhook's state, for metrics and status. */
    public record Status(String webhook, String url, Optional<Instant> lastSuccess, int pending, Optional<String> failing) {
    }

    /** One attempt's result: the HTTP status (0 when there was no answer) and what went wrong, if anything. */
    record Answer(int status, Optional<String> error) {
    }

    private final Path dir;
    private final Path sentDir;
    private final Map<String, WebhookSettings> hooks = new LinkedHashMap<>();
    private final Duration retryInitial;
    private final Duration retryMax;
    private final Clock clock;
    private final String version;
    private final StateOwner owner;
    private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();
    private final Map<String, Instant> lastSuccess = new ConcurrentHashMap<>();
    /** The webhooks failing now, with the first failure's words: logged once per episode. */
    private final Map<String, String> failing = new ConcurrentHashMap<>();
    private final Map<String, Integer> failedAttempts = new ConcurrentHashMap<>();
    private final Set<String> toldUnknown = ConcurrentHashMap.newKeySet();
    private final Object flushing = new Object();
    private final AtomicBoolean queued = new AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicLong sequence = new java.util.concurrent.atomic.AtomicLong();
    private volatile ScheduledExecutorService exec;

    public Webhooks(Path stateDir, List<WebhookSettings> hooks, Duration retryInitial, Duration retryMax, Clock clock,
                    String version) {
        this.dir = stateDir.resolve("webhooks");
        this.sentDir = dir.resolve("sent");
        hooks.forEach(h -> this.hooks.put(h.name(), h));
        this.retryInitial = retryInitial;
        this.retryMax = retryMax;
        this.clock = clock;
        this.version = version;
        this.owner = StateOwner.of(stateDir);
        read(dir.resolve(LAST_SUCCESS)).ifPresent(o -> o.fields().forEachRemaining(e -> {
            if (this.hooks.containsKey(e.getKey())) {
                instant(e.getValue().asText()).ifPresent(t -> lastSuccess.put(e.getKey(), t));
            }
        }));
    }

    public boolean enabled() {
        return !hooks.isEmpty();
    }

    public Path dir() {
        return dir;
    }

    /** Flushes on this object's own thread: every {@code every}, and at once after each {@link #post}. */
    public synchronized void start(Duration every) {
        if (exec != null || hooks.isEmpty()) {
            return;
        }
        exec = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "barmand-webhook");
            t.setDaemon(true);
            return t;
        });
        exec.scheduleWithFixedDelay(this::flushSafely, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        exec.execute(this::flushSafely); // what a previous barmand left
    }

    /**
     * Keeps {@code e} for every webhook (its body in the webhook's format) and asks this object's thread to deliver it.
     * Never blocks on the network; never throws (a spool that cannot be written is logged, naming the event).
     */
    public void post(Event e) {
        Instant now = clock.instant();
        for (WebhookSettings h : hooks.values()) {
            // in the order posted (the spool is tried by name), unique across processes
            String id = STAMP.format(now) + "-" + String.format("%06d", sequence.incrementAndGet() % 1_000_000) + "-"
                    + h.name() + "-" + e.event() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffL);
            byte[] body = h.format() == WebhookSettings.Format.SLACK ? e.slack() : e.json();
            ObjectNode meta = JSON.createObjectNode();
            meta.put("id", id).put("webhook", h.name()).put("event", e.event()).put("subject", e.subject())
                    .put("created", now.toString()).put("attempts", 0).put("nextAttempt", now.toString())
                    .put("body", new String(body, StandardCharsets.UTF_8));
            try {
                owner.createDirectories(dir);
                write(dir.resolve(id + ".json"), meta);
            } catch (IOException x) {
                log.error("webhook {}: cannot keep the {} \"{}\" in {} ({}): it is not posted", h.name(), e.event(),
                        e.subject(), dir, x.toString());
            }
        }
        ScheduledExecutorService ex = exec;
        if (ex != null && !ex.isShutdown() && queued.compareAndSet(false, true)) {
            try {
                ex.execute(() -> {
                    queued.set(false);
                    flushSafely();
                });
            } catch (java.util.concurrent.RejectedExecutionException x) {
                queued.set(false); // closing: the next start delivers it
            }
        }
    }

    private void flushSafely() {
        try {
            flush();
        } catch (RuntimeException e) {
            log.error("webhooks: {}", e.toString());
        }
    }

    /**
     * Tries the kept events of every webhook that has one due, all of them, oldest first, so that they arrive in the
     * order they were made (an alert before its "recovered", even when the alert waited for its retry); a webhook that
     * fails is not tried again in this pass. Returns how many were delivered.
     */
    public int flush() {
        synchronized (flushing) {
            Map<Path, ObjectNode> kept = new LinkedHashMap<>();
            Set<String> due = new HashSet<>();
            Instant now = clock.instant();
            for (Path f : pending()) {
                read(f).ifPresent(meta -> {
                    kept.put(f, meta);
                    if (!instant(meta.path("nextAttempt").asText()).orElse(Instant.EPOCH).isAfter(now)) {
                        due.add(meta.path("webhook").asText());
                    }
                });
            }
            int delivered = 0;
            Set<String> failedNow = new HashSet<>();
            for (Map.Entry<Path, ObjectNode> e : kept.entrySet()) {
                if (Thread.currentThread().isInterrupted()) {
                    break;
                }
                String name = e.getValue().path("webhook").asText();
                WebhookSettings h = hooks.get(name);
                if (h == null) {
                    if (toldUnknown.add(e.getKey().getFileName().toString())) {
                        log.warn("webhook {}: not configured any more: {} stays undelivered (remove it, or configure the "
                                + "webhook again)", name, e.getKey());
                    }
                    continue;
                }
                if (!due.contains(name) || failedNow.contains(name)) {
                    continue;
                }
                if (attempt(h, e.getKey(), e.getValue())) {
                    delivered++;
                } else {
                    failedNow.add(name);
                }
            }
            return delivered;
        }
    }

    private boolean attempt(WebhookSettings h, Path f, ObjectNode meta) {
        int attempts = meta.path("attempts").asInt(0) + 1;
        Instant start = clock.instant();
        byte[] body = meta.path("body").asText().getBytes(StandardCharsets.UTF_8);
        long t0 = System.nanoTime();
        Answer a = send(h, meta.path("event").asText(), body);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        meta.put("attempts", attempts).put("lastAttempt", start.toString());
        if (a.status() != 0) {
            meta.put("lastStatus", a.status());
        }
        String what = meta.path("event").asText() + " \"" + meta.path("subject").asText() + "\"";
        if (a.error().isEmpty()) {
            Instant now = clock.instant();
            meta.put("sentAt", now.toString()).remove(List.of("nextAttempt", "lastError"));
            try {
                owner.createDirectories(sentDir);
                write(sentDir.resolve(f.getFileName()), meta);
                Files.deleteIfExists(f);
            } catch (IOException e) {
                log.error("webhook {}: {} delivered, but its record cannot move to {} ({}): it may be posted again",
                        h.name(), what, sentDir, e.toString());
            }
            lastSuccess.put(h.name(), now);
            saveLastSuccess();
            log.info("webhook {}: {} delivered to {}: HTTP {} (attempt {}, {} ms)", h.name(), what, h.masked(), a.status(),
                    attempts, ms);
            String was = failing.remove(h.name());
            Integer n = failedAttempts.remove(h.name());
            if (was != null) {
                log.info("webhook {} works again, after {} failed attempt(s) (the first: {})", h.name(), n, was);
            }
            return true;
        }
        if (Thread.currentThread().isInterrupted()) {
            // stopping (or reloading): no failure of the webhook; kept, and tried by the next start
            meta.put("attempts", attempts - 1).put("nextAttempt", start.toString());
            try {
                write(f, meta);
            } catch (IOException e) {
                log.error("webhook {}: cannot record the attempt in {}: {}", h.name(), f, e.toString());
            }
            log.info("webhook {}: {} cut short by the stop: kept in {} for the next start", h.name(), what, dir);
            return false;
        }
        Duration wait = backoff(attempts);
        meta.put("lastError", a.error().get()).put("nextAttempt", clock.instant().plus(wait).toString());
        try {
            write(f, meta);
        } catch (IOException e) {
            log.error("webhook {}: cannot record the attempt in {}: {}", h.name(), f, e.toString());
        }
        failedAttempts.merge(h.name(), 1, Integer::sum);
        if (failing.putIfAbsent(h.name(), a.error().get()) == null) {
            log.error("webhook {}: {} not delivered to {}: {}; kept in {}, tried again in {}s and later, doubling up to "
                    + "{}s (further failures of {} are not logged until it works again)", h.name(), what, h.masked(),
                    a.error().get(), dir, wait.toSeconds(), retryMax.toSeconds(), h.name());
        } else {
            log.debug("webhook {}: {} attempt {} failed: {}", h.name(), what, attempts, a.error().get());
        }
        return false;
    }

    /** One POST, bounded by the webhook's timeout (to connect, and to get the whole answer). */
    Answer send(WebhookSettings h, String event, byte[] body) {
        HttpRequest.Builder rb = HttpRequest.newBuilder(h.url()).timeout(h.timeout())
                .header("Content-Type", "application/json; charset=utf-8")
                .header("User-Agent", "barmand/" + version)
                .header("X-Barmand-Event", event)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (h.secretFile().isPresent()) {
            try {
                rb.header(SIGNATURE, "sha256=" + sign(Files.readString(h.secretFile().get()).strip(), body));
            } catch (IOException | RuntimeException e) {
                return new Answer(0, Optional.of("secret-file " + h.secretFile().get() + " cannot be read (" + e
                        + "): not posted unsigned"));
            }
        }
        HttpClient client = clients.computeIfAbsent(h.name(), n -> HttpClient.newBuilder().connectTimeout(h.timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build());
        var future = client.sendAsync(rb.build(), HttpResponse.BodyHandlers.ofByteArray());
        try {
            HttpResponse<byte[]> r = future.get(h.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
            if (r.statusCode() / 100 == 2) {
                return new Answer(r.statusCode(), Optional.empty());
            }
            String text = new String(r.body(), 0, Math.min(r.body().length, 200), StandardCharsets.UTF_8).strip();
            return new Answer(r.statusCode(), Optional.of("HTTP " + r.statusCode() + (text.isEmpty() ? "" : ": " + text)));
        } catch (TimeoutException e) {
            future.cancel(true);
            return new Answer(0, Optional.of("no answer within " + h.timeout().toSeconds() + "s (timeout)"));
        } catch (ExecutionException e) {
            Throwable c = e.getCause() == null ? e : e.getCause();
            if (c instanceof java.net.http.HttpTimeoutException) {
                return new Answer(0, Optional.of("no answer within " + h.timeout().toSeconds() + "s (timeout)"));
            }
            return new Answer(0, Optional.of(c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage())));
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            return new Answer(0, Optional.of("interrupted (barmand stopping)"));
        }
    }

    /** HEX(HMAC-SHA256(secret, body)): what a receiver computes to check {@link #SIGNATURE}. */
    public static String sign(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256: " + e, e);
        }
    }

    Duration backoff(int attempts) {
        Duration d = retryInitial;
        for (int i = 1; i < attempts && d.compareTo(retryMax) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(retryMax) > 0 ? retryMax : d;
    }

    /** Every webhook: its newest delivery, how many events wait, and why it fails if it does. */
    public List<Status> status() {
        Map<String, Integer> waiting = new HashMap<>();
        for (Path f : pending()) {
            read(f).ifPresent(m -> waiting.merge(m.path("webhook").asText(), 1, Integer::sum));
        }
        List<Status> out = new ArrayList<>();
        for (WebhookSettings h : hooks.values()) {
            out.add(new Status(h.name(), h.masked(), Optional.ofNullable(lastSuccess.get(h.name())),
                    waiting.getOrDefault(h.name(), 0), Optional.ofNullable(failing.get(h.name()))));
        }
        return out;
    }

    @Override
    public String what() {
        return "delivered webhook record(s)";
    }

    /** Deletes the records in webhooks/sent of posts delivered before {@code before}; the spool is never touched. */
    @Override
    public int prune(Instant before) {
        int n = 0;
        if (!Files.isDirectory(sentDir)) {
            return 0;
        }
        synchronized (flushing) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(sentDir, "*.json")) {
                for (Path p : ds) {
                    Instant sent = read(p).flatMap(m -> instant(m.path("sentAt").asText()))
                            .orElse(Files.getLastModifiedTime(p).toInstant());
                    if (sent.isBefore(before) && Files.deleteIfExists(p)) {
                        n++;
                    }
                }
            } catch (IOException e) {
                log.warn("{}: cannot prune: {}", sentDir, e.getMessage());
            }
        }
        return n;
    }

    private List<Path> pending() {
        List<Path> l = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return l;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
            for (Path p : ds) {
                if (!p.getFileName().toString().equals(LAST_SUCCESS)) {
                    l.add(p);
                }
            }
        } catch (IOException e) {
            log.error("{}: cannot list the webhooks' spool: {}", dir, e.getMessage());
        }
        l.sort(null);
        return l;
    }

    private void saveLastSuccess() {
        ObjectNode o = JSON.createObjectNode();
        new java.util.TreeMap<>(lastSuccess).forEach((k, v) -> o.put(k, v.toString()));
        try {
            write(dir.resolve(LAST_SUCCESS), o);
        } catch (IOException e) {
            log.warn("{}: cannot record the last deliveries: {}", dir, e.getMessage());
        }
    }

    private void write(Path to, ObjectNode o) throws IOException {
        Path tmp = to.resolveSibling(to.getFileName() + ".tmp");
        Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(o));
        owner.own(tmp);
        try {
            Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** A time read back from a file of the spool; empty when it is missing or damaged (then: due now). */
    private static Optional<Instant> instant(String text) {
        try {
            return Optional.of(Instant.parse(text));
        } catch (java.time.format.DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static Optional<ObjectNode> read(Path p) {
        if (!Files.exists(p)) {
            return Optional.empty();
        }
        try {
            return Optional.of((ObjectNode) JSON.readTree(p.toFile()));
        } catch (IOException | ClassCastException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        ScheduledExecutorService ex = exec;
        if (ex == null) {
            return;
        }
        ex.shutdownNow(); // an attempt in flight is cut short; its event stays kept and is posted by the next start
        try {
            ex.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
