package io.barmand.daemon;

import io.barmand.config.JobKind;
import io.barmand.config.Settings;
import io.barmand.control.ControlServer;
import io.barmand.control.Lifecycle;
import io.barmand.error.BarmandException;
import io.barmand.history.RunStore;
import io.barmand.history.Trigger;
import io.barmand.job.RunRequest;
import io.barmand.metrics.InProgress;
import io.barmand.metrics.MetricsService;
import io.barmand.schedule.BarmandScheduler;
import io.barmand.schedule.ConflictRules;
import io.barmand.schedule.Delays;
import io.barmand.schedule.JobRunner;
import io.barmand.wiring.Services;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service: builds everything from {@link Settings} and starts; reloads its settings on request (SIGHUP, the
 * control socket) without touching runs in progress; on SIGTERM stops firing, waits for running backups, copies and
 * retention runs (stop-wait), interrupts what is left so that its Barman commands are killed, records every run's
 * end and exits. Tells systemd (Type=notify) when it is ready, reloading or stopping, and what runs.
 */
public final class Daemon implements Lifecycle {
    private static final Logger log = LoggerFactory.getLogger(Daemon.class);
    public static final String VERSION = version();

    /** The Maven version, from the pom.properties that Maven puts in the jar ("dev" when run from classes). */
    static String version() {
        try (var in = Daemon.class.getResourceAsStream("/META-INF/maven/io.barmand/barmand/pom.properties")) {
            if (in == null) {
                return "dev";
            }
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            return p.getProperty("version", "dev");
        } catch (java.io.IOException e) {
            return "dev";
        }
    }

    /** The settings of the start: what cannot change without a restart (state dir, sockets, Quartz, metrics). */
    private final Settings initial;
    /** The settings in force (the start's, or those of the last reload taken). */
    private volatile Settings settings;
    private volatile Services services;
    private final java.util.function.Supplier<Settings> loader;
    private final SystemdNotify sd;
    private final java.util.function.IntConsumer exit;
    private final Clock clock;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Object reloadLock = new Object();
    /** one daemon per state-dir: taken first at start, held until the end of stop */
    private InstanceLock instance;
    private RunStore store;
    private JobRunner runner;
    private BarmandScheduler scheduler;
    private Reloader reloader;
    private ControlServer control;
    /** The control socket's limits (tests shorten its times). */
    ControlServer.Options controlOptions = ControlServer.Options.DEFAULT;
    private volatile Notifier notifier;
    private MetricsService metrics;
    private Optional<io.barmand.fleet.FleetNode> fleet = Optional.empty();
    /** The fleet's forwarding waits (tests shorten them). */
    io.barmand.fleet.FleetNode.Tuning fleetTuning = io.barmand.fleet.FleetNode.Tuning.DEFAULTS;
    private volatile boolean stopping;
    private volatile boolean cutShort;
    private volatile boolean restartPending;
    private volatile boolean ready;

    /** A daemon that cannot reload (tests): its file is read again without asking Barman. */
    public Daemon(Settings settings, Clock clock) {
        this(settings, clock, () -> Settings.load(settings.file(), null), SystemdNotify.fromEnvironment(), System::exit);
    }

    /**
     * @param loader reads the configuration again for a reload (as at the start: main file and conf.d, Barman asked)
     * @param exit how the daemon ends itself: for a restart when idle ({@link Lifecycle#EXIT_RESTART}), or when its
     *             control socket fails (70)
     */
    public Daemon(Settings settings, Clock clock, java.util.function.Supplier<Settings> loader, SystemdNotify sd,
                  java.util.function.IntConsumer exit) {
        this.initial = settings;
        this.settings = settings;
        this.clock = clock;
        this.loader = loader;
        this.sd = sd;
        this.exit = exit;
    }

