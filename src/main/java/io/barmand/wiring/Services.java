package io.barmand.wiring;

import io.barmand.barman.BarmanClient;
import io.barmand.bucket.S3Store;
import io.barmand.config.JobKind;
import io.barmand.config.OffsiteSettings;
import io.barmand.config.RestoreSettings;
import io.barmand.config.Settings;
import io.barmand.health.Health;
import io.barmand.history.RunHistory;
import io.barmand.history.RunStore;
import io.barmand.jobs.BackupService;
import io.barmand.jobs.CheckService;
import io.barmand.jobs.PruneHistoryService;
import io.barmand.jobs.SwitchWalService;
import io.barmand.jobs.VerifyService;
import io.barmand.mail.Outbox;
import io.barmand.mail.Sender;
import io.barmand.offsite.BarmanSource;
import io.barmand.offsite.OffsiteService;
import io.barmand.offsite.OffsiteVerifier;
import io.barmand.process.CommandRunner;
import io.barmand.report.AlertService;
import io.barmand.webhook.Webhooks;
import io.barmand.report.Folders;
import io.barmand.report.ReportService;
import io.barmand.restore.CanaryHook;
import io.barmand.restore.RestoreKeeps;
import io.barmand.restore.RestoreTestService;
import io.barmand.retention.RetentionService;
import io.barmand.schedule.FollowUps;
import io.barmand.schedule.JobRegistry;
import io.barmand.schedule.JobRunner;
import io.barmand.schedule.cluster.FloatingKind;
import io.barmand.schedule.cluster.FloatingWork;
import io.barmand.job.RunOptions;
import io.barmand.vocabulary.RestoreSource;
import io.barmand.state.KeptRecords;
import io.barmand.vocabulary.KeepRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Everything built from one {@link Settings}, in one place: the command runner, Barman's client, the job services and
 * their registry, the report's health, the outbox and the alerts, and what follows a backup ({@link #chains}). The
 * daemon builds the whole ({@link #build}) at the start and again by each reload that is taken; the CLI's read-only
 * commands build the pieces they need with the same factories ({@link #barman}, {@link #retention}, {@link #health},
 * {@link #report}). The history store, the runner, the scheduler, the control socket and the metrics endpoint outlive it.
 */
public final class Services {
    public final Settings settings;
    public final BarmanClient barman;
    public final JobRegistry registry;
    public final OffsiteService offsite;
    public final RetentionService retention;
    public final RestoreTestService restore;
    public final Health health;
    public final Optional<Outbox> outbox;
    public final Optional<AlertService> alerts;
    /** The webhooks the alerts are posted to, when alerts.webhooks names any. */
    public final Optional<Webhooks> webhooks;

    private Services(Settings settings, BarmanClient barman, JobRegistry registry, OffsiteService offsite,
                     RetentionService retention, RestoreTestService restore, Health health, Optional<Outbox> outbox,
                     Optional<AlertService> alerts, Optional<Webhooks> webhooks) {
        this.settings = settings;
        this.barman = barman;
        this.registry = registry;
        this.offsite = offsite;
        this.retention = retention;
        this.restore = restore;
        this.health = health;
        this.outbox = outbox;
        this.alerts = alerts;
        this.webhooks = webhooks;
    }

    /** The runner of every external command, killing a timed-out command's children after {@code kill-grace}. */
    public static CommandRunner commands(Settings s, Clock clock) {
        return new CommandRunner(clock, s.killGrace());
    }

    /** Barman's client: the one place it is built. */
    public static BarmanClient barman(Settings s, CommandRunner cmd) {
        return new BarmanClient(cmd, s.barmanBinary(), s.barmanConfigFile());
    }

    /** One copy in the bucket checked without download (HEAD of each object against its manifest). */
    /** The S3 retention policy of each server that has one: it sets the server's Object Locks. */
    static Map<String, io.barmand.config.RetentionPolicy> lockPolicies(Settings s) {
        Map<String, io.barmand.config.RetentionPolicy> out = new java.util.HashMap<>();
        s.servers().forEach((name, ss) -> ss.retention().flatMap(r -> r.s3()).ifPresent(p -> out.put(name, p)));
        return out;
    }

    public static RetentionService.CopyCheck copyCheck(Map<String, OffsiteSettings> offsite) {
        return (server, id) -> {
            try (S3Store st = new S3Store(offsite.get(server))) {
                return new OffsiteVerifier(st).verify(server, Optional.of(id), false).problems();
            }
        };
    }

    /** Retention: Barman's keep, release and delete, and the expiry of the bucket's copies ({@code store} may be null). */
    public static RetentionService retention(Settings s, BarmanClient barman, RunStore store, Clock clock) {
        return retention(s, barman, store, RestoreKeeps.in(s.stateDir()), clock);
    }

    /** As {@link #retention(Settings, BarmanClient, RunStore, Clock)}, respecting the backups {@code keeps} holds. */
    static RetentionService retention(Settings s, BarmanClient barman, RunStore store, KeepRegistry keeps, Clock clock) {
        return new RetentionService(barman, store, s.servers(), S3Store::new, copyCheck(s.offsite()), keeps, s.stateDir(),
                clock);
    }

    /** The health of every server and job, read from the history and Barman's files (newest WAL, DONE backup, chain). */
    public static Health health(Settings s, RunHistory store, BarmanClient barman) {
        return new Health(s, store, barman.walClock(s.probeTimeout()), barman.restorePoints(s.probeTimeout()));
    }

    /** The outbox of the report and the alerts. */
    public static Outbox outbox(Settings s, CommandRunner cmd, Clock clock) {
        return new Outbox(s.stateDir(), s.mail(), new Sender(s.mail(), cmd), clock);
    }

    /** The webhooks of the alerts (alerts.webhooks), retried as mail is (mail.retry). */
    public static Webhooks webhooks(Settings s, Clock clock, String version) {
        return new Webhooks(s.stateDir(), s.webhooks(), s.mail().retryInitial(), s.mail().retryMax(), clock, version);
    }

    /** The morning report. */
    public static ReportService report(Settings s, RunHistory store, Health health, BarmanClient barman,
                                       Optional<Outbox> outbox, Clock clock) {
        return new ReportService(s.report(), s.servers(), store, health, Folders.of(s, barman.paths(s.probeTimeout())),
                outbox, s.stateDir(), s.hostTimezone(), clock, () -> barman.retentionPolicies(s.probeTimeout()));
    }

    /**
     * What follows a backup, declared once: its offsite copy, then retention (after the copy when offsite is on, the
     * copy being one of retention's rails; directly after the backup otherwise). The runner reads it.
     */
    public static FollowUps afterBackup(Predicate<String> offsite, Predicate<String> retention) {
        return FollowUps.after(JobKind.BACKUP, FollowUps.step(JobKind.OFFSITE, offsite),
                FollowUps.step(JobKind.RETENTION, retention));
    }

    /** {@link #afterBackup} for these services: offsite on, retention on with after-backup. */
    public List<FollowUps> followUps() {
        return List.of(afterBackup(offsite::enabled, retention::followsBackups));
    }

    /**
     * This host as a node of the fleet, when the settings name a state database (built, not started): its runs
     * copied there by a forwarder, its heartbeat. {@code running}: the runs in progress, asked at each heartbeat.
     */
    public static Optional<io.barmand.fleet.FleetNode> fleetNode(Settings s, RunStore store, String version,
            java.util.function.Supplier<List<io.barmand.fleet.Running>> running, io.barmand.fleet.FleetNode.Tuning tuning,
            Clock clock) {
        if (!s.fleet().enabled()) {
            return Optional.empty();
        }
        return Optional.of(io.barmand.fleet.FleetNode.of(s.fleet(), store, version, () -> s.servers().keySet(), running,
                () -> io.barmand.fleet.Capabilities.of(s), tuning, clock));
    }

    /** The state database, for a command that reads it ({@code fleet status}, {@code history --node}). */
    public static io.barmand.fleet.StateDatabase stateDatabase(Settings s) {
        io.barmand.config.FleetSettings f = s.fleet();
        return io.barmand.fleet.StateDatabase.open(f.state().orElseThrow(() -> new io.barmand.error.BarmandException(
                io.barmand.error.Category.CONFIG, s.file() + ": barmand.state.url is empty: this host is no node of a "
                + "fleet (set state { url = \"jdbc:postgresql://...\" })")), f.nodeName(), java.time.Duration.ofSeconds(10));
    }

    /**
     * What this node does for the fleet's floating jobs it can take, each a run through the node's {@code runner}
     * (recorded as every run is, with trigger "recovered" when it re-runs a fire whose node died), waited for: the
     * restore test from S3 and the report. The watch and the S3 verification have no work yet: a node declaring
     * those capabilities is refused at start.
     */
    public static Map<FloatingKind, FloatingWork> floatingWorks(JobRunner runner) {
        return Map.of(FloatingKind.RESTORE_TEST_S3, FloatingWork.through(runner::submit, JobKind.RESTORE_TEST,
                        RunOptions.source(RestoreSource.S3)),
                FloatingKind.REPORT, FloatingWork.through(runner::submit, JobKind.REPORT, RunOptions.NONE));
    }

    /** Everything, for the daemon ({@code version}: what the offsite copies record as their writer). */
    public static Services build(Settings settings, RunStore store, Clock clock, String version) {
        Map<String, RestoreSettings> restore = settings.restore();
        Map<String, OffsiteSettings> offsite = settings.offsite();
        CommandRunner cmd = commands(settings, clock);
        BarmanClient barman = barman(settings, cmd);
        // what restore tests hold, which retention must respect: one journal, given to both
        RestoreKeeps restoreKeeps = RestoreKeeps.in(settings.stateDir());
        RestoreTestService restoreService = new RestoreTestService(barman, cmd, restore, clock, offsite, S3Store::new,
                restoreKeeps);
        JobRegistry registry = new JobRegistry()
                .register(new CheckService(barman))
                .register(new CanaryHook(new SwitchWalService(barman), restore, clock))
                .register(new CanaryHook(new BackupService(barman, settings.servers()), restore, clock))
                .register(restoreService);
        OffsiteService offsiteService = new OffsiteService(offsite, BarmanSource.of(barman, settings.probeTimeout()),
                S3Store::new, version, clock, lockPolicies(settings));
        registry.register(offsiteService);
        // the nightly verify: barman verify-backup of new backups, the newest offsite copy downloaded and checked
        registry.register(new VerifyService(barman, store, server -> {
            OffsiteSettings os = offsite.get(server);
            if (os == null || !os.enabled()) {
                return Optional.empty();
            }
            try (S3Store st = new S3Store(os)) {
                OffsiteVerifier.Report r = new OffsiteVerifier(st).verify(server, Optional.empty(), true);
                return Optional.of(new VerifyService.Checked(r.backupId(), r.problems()));
            }
        }));
        RetentionService retention = retention(settings, barman, store, restoreKeeps, clock);
        registry.register(retention);
        // the morning report, alerts and the outbox they share
        Health health = health(settings, store, barman);
        Optional<Outbox> outbox = settings.mail().enabled() ? Optional.of(outbox(settings, cmd, clock)) : Optional.empty();
        registry.register(report(settings, store, health, barman, outbox, clock));
        Optional<Webhooks> webhooks = settings.webhooks().isEmpty() ? Optional.empty() : Optional.of(webhooks(settings, clock, version));
        List<KeptRecords> kept = new ArrayList<>();
        outbox.ifPresent(kept::add);
        webhooks.ifPresent(kept::add);
        registry.register(new PruneHistoryService(store, settings.historyKeep(), kept));
        Optional<AlertService> alerts = settings.report().alertsEnabled() && (outbox.isPresent() || webhooks.isPresent())
                ? Optional.of(new AlertService(settings.report(), health, outbox, webhooks, settings.stateDir(),
                settings.hostTimezone(), clock)) : Optional.empty();
        return new Services(settings, barman, registry, offsiteService, retention, restoreService, health, outbox, alerts,
                webhooks);
    }
}
