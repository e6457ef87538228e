package io.barmand.daemon;

import io.barmand.barman.BarmanClient;
import io.barmand.bucket.S3Store;
import io.barmand.config.OffsiteSettings;
import io.barmand.config.RestoreSettings;
import io.barmand.config.Settings;
import io.barmand.health.Health;
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
import io.barmand.process.CommandRunner;
import io.barmand.report.AlertService;
import io.barmand.report.Folders;
import io.barmand.report.ReportService;
import io.barmand.restore.CanaryHook;
import io.barmand.restore.RestoreKeeps;
import io.barmand.restore.RestoreTestService;
import io.barmand.retention.RetentionService;
import io.barmand.schedule.JobRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the daemon builds from one {@link Settings}: Barman's client, the job services and their registry, the
 * report's health, the outbox and the alerts. Built at the start and again by each reload that is taken; the history
 * store, the runner, the scheduler, the control socket and the metrics endpoint outlive it.
 */
final class Services {
    final Settings settings;
    final BarmanClient barman;
    final JobRegistry registry;
    final OffsiteService offsite;
    final RetentionService retention;
    final RestoreTestService restore;
    final Health health;
    final Optional<Outbox> outbox;
    final Optional<AlertService> alerts;

    private Services(Settings settings, BarmanClient barman, JobRegistry registry, OffsiteService offsite,
                     RetentionService retention, RestoreTestService restore, Health health, Optional<Outbox> outbox,
                     Optional<AlertService> alerts) {
        this.settings = settings;
        this.barman = barman;
        this.registry = registry;
        this.offsite = offsite;
        this.retention = retention;
        this.restore = restore;
        this.health = health;
        this.outbox = outbox;
        this.alerts = alerts;
    }

    static Services build(Settings settings, RunStore store, Clock clock) {
        Map<String, RestoreSettings> restore = settings.restore();
        Map<String, OffsiteSettings> offsite = settings.offsite();
        CommandRunner cmd = new CommandRunner(clock, settings.killGrace());
        BarmanClient barman = new BarmanClient(cmd, settings.barmanBinary(), settings.barmanConfigFile());
        RestoreKeeps restoreKeeps = RestoreKeeps.in(settings.stateDir());
        RestoreTestService restoreService = new RestoreTestService(barman, cmd, restore, clock, offsite, S3Store::new,
                restoreKeeps);
        JobRegistry registry = new JobRegistry()
                .register(new CheckService(barman))
                .register(new CanaryHook(new SwitchWalService(barman), restore, clock))
                .register(new CanaryHook(new BackupService(barman, settings.servers()), restore, clock))
                .register(restoreService);
        OffsiteService offsiteService = new OffsiteService(offsite, BarmanSource.of(barman, settings.probeTimeout()),
                S3Store::new, Daemon.VERSION, clock);
        registry.register(offsiteService);
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
        }));
        registry.register(new PruneHistoryService(store, settings.historyKeep()));
        // retention: Barman's keep, release and delete, and the expiry of the bucket's copies
        RetentionService retention = new RetentionService(barman, store, settings.servers(), S3Store::new,
                Daemon.copyCheck(offsite), restoreKeeps, settings.stateDir(), clock);
        registry.register(retention);
        // the morning report, alerts and the outbox they share
        Health health = new Health(settings, store, barman.walClock(settings.probeTimeout()));
        Optional<Outbox> outbox = settings.mail().enabled()
                ? Optional.of(new Outbox(settings.stateDir(), settings.mail(), new Sender(settings.mail(), cmd), clock))
                : Optional.empty();
        registry.register(new ReportService(settings.report(), settings.servers(), store, health,
                Folders.of(settings, barman.paths(settings.probeTimeout())), outbox, settings.stateDir(), settings.hostTimezone(),
                clock));
        Optional<AlertService> alerts = outbox.filter(o -> settings.report().alertsEnabled()).map(o ->
                new AlertService(settings.report(), health, o, settings.stateDir(), settings.hostTimezone(), clock));
        return new Services(settings, barman, registry, offsiteService, retention, restoreService, health, outbox, alerts);
    }
}