    public void start() {
        long t0 = System.nanoTime();
        log.info("barmand {} starting, pid {}, config {}{}", VERSION, ProcessHandle.current().pid(), settings.file(),
                settings.included().isEmpty() ? "" : " then " + settings.included());
        // before anything in the state-dir is read or written: a second `barmand run` stops here (75), naming the pid
        instance = InstanceLock.acquire(settings.stateDir());
        log.info("effective configuration (secrets masked): {}", settings.dumpOneLine());
        store = RunStore.open(settings.stateDir(), true);
        // only the holder of the lock repairs the runs a previous daemon left open
        int marked = store.markRunningInterrupted(clock.instant(), "daemon stopped before the run finished");
        if (marked > 0) {
            log.warn("{} run(s) left running or queued by a previous barmand recorded as interrupted or skipped", marked);
        }
        prune();
        keepLastGood(settings);
        Services w = Services.build(settings, store, clock, VERSION);
        services = w;
        // the metrics endpoint lives as long as the process (its address needs a restart); what it reports follows
        // the settings in force
        metrics = new MetricsService(settings.metrics(), () -> services.health.evaluate(clock.instant(),
                this.settings.report().window()), Optional.of(server -> services.barman.listBackups(server,
                this.settings.probeTimeout())), MetricsService.BACKUPS_TTL, clock, VERSION);
        notifier = notifier(w);
        runner = new JobRunner(settings.servers(), settings.hostJobs(), w.registry, store, settings.scheduler(), clock,
                Delays.threaded());
        JobRunner jr = runner;
        metrics.follow(store, () -> jr.running().stream().map(r -> new InProgress(r.server(), r.kind(), r.started())).toList());
        // a node of the fleet (state.url set): its runs copied to the state database, its heartbeat; never waited for
        fleet = Services.fleetNode(settings, store, VERSION, () -> jr.running().stream()
                .map(r -> new io.barmand.fleet.Running(r.server(), r.kind().id(), r.started())).toList(), fleetTuning, clock);
        metrics.webhooks(() -> services.webhooks.map(io.barmand.webhook.Webhooks::status).orElse(List.of()));
        // what follows a backup (its offsite copy, then retention), as the wiring declares it
        runner.followUps(w.followUps());
        runner.onEnded(rec -> {
            if (rec.job().equals(JobKind.BACKUP.id())) {
                metrics.backupsChanged(rec.server());
            }
            notifier.runEnded();
        });
        runner.onChange(() -> {
            if (ready && !stopping) {
                sd.status(status());
            }
        });
        scheduler = new BarmandScheduler(settings.servers(), settings.hostJobs(), settings.hostTimezone(), w.registry, runner,
                store, settings.scheduler(), clock);
        int jobs = scheduler.schedule();
        reloader = new Reloader(initial, loader, store, clock, runner, scheduler, new Reloader.Target() {
            @Override
            public Settings settings() {
                return settings;
            }

            @Override
            public Services services() {
                return services;
            }

            @Override
            public void install(Settings next, Services w) {
                Daemon.this.install(next, w);
            }
        });
        try {
            store.recordDaemonStart(clock.instant(), VERSION);
        } catch (BarmandException e) {
            // a history that takes no writes now (full disk, locked by another process) stops no run: runs are kept
            // in memory until it does; only the start of this daemon goes unrecorded
            log.error("history: this start not recorded: {}", e.getMessage());
        }
        // a control socket that can no longer serve ends the daemon (exit 70): systemd starts it again
        control = new ControlServer(settings.controlSocket(), runner, this, controlOptions, exit);
        control.start();
        scheduler.start();
        fleet.ifPresent(f -> metrics.fleet(f.forwarder()::backlog, () -> f.forwarder().down(clock).isEmpty()));
        metrics.start();
        fleet.ifPresent(io.barmand.fleet.FleetNode::start);
        notifier.start(settings.report().alertsInterval(), settings.mail().retryInitial());
        settings.warnings().forEach(log::warn);
        // copies a previous barmand left unfinished (killed, even with -9) are redone
        for (String server : w.offsite.unfinished()) {
            log.warn("{}: the last offsite copy was cut short: redoing it", server);
            runner.submitRecorded(RunRequest.of(JobKind.OFFSITE, server, Trigger.CATCH_UP));
        }
        int keeps = w.restore.releaseLeftoverKeeps();
        if (keeps > 0) {
            log.warn("{} keep(s) of backups under restore tests left by a previous barmand released", keeps);
        }
        // Barman's folders (one show-servers), read now off the start's path: restore tests, health and metrics read
        // Barman's own files with them instead of starting Barman
        Settings st = settings;
        Thread paths = new Thread(() -> st.servers().keySet().stream().findFirst()
                .ifPresent(s -> w.barman.paths(st.probeTimeout()).apply(s)), "barman-paths");
        paths.setDaemon(true);
        paths.start();
        int retries = runner.resumeRetries();
        if (retries > 0) {
            log.warn("{} retry(ies) of failed runs left pending by a previous barmand re-armed", retries);
        }
        log.info("barmand ready: {} servers, {} jobs scheduled, {} catch-up(s), control socket {} ({} ms)",
                settings.servers().size(), jobs, scheduler.catchUps().size(), settings.controlSocket(),
                Duration.ofNanos(System.nanoTime() - t0).toMillis());
        ready = true;
        sd.ready(status());
        // a line per schedule, once systemd knows barmand is ready (they are no part of being ready)
        scheduler.logScheduled();
    }

