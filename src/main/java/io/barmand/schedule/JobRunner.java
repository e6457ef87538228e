package io.barmand.schedule;

import io.barmand.job.JobService;
import io.barmand.job.RunOptions;
import io.barmand.job.RunRequest;
import io.barmand.config.JobKind;
import io.barmand.config.JobSettings;
import io.barmand.config.SchedulerSettings;
import io.barmand.config.ServerSettings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.history.RunRecord;
import io.barmand.history.RunText;
import io.barmand.history.RunHistory;
import io.barmand.history.Trigger;
import io.barmand.log.LogFields;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one path of every run (Quartz, run-now, catch-up, chained runs, retries): checks the request, applies the
 * {@link ConflictRules}, records the run (queued, running, its outcome and figures), runs it on a thread of its own
 * and, once it has ended, starts the runs chained after it and the retry its policy asks for.
 *
 * <p>A run whose kind is already running or queued for its server is recorded {@code skipped} at once (a chained
 * run or a retry instead waits behind a running one of its kind). Every other run is queued, recorded
 * {@code queued}, and starts as soon as nothing it conflicts with runs on its server and a slot of its class is free
 * (heavy: backups, copies, restore tests; light: check, switch-wal), the waiting ones in order of priority, then of
 * arrival; its record then says how long it waited.
 */
public class JobRunner {
    private static final Logger log = LoggerFactory.getLogger("io.barmand.run");

    /** What the runner runs, swapped whole by {@link #reconfigure} (a reload); a run keeps what it started with. */
    private record Jobs(Map<String, ServerSettings> servers, Map<JobKind, JobSettings> hostJobs, JobRegistry registry) {
    }

    private volatile Jobs jobs;
    private final RunHistory store;
    private final Clock clock;
    private final Delays delays;
    private final ExecutorService exec;
    private final Object lock = new Object();
    /** who runs and who waits (guarded by lock) */
    private final Admission<Ticket> admission;
    private long arrivals;
    /** runs one run on its thread and records its end */
    private final Execution execution;
    /** what follows a run: its follow-ups when it succeeded, its retry when it failed */
    private final AfterRun after;
    private final List<java.util.function.Consumer<RunRecord>> listeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> changes = new CopyOnWriteArrayList<>();
    private volatile boolean stopping;
    /** the runs skipped because their server is busy, told once per episode (guarded by lock) */
    private final SkipEpisodes skips = new SkipEpisodes();
    /** why new runs are refused once the daemon stops ("daemon stopping") */
    private volatile String stopReason = "daemon stopping";

    public JobRunner(Map<String, ServerSettings> servers, JobRegistry registry, RunHistory store, SchedulerSettings limits,
                     Clock clock) {
        this(servers, Map.of(), registry, store, limits, clock, Delays.threaded());
    }

    public JobRunner(Map<String, ServerSettings> servers, JobRegistry registry, RunHistory store, SchedulerSettings limits,
                     Clock clock, Delays delays) {
        this(servers, Map.of(), registry, store, limits, clock, delays);
    }

