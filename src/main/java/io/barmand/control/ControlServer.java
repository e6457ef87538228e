package io.barmand.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.barmand.config.JobKind;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.history.RunJson;
import io.barmand.history.RunRecord;
import io.barmand.history.Trigger;
import io.barmand.job.RunOptions;
import io.barmand.job.RunRequest;
import io.barmand.schedule.JobRunner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's control socket (AF_UNIX stream, mode 0660). One JSON request line, one JSON response line:
 * {"op":"run-now","job":"backup","server":"pg1"} -> {"ok":true,"run":{...}} once the run has finished, preceded by
 * {"keepalive":true} lines every {@link Options#keepalive} while it waits or runs (offsite and restore-test also take
 * "options": {"backupId": ID, "target": T} in the syntax of RunOptions, checked here and by the job's service before
 * anything is recorded, and used for that run only), or {"ok":false,"category":"usage","exitCode":64,"error":"..."}.
 * {"op":"ping"} -> {"ok":true,"pid":N,"since":"2026-12-08T00:40:12Z","version":"0.1.0"} (since: the process's start).
 * {"op":"reload"} -> {"ok":true,"reloaded":true,"jobs":N,"needRestart":[...]} or
 * {"ok":true,"reloaded":false,"problems":[...]} (the old settings kept). {"op":"restart-when-idle"} ->
 * {"ok":true,"waitingFor":[...]} (empty: idle now, restarting is the caller's; else the daemon exits 75 once they have
 * ended).
 *
 * <p>Nobody in the socket's group can starve it: one thread reads every request line (non-blocking), each within
 * {@link Options#readTimeout} and at most {@link Options#maxLine} bytes; at most {@link Options#waiting} connections
 * wait for their line (a new one closes the oldest); requests are served by at most {@link Options#handlers} threads
 * (one more is refused "busy" at once); a run-now waits for its run without a thread. Should that one thread fail
 * (no thread left to serve a request, any error), the daemon ends through {@code exit} rather than keep a deaf socket.
 */
public class ControlServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);

    /**
     * The limits of the socket (internal: the defaults hold for any host; tests shorten the times).
     *
     * @param handlers requests served at once (reload, restart-when-idle, run-now until its run is queued)
     * @param waiting connections waiting for their request line at once; one more closes the oldest
     * @param readTimeout how long a connection has to send its request line
     * @param maxLine the longest request line, in bytes
     * @param keepalive how often a run-now client hears that its run is still waiting or running
     * @param threads makes the handlers' threads
     */
    public record Options(int handlers, int waiting, Duration readTimeout, int maxLine, Duration keepalive,
                          ThreadFactory threads) {
        public static final Options DEFAULT = new Options(16, 64, Duration.ofSeconds(10), 64 * 1024,
                Duration.ofSeconds(15), Executors.defaultThreadFactory());

        public Options withReadTimeout(Duration d) {
            return new Options(handlers, waiting, d, maxLine, keepalive, threads);
        }

        public Options withKeepalive(Duration d) {
            return new Options(handlers, waiting, readTimeout, maxLine, d, threads);
        }

        public Options withThreads(ThreadFactory f) {
            return new Options(handlers, waiting, readTimeout, maxLine, keepalive, f);
        }
    }

    /** The line a run-now client receives while its run waits or runs. */
    public static final String KEEPALIVE = "{\"keepalive\":true}";

    private final Path path;
    private final JobRunner runner;
    private final Lifecycle lifecycle;
    private final Options options;
    private final IntConsumer exit;
    private ServerSocketChannel server;
    private Selector selector;
    private Thread acceptor;
    private ThreadPoolExecutor handlers;
    private ScheduledExecutorService answers;
    /** Connections waiting for their request line, oldest first (the selector thread's alone). */
    private final Set<Conn> reading = new LinkedHashSet<>();
    /** Connections being served (a request read, its answer not yet written). */
    private final Set<Conn> serving = ConcurrentHashMap.newKeySet();
    /** The answers of run-now requests not written yet (a run that ends as the daemon stops is still answered). */
    private final Set<CompletableFuture<?>> pendingAnswers = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public ControlServer(Path path, JobRunner runner) {
        this(path, runner, null);
    }

    /** With the daemon's {@link Lifecycle} (reload, restart-when-idle); null refuses those. */
    public ControlServer(Path path, JobRunner runner, Lifecycle lifecycle) {
        this(path, runner, lifecycle, Options.DEFAULT, code -> log.error("control socket: failed; no way to end the daemon"));
    }

    /**
     * @param exit how the daemon ends (with {@link Category#INTERNAL}'s code, for systemd to start it again) when the
     *             socket can no longer serve
     */
    public ControlServer(Path path, JobRunner runner, Lifecycle lifecycle, Options options, IntConsumer exit) {
        this.path = path;
        this.runner = runner;
        this.lifecycle = lifecycle;
        this.options = options;
        this.exit = exit;
    }

    public Options options() {
        return options;
    }

    public void start() {
        try {
            Files.createDirectories(path.getParent());
            if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                if (!isSocket(path)) {
                    throw new BarmandException(Category.CONFIG, path + ": exists and is not a socket (" + kind(path)
                            + "): barmand does not replace it; move it away, or set barmand.control-socket to another path");
                }
                if (ControlClient.reachable(path)) {
                    throw new BarmandException(Category.BUSY, path + ": another barmand is running (its control socket answers)");
                }
                Files.delete(path); // left by a daemon that died
            }
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
            server.configureBlocking(false);
            selector = Selector.open();
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException e) {
            throw new BarmandException(Category.IO, path + ": cannot open the control socket: " + e.getMessage(), e);
        }
        AtomicInteger n = new AtomicInteger();
        handlers = new ThreadPoolExecutor(options.handlers(), options.handlers(), 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = options.threads().newThread(r);
                    t.setName("barmand-control-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        handlers.allowCoreThreadTimeOut(true);
        answers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "barmand-control-answers");
            t.setDaemon(true);
            return t;
        });
        acceptor = new Thread(this::selectLoop, "barmand-control");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Whether {@code p} itself (not what a link points to) is a socket. */
    static boolean isSocket(Path p) throws IOException {
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return (mode & 0170000) == 0140000;
    }

    private static String kind(Path p) {
        if (Files.isSymbolicLink(p)) {
            return "a symbolic link";
        }
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            return "a directory";
        }
        return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? "a regular file" : "not a socket";
    }

    /** A connection: its request line so far, and when it must have arrived. */
    private static final class Conn {
        final SocketChannel ch;
        final long deadline;
        final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        boolean done;

        Conn(SocketChannel ch, long deadline) {
            this.ch = ch;
            this.deadline = deadline;
        }
    }

    private void selectLoop() {
        ByteBuffer buf = ByteBuffer.allocate(8192);
        try {
            while (!closed) {
                long wait = reading.isEmpty() ? 0
                        : Math.max(1, TimeUnit.NANOSECONDS.toMillis(reading.iterator().next().deadline - System.nanoTime()) + 1);
                selector.select(wait);
                if (closed) {
                    break;
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    if (!k.isValid()) {
                        continue;
                    }
                    if (k.isAcceptable()) {
                        accept();
                    } else if (k.isReadable()) {
                        read(k, (Conn) k.attachment(), buf);
                    }
                }
                expire();
            }
        } catch (Throwable t) { // NOPMD: any failure here leaves a deaf socket: the daemon ends instead
            if (!closed) {
                acceptorFailed(t);
            }
        }
    }

    private void acceptorFailed(Throwable t) {
        int code = Category.INTERNAL.exitCode();
        try {
            log.error("control socket {}: the thread that accepts requests failed ({}): barmand exits with {} for "
                    + "systemd to start it again, rather than keep a socket nobody answers", path, t, code, t);
        } catch (Throwable ignored) { // NOPMD: logging may fail too (out of memory): exiting matters more
            // below
        }
        exit.accept(code);
    }

    private void accept() throws IOException {
        SocketChannel ch;
        while ((ch = server.accept()) != null) {
            ch.configureBlocking(false);
            if (reading.size() >= options.waiting()) {
                Conn oldest = reading.iterator().next();
                refuse(oldest, Category.BUSY, "more than " + options.waiting() + " connections waiting to send their "
                        + "request: the oldest one closed");
            }
            Conn c = new Conn(ch, System.nanoTime() + options.readTimeout().toNanos());
            reading.add(c);
            ch.register(selector, SelectionKey.OP_READ, c);
        }
    }

    private void read(SelectionKey k, Conn c, ByteBuffer buf) throws IOException {
        while (true) {
            buf.clear();
            int n;
            try {
                n = c.ch.read(buf);
            } catch (IOException e) {
                drop(c);
                return;
            }
            if (n == 0) {
                return;
            }
            if (n < 0) {
                if (c.line.size() == 0) {
                    drop(c);
                } else {
                    dispatch(k, c, c.line.toString(StandardCharsets.UTF_8)); // a last line without newline
                }
                return;
            }
            byte[] a = buf.array();
            for (int i = 0; i < n; i++) {
                if (a[i] == '\n') {
                    c.line.write(a, 0, i);
                    if (c.line.size() > options.maxLine()) {
                        break;
                    }
                    dispatch(k, c, c.line.toString(StandardCharsets.UTF_8));
                    return;
                }
            }
            if (c.line.size() + n > options.maxLine()) {
                refuse(c, Category.USAGE, "request longer than " + options.maxLine() + " bytes: refused");
                return;
            }
            c.line.write(a, 0, n);
        }
    }

    /** Closes connections whose line did not come within the read timeout. */
    private void expire() {
        long now = System.nanoTime();
        Iterator<Conn> it = reading.iterator();
        while (it.hasNext()) {
            Conn c = it.next();
            if (c.deadline - now > 0) {
                return;
            }
            it.remove();
            log.debug("control socket: a connection sent no request within {}: closed", options.readTimeout());
            refuse(c, Category.USAGE, "no request within " + options.readTimeout().toSeconds() + " s: closed");
        }
    }

    /** Hands a request to a handler; none free: refused "busy" at once. */
    private void dispatch(SelectionKey k, Conn c, String line) {
        reading.remove(c);
        k.interestOps(0);
        serving.add(c);
        try {
            handlers.execute(() -> serve(c, line));
        } catch (RejectedExecutionException e) {
            serving.remove(c);
            refuse(c, Category.BUSY, options.handlers() + " requests are being served: try again in a moment");
        }
    }

    /** Writes an error line without waiting (the client may not read) and closes. */
    private void refuse(Conn c, Category cat, String why) {
        reading.remove(c);
        try {
            c.ch.write(ByteBuffer.wrap(line(error(new BarmandException(cat, why)))));
        } catch (IOException e) {
            // gone already
        }
        close(c);
    }

    private void drop(Conn c) {
        reading.remove(c);
        close(c);
    }

    private void close(Conn c) {
        synchronized (c) {
            c.done = true;
            serving.remove(c);
            try {
                c.ch.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
        if (Thread.currentThread() != acceptor && selector != null) {
            selector.wakeup(); // the descriptor is freed at the selector's next round
        }
    }

    private void serve(Conn c, String line) {
        ObjectNode resp;
        try {
            JsonNode req = parse(line);
            if (req.path("op").asText("").equals("run-now")) {
                runNow(c, req);
                return;
            }
            resp = answer(req);
        } catch (BarmandException e) {
            resp = error(e);
        } catch (RuntimeException e) {
            log.error("control request {} failed", abbreviate(line), e);
            resp = error(new BarmandException(Category.INTERNAL, e.toString(), e));
        } catch (Error e) {
            close(c); // not left open for ever; the error is the pool's to report
            throw e;
        }
        finish(c, resp);
    }

    /** Queues the run and answers once it has ended, with keepalive lines meanwhile; no thread waits for it. */
    private void runNow(Conn c, JsonNode req) {
        String job = req.path("job").asText("");
        String srv = req.path("server").asText("");
        JobKind kind = JobKind.byId(job).orElseThrow(() ->
                new BarmandException(Category.USAGE, "unknown job '" + job + "' (" + JobKind.ids() + ")"));
        Map<String, String> om = new LinkedHashMap<>();
        req.path("options").fields().forEachRemaining(e -> om.put(e.getKey(), e.getValue().asText()));
        RunOptions opts = RunOptions.fromMap(om);
        log.info("run-now {} {} requested{}", kind, srv, opts.isEmpty() ? "" : " " + opts);
        CompletableFuture<RunRecord> f = runner.submit(new RunRequest(kind, srv, Trigger.MANUAL, opts, 1));
        long every = options.keepalive().toMillis();
        ScheduledFuture<?> ka = answers.scheduleWithFixedDelay(() -> {
            if (!write(c, (KEEPALIVE + "\n").getBytes(StandardCharsets.UTF_8))) {
                close(c); // the client has gone: its run goes on, recorded as any
            }
        }, every, every, TimeUnit.MILLISECONDS);
        CompletableFuture<?> answered = f.whenCompleteAsync((r, t) -> {
            ka.cancel(false);
            ObjectNode resp;
            if (t == null) {
                resp = RunJson.MAPPER.createObjectNode().put("ok", true);
                resp.set("run", RunJson.toJson(r));
            } else {
                Throwable cause = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
                resp = error(cause instanceof BarmandException be ? be
                        : new BarmandException(Category.INTERNAL, String.valueOf(cause), cause));
            }
            finish(c, resp);
        }, this::onAnswers);
        pendingAnswers.add(answered);
        answered.whenComplete((x, t) -> pendingAnswers.remove(answered));
    }

    /** On the answers' thread; once it has been shut down (the daemon stopping), on the caller's: an answer still. */
    private void onAnswers(Runnable r) {
        try {
            answers.execute(r);
        } catch (RejectedExecutionException e) {
            r.run();
        }
    }

    private void finish(Conn c, ObjectNode resp) {
        byte[] b;
        try {
            b = line(resp);
        } catch (RuntimeException e) {
            b = line(error(new BarmandException(Category.INTERNAL, e.toString(), e)));
        }
        write(c, b);
        close(c);
    }

    /**
     * Writes a whole line to a non-blocking channel, waiting at most the read timeout for a client that does not read.
     * False when the client is gone or did not read in time.
     */
    private boolean write(Conn c, byte[] bytes) {
        synchronized (c) {
            if (c.done) {
                return false;
            }
            ByteBuffer b = ByteBuffer.wrap(bytes);
            long deadline = System.nanoTime() + options.readTimeout().toNanos();
            try {
                while (b.hasRemaining()) {
                    if (c.ch.write(b) == 0) {
                        if (System.nanoTime() - deadline > 0) {
                            log.debug("control socket: a client did not read its answer within {}: closed", options.readTimeout());
                            return false;
                        }
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                    }
                }
                return true;
            } catch (IOException e) {
                log.debug("control client gone: {}", e.getMessage());
                return false;
            }
        }
    }

    private static JsonNode parse(String line) {
        if (line == null || line.isBlank()) {
            throw new BarmandException(Category.USAGE, "empty request");
        }
        try {
            return RunJson.MAPPER.readTree(line);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BarmandException(Category.USAGE, "the request is not JSON: " + e.getOriginalMessage());
        }
    }

    ObjectNode answer(String line) {
        return answer(parse(line));
    }

    private ObjectNode answer(JsonNode req) {
        String op = req.path("op").asText("");
        ObjectNode ok = RunJson.MAPPER.createObjectNode().put("ok", true);
        switch (op) {
            case "ping" -> {
                // who answers: the process, since when it runs, its version (status says it first)
                ok.put("pid", ProcessHandle.current().pid());
                ProcessHandle.current().info().startInstant().ifPresent(t -> ok.put("since", t.toString()));
                return ok.put("version", io.barmand.vocabulary.BuildInfo.VERSION);
            }
            case "reload" -> {
                Lifecycle.Reload r = lifecycle().reload("the control socket (barmand reload)");
                ok.put("reloaded", r.reloaded()).put("jobs", r.jobs());
                r.problems().forEach(ok.putArray("problems")::add);
                r.needRestart().forEach(ok.putArray("needRestart")::add);
                return ok;
            }
            case "restart-when-idle" -> {
                java.util.List<String> w = lifecycle().restartWhenIdle(req.path("by").asText("the control socket"));
                w.forEach(ok.putArray("waitingFor")::add);
                return ok;
            }
            default -> throw new BarmandException(Category.USAGE, "unknown op '" + abbreviate(op) + "'");
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    private Lifecycle lifecycle() {
        if (lifecycle == null) {
            throw new BarmandException(Category.USAGE, "this daemon takes no reload or restart through its socket");
        }
        return lifecycle;
    }

    private static byte[] line(ObjectNode o) {
        try {
            return (RunJson.MAPPER.writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode error(BarmandException e) {
        return RunJson.MAPPER.createObjectNode().put("ok", false).put("category", e.category().word())
                .put("exitCode", e.exitCode()).put("error", e.getMessage());
    }

    /** Connections open now (waiting for their line or being served): tests. */
    int connections() {
        return reading.size() + serving.size();
    }

    @Override
    public void close() {
        closed = true;
        try {
            if (selector != null) {
                selector.wakeup();
            }
            if (acceptor != null) {
                acceptor.join(5000);
            }
            if (handlers != null) {
                handlers.shutdownNow();
            }
            if (answers != null) {
                // the daemon stops once its runs have ended: their answers are written first (at most the read timeout)
                try {
                    CompletableFuture.allOf(pendingAnswers.toArray(CompletableFuture[]::new))
                            .get(options.readTimeout().toMillis(), TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    log.warn("control socket: {} run-now client(s) not answered before the socket closed", pendingAnswers.size());
                }
                answers.shutdown();
                if (!answers.awaitTermination(options.readTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                    answers.shutdownNow();
                }
            }
            for (Conn c : serving) {
                close(c);
            }
            if (selector != null) {
                for (SelectionKey k : selector.keys()) {
                    k.channel().close();
                }
                selector.close();
            }
            if (server != null) {
                server.close();
            }
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("closing the control socket: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