    private Notifier notifier(Services w) {
        MetricsService m = metrics;
        return new Notifier(w.outbox, w.alerts, w.webhooks, () -> {
            if (m.textfile().isPresent()) {
                m.refreshTextfile();
            }
        });
    }

    /** STATE-DIR/last-good.conf, read by status and history when the file is broken; a failure is only logged. */
    private void keepLastGood(Settings s) {
        if (!s.stateDir().equals(initial.stateDir())) {
            return; // the history stays where the start opened it: so does what describes it
        }
        try {
            io.barmand.config.LastGood.save(s, clock.instant());
        } catch (java.io.IOException | RuntimeException e) {
            log.warn("cannot keep the settings in {} (status and history read them when the file is broken): {}",
                    s.stateDir().resolve(io.barmand.config.LastGood.FILE), e.toString());
        }
    }

    /** The settings in force. */
    public Settings settings() {
        return settings;
    }

    /** The scheduler (tests: its next fire times). */
    BarmandScheduler scheduler() {
        return scheduler;
    }

    JobRunner runner() {
        return runner;
    }

    /**
     * What the unit's STATUS= says: the runs in progress and the next fire time, e.g. "backup pg1 running since
     * 02:00:03Z; next: check pg1 at 2026-12-01T02:15:00Z".
     */
    String status() {
        StringBuilder b = new StringBuilder();
        if (restartPending) {
            b.append("restart pending (waiting for the long runs); ");
        }
        List<JobRunner.Running> running = runner.running();
        if (running.isEmpty()) {
            b.append("idle");
        } else {
            b.append(running.stream().map(r -> r.who() + " running since " + r.started().truncatedTo(ChronoUnit.SECONDS))
                    .collect(Collectors.joining(", ")));
        }
        List<Map.Entry<org.quartz.JobKey, Instant>> next = scheduler.nextFires();
        if (!next.isEmpty()) {
            org.quartz.JobKey k = next.get(0).getKey();
            b.append("; next: ").append(k.getName())
                    .append(k.getGroup().equals(BarmandScheduler.HOST_GROUP) ? "" : " " + k.getGroup())
                    .append(" at ").append(next.get(0).getValue().truncatedTo(ChronoUnit.SECONDS));
        }
        return b.toString();
    }