    /** With the jobs of the host ({@code hostJobs}: their settings by kind), which run with no server. */
    public JobRunner(Map<String, ServerSettings> servers, Map<JobKind, JobSettings> hostJobs, JobRegistry registry,
                     RunHistory store, SchedulerSettings limits, Clock clock, Delays delays) {
        this.jobs = new Jobs(ordered(servers), ordered(hostJobs), registry);
        this.store = store;
        this.admission = new LocalAdmission<>(limits.maxHeavyRuns(), limits.maxLightRuns());
        this.clock = clock;
        this.delays = delays;
        this.execution = new Execution(store, clock);
        this.after = new AfterRun(store, clock, delays, this::submitRecorded, () -> stopping);
        AtomicInteger n = new AtomicInteger();
        this.exec = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "barmand-run-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    private static <K, V> Map<K, V> ordered(Map<K, V> m) {
        return java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(m));
    }

    /**
     * What follows a successful run, replacing what was set (the wiring's declaration, at the start and by a reload);
     * a follow-up is given the backup id of the run before.
     */
    public void followUps(List<FollowUps> f) {
        after.followUps(f);
    }

    /** {@code l} is told of every run once it has ended and is recorded (alerts, metrics); it must not block. */
    public void onEnded(java.util.function.Consumer<RunRecord> l) {
        listeners.add(l);
    }

    public RunRecord run(JobKind kind, String server, Trigger trigger) {
        return run(kind, server, trigger, RunOptions.NONE);
    }

    /**
     * Runs one job and waits for its record (run-now, tests). A bad request (unknown server or job, an option the
     * job refuses) is a USAGE error before anything is recorded.
     */
    public RunRecord run(JobKind kind, String server, Trigger trigger, RunOptions options) {
        CompletableFuture<RunRecord> f = submit(new RunRequest(kind, server, trigger, options, 1));
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BarmandException(Category.INTERRUPTED, "interrupted while waiting for the " + kind + " of " + server);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re
                    : new BarmandException(Category.INTERNAL, String.valueOf(e.getCause()), e.getCause());
        }
    }

    /**
     * Asks for a run; returns at once with its record to come (already there for a skipped run). Throws USAGE, with
     * nothing recorded, for a request that names an unknown server or job or an option the job refuses.
     */
    public CompletableFuture<RunRecord> submit(RunRequest r) {
        Jobs j = jobs;
        JobService service = j.registry().service(r.kind()).orElseThrow(() ->
                new BarmandException(Category.USAGE, "unknown job '" + r.kind() + "'"));
        JobSettings js = settingsOf(j, r);
        service.check(r.options());
        synchronized (lock) {
            Instant now = clock.instant();
            String busy = stopping ? stopReason : admission.duplicate(r);
            if (busy != null) {
                long id = store.skipped(r.server(), r.kind().id(), r.trigger(), now, busy, r.attempt());
                RunRecord rec = store.get(id).orElseThrow();
                // busy: the first skip of an episode is logged, the others only recorded (1000 servers whose checks
                // outlast their interval would log a WARN per fire); its end is logged with the count
                boolean first = stopping || skips.skipped(r.server(), r.kind().id(), who(r), now, id);
                try (LogFields.Scope f = LogFields.run(r.server(), r.kind().id(), id)) {
                    if (first) {
                        log.warn("run {} {} ({}): skipped, {}{}", id, who(r), r.trigger().word(), busy, stopping ? ""
                                : "; until it ends, further runs of it are recorded skipped, not logged");
                    } else {
                        log.debug("run {} {} ({}): skipped, {}", id, who(r), r.trigger().word(), busy);
                    }
                }
                return CompletableFuture.completedFuture(rec);
            }
            long id = store.queue(r.server(), r.kind().id(), r.trigger(), now, r.attempt());
            Ticket t = new Ticket(r, service, js, id, now, arrivals++);
            admission.enqueue(t);
            dispatch(now);
            if (t.started == null) {
                try (LogFields.Scope f = LogFields.run(r.server(), r.kind().id(), id)) {
                    log.info("run {} {} ({}): queued, {}", id, who(r), r.trigger().word(), waitingFor(t));
                }
            }
            return t.done;
        }
    }

    /** The settings of the job {@code r} asks for; USAGE when the server or job is not configured. */
    private static JobSettings settingsOf(Jobs j, RunRequest r) {
        JobSettings js;
        if (r.kind().host()) {
            if (!r.server().isEmpty()) {
                throw new BarmandException(Category.USAGE, "job '" + r.kind() + "' is a job of the host: it takes no server");
            }
            js = j.hostJobs().get(r.kind());
            if (js == null) {
                throw new BarmandException(Category.USAGE, "job '" + r.kind() + "' is not configured on this host");
            }
        } else {
            ServerSettings ss = j.servers().get(r.server());
            if (ss == null) {
                throw new BarmandException(Category.USAGE, (r.server().isEmpty() ? "job '" + r.kind() + "' needs a server"
                        : "unknown server '" + r.server() + "'") + " (configured: " + String.join(", ", j.servers().keySet()) + ")");
            }
            js = ss.job(r.kind());
            if (js == null) {
                throw new BarmandException(Category.USAGE, "job '" + r.kind() + "' is not configured for server '" + r.server() + "'");
            }
            ss.offBecause(r.kind(), r.options().source()).ifPresent(why -> {
                throw new BarmandException(Category.USAGE, why);
            });
        }
        return js;
    }

    /**
     * A reload: new runs (and those still waiting in the queue) take these servers, jobs, services and bounds; runs
     * already running go on with what they started with. A waiting run whose server or job the new settings no
     * longer have is recorded skipped, naming why. Returns how many waiting runs were so dropped.
     */
    public int reconfigure(Map<String, ServerSettings> servers, Map<JobKind, JobSettings> hostJobs, JobRegistry registry,
                           SchedulerSettings limits) {
        Jobs j = new Jobs(ordered(servers), ordered(hostJobs), registry);
        List<Ticket> gone = new ArrayList<>();
        synchronized (lock) {
            jobs = j;
            admission.limits(limits.maxHeavyRuns(), limits.maxLightRuns());
            Instant now = clock.instant();
            for (Ticket t : admission.drain()) {
                try {
                    JobService service = j.registry().service(t.req.kind()).orElseThrow(() ->
                            new BarmandException(Category.USAGE, "unknown job '" + t.req.kind() + "'"));
                    t.settings = settingsOf(j, t.req);
                    t.service = service;
                    admission.enqueue(t);
                } catch (BarmandException e) {
                    long waited = Math.max(0, Duration.between(t.requested, now).toMillis());
                    store.dequeue(t.id, now, waited, "configuration reloaded: " + e.getMessage() + "; queued since "
                            + t.requested + ", never started");
                    gone.add(t);
                }
            }
            if (!stopping) {
                dispatch(now);
            }
        }
        for (Ticket t : gone) {
            RunRecord rec = store.get(t.id).orElseThrow();
            try (LogFields.Scope f = LogFields.run(rec.server(), rec.job(), rec.id())) {
                logOutcome(rec);
            }
            t.done.complete(rec);
        }
        return gone.size();
    }

    /** {@code r} is run whenever a run starts or ends (the unit's STATUS=); it must not block. */
    public void onChange(Runnable r) {
        changes.add(r);
    }

    private void changed() {
        for (Runnable r : changes) {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.error("a listener failed: {}", e.toString());
            }
        }
    }

    /** A run in progress, as {@link #running()} lists it. */
    public record Running(long id, JobKind kind, String server, Instant started) {
        /** "backup pg1", or "report" for a job of the host. */
        public String who() {
            return server.isEmpty() ? kind.id() : kind.id() + " " + server;
        }
    }

    /** The runs in progress, oldest first. */
    public List<Running> running() {
        synchronized (lock) {
            List<Running> out = new ArrayList<>();
            for (Ticket t : admission.running()) {
                out.add(new Running(t.id, t.req.kind(), t.req.server(), t.started));
            }
            out.sort(java.util.Comparator.comparing(Running::started).thenComparingLong(Running::id));
            return out;
        }
    }

    /** "pg1 backup", or "prune-history" for a job of the host: how the log names a run. */
    static String who(RunRequest r) {
        return r.server().isEmpty() ? r.kind().id() : r.server() + " " + r.kind();
    }

    /** Starts every queued run that may start now (under lock). */
    private void dispatch(Instant now) {
        for (Ticket t : admission.admit()) {
            long waited = Math.max(0, Duration.between(t.requested, now).toMillis());
            t.started = now;
            try {
                store.begin(t.id, now, waited);
            } catch (RuntimeException e) {
                // the store keeps what it cannot write; this is a store that cannot even read: the run must not hold
                // its slot (and its server) without running
                log.error("run {} {}: cannot record its start, not run: {}", t.id, who(t.req), e.getMessage());
                admission.finished(t);
                t.done.completeExceptionally(e);
                continue;
            }
            exec.execute(() -> execute(t, waited));
        }
    }

    private String waitingFor(Ticket t) {
        String b = admission.blockedBy(t);
        return b != null ? b : "waiting behind runs of higher priority";
    }

    /** How long past its deadline a run may go on before the runner interrupts it (tests shorten it). */
    void overrunGrace(Duration grace) {
        execution.overrunGrace(grace);
    }

    /**
     * Runs a ticket on its pool thread, its lines named by SERVER, JOB, RUN_ID (and BACKUP_ID when the run is given
     * one) in the MDC from start to end, chained runs and listeners included, cleared after.
     */
    private void execute(Ticket t, long waitedMs) {
        try (LogFields.Scope f = LogFields.run(t.req.server(), t.req.kind().id(), t.id)) {
            LogFields.backupId(t.req.options().backupId().orElse(null));
            executeNamed(t, waitedMs);
        }
    }

    private void executeNamed(Ticket t, long waitedMs) {
        RunRecord rec;
        try {
            rec = execution.run(t, waitedMs, () -> stopping, this::changed);
        } catch (RuntimeException e) {
            log.error("run {} {}: cannot record its end: {}", t.id, who(t.req), e.getMessage());
            t.done.completeExceptionally(e);
            return;
        } finally {
            synchronized (lock) {
                admission.finished(t);
                if (!stopping) {
                    dispatch(clock.instant());
                }
                episodeEnded(t.req);
                lock.notifyAll();
            }
        }
        logOutcome(rec);
        t.done.complete(rec);
        after.ended(rec, t.req, t.settings.retry());
        changed();
        for (java.util.function.Consumer<RunRecord> l : listeners) {
            try {
                l.accept(rec);
            } catch (RuntimeException e) {
                log.error("run {} {}: a listener failed: {}", t.id, who(t.req), e.toString());
            }
        }
    }

    /**
     * A run of {@code req}'s kind and server ended: when nothing of that kind runs or waits for the server any more,
     * the episode of runs skipped meanwhile (if any) is over, and said so with its count (under lock).
     */
    private void episodeEnded(RunRequest req) {
        if (admission.duplicate(new RunRequest(req.kind(), req.server(), Trigger.SCHEDULED, RunOptions.NONE, 1)) != null) {
            return;
        }
        skips.ended(req.server(), req.kind().id()).ifPresent(e -> log.warn("{}: no longer busy: {} run(s) skipped from {} to "
                + "{} (runs {} and after, recorded skipped)", e.who(), e.skipped(), e.since(), e.last(), e.firstRunId()));
    }

    /**
     * Re-arms the retries a previous barmand left pending: the newest run of each job with a retry policy that
     * failed with attempts left is tried again its `after` past its end (at once when that has passed).
     */
    public int resumeRetries() {
        Jobs j = jobs;
        return after.resumeRetries(j.servers(), j.registry().kinds());
    }

    /** Submits a run that nobody waits for; a request that cannot be taken is recorded skipped, naming why. */
    public void submitRecorded(RunRequest r) {
        try {
            submit(r);
        } catch (BarmandException e) {
            long id = store.skipped(r.server(), r.kind().id(), r.trigger(), clock.instant(), e.getMessage(), r.attempt());
            try (LogFields.Scope f = LogFields.run(r.server(), r.kind().id(), id)) {
                log.error("run {} {} ({}): cannot run: {}", id, who(r), r.trigger().word(), e.getMessage());
            }
        }
    }


    static String describe(RunRecord r) {
        return RunText.line(r);
    }

    private static void logOutcome(RunRecord r) {
        switch (r.outcome()) {
            case SUCCESS -> log.info(describe(r));
            case SKIPPED, INTERRUPTED -> log.warn(describe(r));
            default -> log.error(describe(r));
        }
    }

    /**
     * Stops accepting runs ({@code reason}, e.g. "daemon stopping", is what a refused or dropped run is recorded
     * with): pending retries are dropped (re-armed at the next start), queued runs are recorded skipped with how long
     * they waited. Running runs go on: see {@link #awaitRunning} and {@link #interruptAll}.
     */
    public void stopAdmitting(String reason) {
        List<Ticket> dropped;
        synchronized (lock) {
            if (stopping) {
                return;
            }
            stopReason = reason;
            stopping = true;
            Instant now = clock.instant();
            dropped = admission.drain();
            for (Ticket t : dropped) {
                long waited = Math.max(0, Duration.between(t.requested, now).toMillis());
                store.dequeue(t.id, now, waited, reason + ": queued since " + t.requested + ", never started");
            }
        }
        delays.shutdown();
        for (Ticket t : dropped) {
            RunRecord rec = store.get(t.id).orElseThrow();
            try (LogFields.Scope f = LogFields.run(rec.server(), rec.job(), rec.id())) {
                logOutcome(rec);
            }
            t.done.complete(rec);
        }
    }

    /**
     * Holds back runs of the kinds {@code held} accepts ({@code reason}: what the queue says they wait for): they are
     * queued, recorded {@code queued}, and start only once released (null: nothing held).
     */
    public void hold(Predicate<JobKind> held, String reason) {
        synchronized (lock) {
            admission.hold(held, reason);
            if (held == null && !stopping) {
                dispatch(clock.instant());
            }
        }
    }

    /**
     * Stops accepting runs as {@link #stopAdmitting} does, then interrupts the running ones (their commands killed by
     * the runner); they record their end as interrupted.
     */
    public void interruptAll() {
        stopAdmitting(stopReason);
        execution.shutdown();
        List<Thread> threads = new ArrayList<>();
        synchronized (lock) {
            for (Ticket t : admission.running()) {
                Thread th = t.thread;
                if (th != null) {
                    try (LogFields.Scope f = LogFields.run(t.req.server(), t.req.kind().id(), t.id)) {
                        log.warn("interrupting run {} {} ({})", t.id, who(t.req), stopReason);
                    }
                    threads.add(th);
                }
            }
        }
        threads.forEach(Thread::interrupt);
    }

    /**
     * Waits until no running run is of a kind {@code which} accepts, at most {@code max}; true if none is (left).
     * Returns early, false, when {@code stop} turns true.
     */
    public boolean awaitRunning(Predicate<JobKind> which, Duration max, java.util.function.BooleanSupplier stop) {
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (lock) {
            while (admission.running().stream().anyMatch(t -> which.test(t.req.kind()))) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || stop.getAsBoolean()) {
                    return false;
                }
                try {
                    lock.wait(Math.max(1, Math.min(left / 1_000_000, 1000)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    /** Waits until no run is running, at most {@code max}; true if none is. */
    public boolean awaitIdle(Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (lock) {
            while (!admission.running().isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    lock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return admission.running().isEmpty();
                }
            }
            return true;
        }
    }

    public int runningCount() {
        synchronized (lock) {
            return admission.running().size();
        }
    }

    public int queuedCount() {
        synchronized (lock) {
            return admission.queued();
        }
    }

    /** Heavy runs running now (never above scheduler.max-heavy-runs). */
    public int heavyRunning() {
        synchronized (lock) {
            return admission.heavyRunning();
        }
    }
}
