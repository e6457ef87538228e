package io.barmand.schedule;

import io.barmand.config.JobKind;
import io.barmand.config.JobSettings;
import io.barmand.config.ServerSettings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.history.Outcome;
import io.barmand.history.RunFigures;
import io.barmand.history.RunRecord;
import io.barmand.history.RunStore;
import io.barmand.history.Trigger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one job of one server under the server's lock and records it: start (running), then the outcome with its
 * figures; a busy server gives a `skipped` run at once (never a queued one). Every path into a job (Quartz, run-now,
 * catch-up) goes through here, so that locks and history hold.
 */
public class JobRunner {
    private static final Logger log = LoggerFactory.getLogger("io.barmand.run");

    private final Map<String, ServerSettings> servers;
    private final JobRegistry registry;
    private final RunStore store;
    private final ServerLocks locks;
    private final Clock clock;
    private final Map<Long, Thread> running = new ConcurrentHashMap<>();
    private final java.util.List<Consumer<RunRecord>> finished = new CopyOnWriteArrayList<>();
    private volatile boolean stopping;

    public JobRunner(Map<String, ServerSettings> servers, JobRegistry registry, RunStore store, ServerLocks locks, Clock clock) {
        this.servers = servers;
        this.registry = registry;
        this.store = store;
        this.locks = locks;
        this.clock = clock;
    }

    public RunRecord run(JobKind kind, String server, Trigger trigger) {
        return run(kind, server, trigger, "");
    }

    /**
     * Runs one job now, with an argument for this run only ("" = none): refused with USAGE before anything is
     * recorded when the job does not accept it.
     */
    public RunRecord run(JobKind kind, String server, Trigger trigger, String argument) {
        ServerSettings ss = servers.get(server);
        if (ss == null) {
            throw new BarmandException(Category.USAGE, "unknown server '" + server + "' (configured: "
                    + String.join(", ", servers.keySet()) + ")");
        }
        JobService service = registry.service(kind).orElseThrow(() ->
                new BarmandException(Category.USAGE, "unknown job '" + kind + "'"));
        JobSettings js = ss.job(kind);
        if (js == null) {
            throw new BarmandException(Category.USAGE, "job '" + kind + "' is not configured for server '" + server + "'");
        }
        service.checkArgument(argument);
        Instant now = clock.instant();
        if (stopping) {
            long id = store.skipped(server, kind.id(), trigger, now, "daemon stopping");
            return store.get(id).orElseThrow();
        }
        Optional<ServerLocks.Holder> busy = locks.tryAcquire(server, kind, -1, now);
        if (busy.isPresent()) {
            ServerLocks.Holder h = busy.get();
            String reason = "server " + server + " busy: " + h.job() + (h.runId() > 0 ? " (run " + h.runId() + ")" : "")
                    + " running since " + h.since();
            long id = store.skipped(server, kind.id(), trigger, now, reason);
            log.warn("run {} {} {} ({}): skipped, {}", id, server, kind, trigger.word(), reason);
            return store.get(id).orElseThrow();
        }
        long id;
        try {
            id = store.start(server, kind.id(), trigger, now);
        } catch (RuntimeException e) {
            locks.release(server);
            throw e;
        }
        locks.annotate(server, id);
        running.put(id, Thread.currentThread());
        long t0 = System.nanoTime();
        Outcome outcome;
        RunFigures figures;
        try {
            log.info("run {} {} {} ({}): started", id, server, kind, trigger.word());
            JobService.Result r = service.execute(server, js, argument);
            outcome = r.success() ? Outcome.SUCCESS : Outcome.FAILED;
            figures = r.figures();
        } catch (BarmandException e) {
            outcome = e.category() == Category.INTERRUPTED ? Outcome.INTERRUPTED : Outcome.FAILED;
            figures = RunFigures.error(e.getMessage());
        } catch (RuntimeException e) {
            log.error("run {} {} {}: unexpected error", id, server, kind, e);
            outcome = Outcome.FAILED;
            figures = RunFigures.error("internal error: " + e);
        } finally {
            running.remove(id);
            // a run interrupted by shutdown must not leave the flag set for Quartz's worker thread
            Thread.interrupted();
        }
        long ms = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        try {
            store.finish(id, outcome, clock.instant(), ms, figures);
        } finally {
            locks.release(server);
        }
        RunRecord rec = store.get(id).orElseThrow();
        logOutcome(rec);
        for (Consumer<RunRecord> l : finished) {
            try {
                l.accept(rec);
            } catch (RuntimeException e) {
                log.error("run {}: a listener failed", rec.id(), e);
            }
        }
        return rec;
    }

    /**
     * Called with every finished run (not skipped ones), after the server's lock is released, on the run's thread
     * (e.g. the offsite copy that follows a successful backup).
     */
    public void onFinished(Consumer<RunRecord> listener) {
        finished.add(listener);
    }

    static String describe(RunRecord r) {
        StringBuilder b = new StringBuilder();
        b.append("run ").append(r.id()).append(' ').append(r.server()).append(' ').append(r.job())
                .append(" (").append(r.trigger().word()).append("): ").append(r.outcome().word());
        if (r.durationMs() != null) {
            b.append(" in ").append(String.format(Locale.ROOT, "%.1fs", r.durationMs() / 1000.0));
        }
        if (r.backupId() != null) {
            b.append(", backup ").append(r.backupId());
        }
        if (r.sizeBytes() != null) {
            b.append(", ").append(Sizes.human(r.sizeBytes()));
        }
        if (r.throughputBytesPerSec() != null) {
            b.append(", ").append(Sizes.human(r.throughputBytesPerSec())).append("/s");
        }
        if (!r.failedChecks().isEmpty() && r.error() == null) {
            b.append(", failed checks: ").append(String.join(", ", r.failedChecks()));
        }
        if (r.error() != null) {
            b.append(", error: ").append(r.error());
        }
        if (r.detail() != null) {
            b.append(" (").append(r.detail()).append(')');
        }
        return b.toString();
    }

    private static void logOutcome(RunRecord r) {
        switch (r.outcome()) {
            case SUCCESS -> log.info(describe(r));
            case SKIPPED, INTERRUPTED -> log.warn(describe(r));
            default -> log.error(describe(r));
        }
    }

    /** Stop accepting runs and interrupt the running ones (their commands are killed by the runner). */
    public void interruptAll() {
        stopping = true;
        running.forEach((id, t) -> {
            log.warn("interrupting run {} (daemon stopping)", id);
            t.interrupt();
        });
    }

    public boolean awaitIdle(Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (!running.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return running.isEmpty();
            }
        }
        return running.isEmpty();
    }

    public int runningCount() {
        return running.size();
    }
}