    /**
     * Reads the configuration again (SIGHUP, {@code barmand reload}, ExecReload). A file with problems is refused:
     * every problem is logged, the settings in force stay. A good one replaces the services and the schedules; runs
     * in progress go on with what they started with, runs that start from now on take the new settings. What cannot
     * change while running is named in the log, for a restart.
     */
    @Override
    public Lifecycle.Reload reload(String by) {
        synchronized (reloadLock) {
            if (stopping || !ready) {
                String why = stopping ? "barmand is stopping" : "barmand is still starting";
                log.warn("reload refused: {} (asked by {})", why, by);
                return new Lifecycle.Reload(false, 0, List.of(why), List.of());
            }
            sd.reloading();
            try {
                return reloader.reload(by);
            } catch (RuntimeException e) {
                log.error("reload refused: {}; barmand goes on with the settings in force", e.toString(), e);
                return new Lifecycle.Reload(false, 0, List.of(e.toString()), List.of());
            } finally {
                // systemd holds the unit in "reloading" until READY=1, whatever the outcome
                sd.ready(status());
            }
        }
    }

    /** Puts a reload's settings and services in force (the reload itself is {@link Reloader}'s). */
    private void install(Settings next, Services w) {
        services = w;
        settings = next;
        runner.followUps(w.followUps());
        Notifier was = notifier;
        Notifier now = notifier(w);
        notifier = now;
        was.close();
        now.start(next.report().alertsInterval(), next.mail().retryInitial());
        keepLastGood(next);
        next.warnings().forEach(log::warn);
    }

    /**
     * A restart once the long runs have ended (the package's postinst on an upgrade). Nothing long running: empty,
     * nothing done (the caller restarts). Else backups, copies, restore tests, verify and retention runs are held
     * back, and once the running ones have ended the daemon stops as on SIGTERM and exits {@link Lifecycle#EXIT_RESTART}
     * for the unit to start the new version.
     */
    @Override
    public List<String> restartWhenIdle(String by) {
        synchronized (reloadLock) {
            if (stopping) {
                throw new BarmandException(io.barmand.error.Category.BUSY, "barmand is stopping already");
            }
            List<String> waits = longRuns();
            if (waits.isEmpty()) {
                log.info("restart when idle (asked by {}): nothing long runs: the restart is the caller's", by);
                return List.of();
            }
            if (!restartPending) {
                restartPending = true;
                runner.hold(k -> ConflictRules.heavy(k) || ConflictRules.finishedBeforeStop(k),
                        "barmand restarts once " + String.join(", ", waits) + " ended (asked by " + by + ")");
                Thread t = new Thread(() -> {
                    runner.awaitRunning(ConflictRules::finishedBeforeStop, Duration.ofDays(3650), () -> stopping);
                    if (!stopping) {
                        log.warn("restart when idle: the long runs have ended: exiting with {} for systemd to start barmand again",
                                Lifecycle.EXIT_RESTART);
                        exit.accept(Lifecycle.EXIT_RESTART);
                    }
                }, "barmand-restart-when-idle");
                t.setDaemon(true);
                t.start();
            }
            log.warn("restart when idle (asked by {}): waiting for {}; backups, offsite copies, restore tests, verify and "
                    + "retention runs are held back until then", by, String.join(", ", waits));
            sd.status(status());
            return waits;
        }
    }

    /** The long runs in progress, named for people: "backup pg1 (run 12, since 2026-12-01T02:00:03Z)". */
    private List<String> longRuns() {
        return runner.running().stream().filter(r -> ConflictRules.finishedBeforeStop(r.kind()))
                .map(r -> r.who() + " (run " + r.id() + ", since " + r.started().truncatedTo(ChronoUnit.SECONDS) + ")")
                .toList();
    }

    /**
     * At start, deletes the runs that ended more than history.keep ago (then daily, by the job of the host
     * prune-history); a failure is logged, never fatal.
     */
    private void prune() {
        try {
            int n = store.prune(clock.instant().minus(settings.historyKeep()));
            if (n > 0) {
                log.info("history: {} run(s) older than history.keep = {} deleted", n, settings.historyKeep());
            }
        } catch (RuntimeException e) {
            log.error("history: pruning failed: {}", e.getMessage());
        }
    }

    /** Blocks until {@link #stop()} has completed. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** A second SIGTERM: the wait for long runs ends now, they are interrupted. */
    public void cutShort() {
        if (stopping && !cutShort) {
            log.warn("barmand stopping: asked again: interrupting now, without waiting any longer");
        }
        cutShort = true;
    }

