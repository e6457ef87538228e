package io.barmand.daemon;

import io.barmand.barman.BarmanClient;
import io.barmand.config.Settings;
import io.barmand.control.ControlServer;
import io.barmand.history.RunStore;
import io.barmand.jobs.BackupService;
import io.barmand.jobs.CheckService;
import io.barmand.jobs.PruneHistoryService;
import io.barmand.schedule.Delays;
import io.barmand.jobs.SwitchWalService;
import io.barmand.jobs.VerifyService;
import io.barmand.process.CommandRunner;
import io.barmand.offsite.BarmanSource;
import io.barmand.schedule.Adapters.OffsiteJob;
import io.barmand.offsite.OffsiteService;
import io.barmand.config.OffsiteSettings;
import io.barmand.bucket.S3Store;
import io.barmand.retention.RetentionService;
import io.barmand.restore.CanaryHook;
import io.barmand.config.RestoreSettings;
import io.barmand.schedule.Adapters.RestoreTestJob;
import io.barmand.restore.RestoreTestService;
import io.barmand.schedule.Adapters;
import io.barmand.schedule.BarmandScheduler;
import io.barmand.schedule.JobRegistry;
import io.barmand.schedule.JobRunner;
import io.barmand.config.JobKind;
import io.barmand.history.Trigger;
import io.barmand.job.RunRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import io.barmand.health.Health;
import io.barmand.mail.Outbox;
import io.barmand.metrics.MetricsService;
import io.barmand.mail.Sender;
import io.barmand.report.AlertService;
import io.barmand.report.Folders;
import io.barmand.report.ReportService;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service: builds everything from {@link Settings}, starts, and stops in bounded time on SIGTERM (scheduler
 * to standby, running jobs interrupted so that their Barman commands are killed, their runs recorded
 * `interrupted`, then exit).
 */
public final class Daemon {
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

    private final Settings settings;
    private final Clock clock;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private RunStore store;
    private JobRunner runner;
    private BarmandScheduler scheduler;
    private ControlServer control;
    private Notifier notifier;
    private MetricsService metrics;
    private volatile boolean stopping;