    public boolean stopRequested() {
        return stopping;
    }

    /**
     * Stops: no new run (those waiting recorded skipped), a running backup, offsite copy or retention run waited
     * for at most {@code stop-wait} (systemd told to extend its stop timeout meanwhile), then every run left
     * interrupted and waited for at most {@code shutdown-timeout}; every run's end recorded.
     */
    public void stop() {
        synchronized (this) {
            if (stopping) {
                try {
                    stopped.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            stopping = true;
        }
        if (instance == null) {
            // never started (a second daemon refused by the lock): nothing of the state-dir is this one's to close
            sd.close();
            stopped.countDown();
            return;
        }
        long t0 = System.nanoTime();
        Settings s = settings;
        java.util.concurrent.ScheduledExecutorService keepalive = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "barmand-stop-keepalive");
            t.setDaemon(true);
            return t;
        });
        try {
            String reason = restartPending ? "daemon restarting" : "daemon stopping";
            List<String> waits = runner == null ? List.of() : longRuns();
            sd.stopping(waits.isEmpty() ? "stopping" : "stopping: waiting for " + String.join(", ", waits));
            // systemd kills a stop that outlasts TimeoutStopSec: each message gives 60 s more from now (systemd 236+)
            keepalive.scheduleAtFixedRate(() -> {
                sd.extendTimeout(STOP_EXTEND);
                if (runner != null) {
                    List<String> w = longRuns();
                    sd.status(w.isEmpty() ? "stopping" : "stopping: waiting for " + String.join(", ", w));
                }
            }, 0, STOP_EXTEND.toMillis() / 3, java.util.concurrent.TimeUnit.MILLISECONDS);
            if (scheduler != null) {
                scheduler.standby();
            }
            if (runner != null) {
                runner.stopAdmitting(reason);
                if (!waits.isEmpty() && !s.stopWait().isZero()) {
                    log.warn("barmand stopping: no new runs; waiting up to {} (stop-wait) for {} before interrupting",
                            s.stopWait(), String.join(", ", waits));
                    if (runner.awaitRunning(ConflictRules::finishedBeforeStop, s.stopWait(), () -> cutShort)) {
                        log.info("barmand stopping: {} ended after {} s", String.join(", ", waits),
                                Duration.ofNanos(System.nanoTime() - t0).toSeconds());
                    } else {
                        log.error("barmand stopping: {} still running after {}: interrupting", String.join(", ", longRuns()),
                                cutShort ? "a second stop request" : "stop-wait = " + s.stopWait());
                    }
                }
                log.info("barmand stopping: no new runs, interrupting {} running job(s)", runner.runningCount());
                runner.interruptAll();
                if (!runner.awaitIdle(s.shutdownTimeout())) {
                    log.error("{} job(s) still running after shutdown-timeout {}: exiting anyway",
                            runner.runningCount(), s.shutdownTimeout());
                }
            }
            if (store != null) {
                int n = store.markRunningInterrupted(clock.instant(), "daemon stopped before the run finished");
                if (n > 0) {
                    log.warn("{} run(s) recorded as interrupted at shutdown", n);
                }
            }
            if (control != null) {
                control.close();
            }
            if (notifier != null) {
                notifier.close();
            }
            if (metrics != null) {
                metrics.close();
            }
            if (scheduler != null) {
                scheduler.shutdown();
            }
            if (fleet.isPresent()) {
                fleet.get().close(); // a last copy of the runs' changes, then the pool
            }
            if (store != null) {
                store.close();
            }
            if (instance != null) {
                instance.close();
            }
            log.info("barmand stopped in {} ms", Duration.ofNanos(System.nanoTime() - t0).toMillis());
        } finally {
            keepalive.shutdownNow();
            sd.close();
            stopped.countDown();
        }
    }

    /** How much longer each EXTEND_TIMEOUT_USEC= message lets a stop take (sent every third of it). */
    static final Duration STOP_EXTEND = Duration.ofSeconds(60);
}