    public Daemon(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /** One copy in the bucket checked without download (HEAD of each object against its manifest). */
    public static RetentionService.CopyCheck copyCheck(Map<String, OffsiteSettings> offsite) {
        return (server, id) -> {
            try (S3Store st = new S3Store(offsite.get(server))) {
                return new io.barmand.offsite.OffsiteVerifier(st).verify(server, Optional.of(id), false).problems();
            }
        };
    }

    public void start() {
        long t0 = System.nanoTime();
        log.info("barmand {} starting, pid {}, config {}{}", VERSION, ProcessHandle.current().pid(), settings.file(),
                settings.included().isEmpty() ? "" : " then " + settings.included());
        log.info("effective configuration (secrets masked): {}", settings.dumpOneLine());
        Map<String, RestoreSettings> restore = settings.restore();
        Map<String, OffsiteSettings> offsite = settings.offsite();
        store = RunStore.open(settings.stateDir(), true);
        int marked = store.markRunningInterrupted(clock.instant(), "daemon stopped before the run finished");
        if (marked > 0) {
            log.warn("{} run(s) left running or queued by a previous barmand recorded as interrupted or skipped", marked);
        }
        prune();
        try {
            io.barmand.config.LastGood.save(settings, clock.instant());
        } catch (java.io.IOException | RuntimeException e) {
            log.warn("cannot keep the settings in {} (status and history read them when the file is broken): {}",
                    settings.stateDir().resolve(io.barmand.config.LastGood.FILE), e.toString());
        }
        CommandRunner cmd = new CommandRunner(clock, settings.killGrace());
        BarmanClient barman = new BarmanClient(cmd, settings.barmanBinary(), settings.barmanConfigFile());
        RestoreTestService restoreService = new RestoreTestService(barman, cmd, restore, clock, offsite, S3Store::new,
                settings.stateDir().resolve("restore-keeps"));
        JobRegistry registry = new JobRegistry()
                .register(new CheckService(barman), Adapters.CheckJob.class)
                .register(new CanaryHook(new SwitchWalService(barman), restore, clock), Adapters.SwitchWalJob.class)
                .register(new CanaryHook(new BackupService(barman, settings.servers()), restore, clock), Adapters.BackupJob.class)
                .register(restoreService, RestoreTestJob.class);
        OffsiteService offsiteService = new OffsiteService(offsite, BarmanSource.of(barman, settings.probeTimeout()),
                S3Store::new, VERSION, clock);
        registry.register(offsiteService, OffsiteJob.class);
        // the nightly verify: barman verify-backup of new backups, the newest offsite copy downloaded and checked
        registry.register(new VerifyService(barman, store, server -> {
            OffsiteSettings os = offsite.get(server);
            if (os == null || !os.enabled()) {
                return Optional.empty();
            }
            try (S3Store st = new S3Store(os)) {
                io.barmand.offsite.OffsiteVerifier.Report r = new io.barmand.offsite.OffsiteVerifier(st)
                        .verify(server, Optional.empty(), true);
                return Optional.of(new VerifyService.Checked(r.backupId(), r.problems()));
            }
        }), Adapters.VerifyJob.class);
        registry.register(new PruneHistoryService(store, settings.historyKeep()), Adapters.PruneHistoryJob.class);
        // retention: Barman's keep, release and delete, and the expiry of the bucket's copies
        RetentionService retention = new RetentionService(barman, store, settings.servers(), S3Store::new,
                copyCheck(offsite), settings.stateDir(), clock);
        registry.register(retention, Adapters.RetentionJob.class);
        // the morning report, alerts and the outbox they share
        Health health = new Health(settings, store, barman.walClock(settings.probeTimeout()));
        Optional<Outbox> outbox = settings.mail().enabled()
                ? Optional.of(new Outbox(settings.stateDir(), settings.mail(), new Sender(settings.mail(), cmd), clock))
                : Optional.empty();
        registry.register(new ReportService(settings.report(), settings.servers(), store, health,
                Folders.of(settings, barman.paths(settings.probeTimeout())), outbox, settings.stateDir(), settings.hostTimezone(),
                clock), Adapters.ReportJob.class);
        Optional<AlertService> alerts = outbox.filter(o -> settings.report().alertsEnabled()).map(o ->
                new AlertService(settings.report(), health, o, settings.stateDir(), settings.hostTimezone(), clock));
        metrics = new MetricsService(settings.metrics(), () -> health.evaluate(clock.instant(), settings.report().window()),
                Optional.of(server -> barman.listBackups(server, settings.probeTimeout())), MetricsService.BACKUPS_TTL, clock,
                VERSION);
        MetricsService m = metrics;
        notifier = new Notifier(outbox, alerts, () -> {
            if (m.textfile().isPresent()) {
                m.refreshTextfile();
            }
        });
        runner = new JobRunner(settings.servers(), settings.hostJobs(), registry, store, settings.scheduler(), clock,
                Delays.threaded());
        // the offsite copy of each new backup: queued like any run once the backup has succeeded
        runner.chain(JobKind.BACKUP, JobKind.OFFSITE, offsiteService::enabled);
        // retention after each new backup; after its offsite copy when offsite is on (the copy is a rail)
        runner.chain(JobKind.BACKUP, JobKind.RETENTION, retention::afterBackup);
        // (the copy that followed a backup: a scheduled WAL copy every few minutes is no new backup to retain)
        runner.chainAfterChained(JobKind.OFFSITE, JobKind.RETENTION, retention::afterOffsite);
        runner.onEnded(rec -> {
            if (rec.job().equals(JobKind.BACKUP.id())) {
                metrics.backupsChanged(rec.server());
            }
            notifier.runEnded();
        });
        scheduler = new BarmandScheduler(settings.servers(), settings.hostJobs(), settings.hostTimezone(), registry, runner,
                store, settings.scheduler(), clock);
        int jobs = scheduler.schedule();
        store.recordDaemonStart(clock.instant(), VERSION);
        control = new ControlServer(settings.controlSocket(), runner);
        control.start();
        scheduler.start();
        metrics.start();
        notifier.start(settings.report().alertsInterval(), settings.mail().retryInitial());
        if (outbox.isEmpty()) {
            log.warn("mail.to is empty: reports are kept in {} only, and no alert is mailed", settings.stateDir().resolve("reports"));
        }
        // copies a previous barmand left unfinished (killed, even with -9) are redone
        for (String server : offsiteService.unfinished()) {
            log.warn("{}: the last offsite copy was cut short: redoing it", server);
            runner.submitRecorded(RunRequest.of(JobKind.OFFSITE, server, Trigger.CATCH_UP));
        }
        int keeps = restoreService.releaseLeftoverKeeps();
        if (keeps > 0) {
            log.warn("{} keep(s) of backups under restore tests left by a previous barmand released", keeps);
        }
        // Barman's folders (one show-servers), read now off the start's path: restore tests, health and metrics read
        // Barman's own files with them instead of starting Barman
        Thread paths = new Thread(() -> settings.servers().keySet().stream().findFirst()
                .ifPresent(s -> barman.paths(settings.probeTimeout()).apply(s)), "barman-paths");
        paths.setDaemon(true);
        paths.start();
        int retries = runner.resumeRetries();
        if (retries > 0) {
            log.warn("{} retry(ies) of failed runs left pending by a previous barmand re-armed", retries);
        }
        log.info("barmand ready: {} servers, {} jobs scheduled, {} catch-up(s), control socket {} ({} ms)",
                settings.servers().size(), jobs, scheduler.catchUps().size(), settings.controlSocket(),
                Duration.ofNanos(System.nanoTime() - t0).toMillis());
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

    public synchronized void stop() {
        if (stopping) {
            return;
        }
        stopping = true;
        long t0 = System.nanoTime();
        log.info("barmand stopping: no new runs, interrupting {} running job(s)", runner == null ? 0 : runner.runningCount());
        try {
            if (scheduler != null) {
                scheduler.standby();
            }
            if (runner != null) {
                runner.interruptAll();
                if (!runner.awaitIdle(settings.shutdownTimeout())) {
                    log.error("{} job(s) still running after shutdown-timeout {}: exiting anyway",
                            runner.runningCount(), settings.shutdownTimeout());
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
            if (store != null) {
                store.close();
            }
            log.info("barmand stopped in {} ms", Duration.ofNanos(System.nanoTime() - t0).toMillis());
        } finally {
            stopped.countDown();
        }
    }
}
