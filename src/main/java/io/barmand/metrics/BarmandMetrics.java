package io.barmand.metrics;

import io.barmand.history.FactNames;
import io.barmand.barman.BarmanRecords.BackupSummary;
import io.barmand.config.JobKind;
import io.barmand.health.Health;
import io.barmand.health.HealthReport;
import io.barmand.health.Missed;
import io.barmand.health.Problem;
import io.barmand.health.ServerHealth;
import io.barmand.health.Severity;
import io.barmand.history.Outcome;
import io.barmand.history.RunHistory;
import io.barmand.history.RunRecord;
import io.barmand.history.StoreTrouble;
import io.barmand.vocabulary.RestoreSource;
import io.barmand.webhook.Webhooks;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The metrics, worked out at each scrape from one evaluation of {@link io.barmand.health.Health} (so that they
 * agree with the report, the alerts and {@code status --check}) and from Barman's backup catalogue, as
 * {@link BackupCatalogue} keeps it.
 *
 * <p>Names: the Barman exporter's where they fit ({@code barman_last_backup}, {@code barman_backups_total},
 * {@code barman_up{check}}, ...), barmand's own under {@code barmand_}. The job of a run is the label {@code kind}
 * ("backup", "restore-test", ...): {@code job} is the label Prometheus gives every target, and would be renamed
 * {@code exported_job}. A host's own jobs have {@code server=""}.
 *
 * <p>The last run of the kinds a {@link ServerHealth} holds (check, backup, offsite, restore-test) comes from it; the
 * other kinds' from the history, once it is {@link #follow followed}, as do the runs in progress and the store's health.
 */
final class BarmandMetrics implements MultiCollector {
    static final String SERVER = "server";
    static final String KIND = "kind";

    /** The kinds whose last run a {@link ServerHealth} holds. */
    private static final List<JobKind> RUN_KINDS = List.of(JobKind.CHECK, JobKind.BACKUP, JobKind.OFFSITE, JobKind.RESTORE_TEST);

    private final Supplier<HealthReport> health;
    private final Optional<BackupCatalogue> catalogue;
    private final String version;
    private volatile RunHistory history;
    private volatile Supplier<List<InProgress>> running = List::of;
    private volatile Supplier<List<Webhooks.Status>> webhooks = List::of;
    /** the fleet's forwarder (state.url set): its backlog and whether the state database answers; null: no fleet */
    private volatile java.util.function.LongSupplier fleetBacklog;
    private volatile java.util.function.BooleanSupplier fleetAnswering;

    /**
     * @param health one evaluation of every server, at each scrape; when it throws, so does the scrape (the
     *               endpoint answers 500 and Prometheus sees the target down, rather than old values)
     * @param catalogue Barman's backups of each server, or empty: no {@code barman_*backup*} metrics
     */
    BarmandMetrics(Supplier<HealthReport> health, Optional<BackupCatalogue> catalogue, String version) {
        this.health = health;
        this.catalogue = catalogue;
        this.version = version;
    }

    /**
     * From now on, the last run of every job kind and the store's health from {@code history}, and
     * {@code barmand_running} from {@code running} (called at each scrape; must not block).
     */
    void follow(RunHistory history, Supplier<List<InProgress>> running) {
        this.history = history;
        this.running = running;
    }

    /** From now on, the webhooks' deliveries from {@code webhooks} (called at each scrape). */
    void webhooks(Supplier<List<Webhooks.Status>> webhooks) {
        this.webhooks = webhooks;
    }

    /** From now on, {@code barmand_fleet_*}: the forwarder's backlog, whether the state database answers. */
    void fleet(java.util.function.LongSupplier backlog, java.util.function.BooleanSupplier answering) {
        this.fleetAnswering = answering;
        this.fleetBacklog = backlog;
    }

    /** A registry holding these metrics only. */
    PrometheusRegistry registry() {
        PrometheusRegistry r = new PrometheusRegistry();
        r.register(this);
        return r;
    }

    /** The families, in the order they are written. */
    enum Family {
        // Barman's catalogue (the Barman exporter's names)
        BARMAN_LAST_BACKUP("barman_last_backup", null,
                "When the newest DONE backup in Barman's catalogue ended, as a Unix time (barman list-backups)", SERVER),
        BARMAN_FIRST_BACKUP("barman_first_backup", null,
                "When the oldest DONE backup in Barman's catalogue ended, as a Unix time (barman list-backups)", SERVER),
        BARMAN_BACKUPS_TOTAL("barman_backups_total", null,
                "Backups in Barman's catalogue that are DONE or FAILED (barman list-backups)", SERVER),
        BARMAN_BACKUPS_FAILED("barman_backups_failed", null, "FAILED backups in Barman's catalogue (barman list-backups)",
                SERVER),
        BARMAN_LAST_BACKUP_SIZE("barman_last_backup_size_bytes", Unit.BYTES,
                "Size of the newest DONE backup in Barman's catalogue, without WAL (barman list-backups)", SERVER),
        BARMAN_METRICS_UPDATE("barman_metrics_update", null,
                "When Barman's catalogue of the server was last read, as a Unix time (it is kept for a while)", SERVER),
        LIST_BACKUPS_SUCCESS("barmand_list_backups_success", null,
                "1 when the last barman list-backups of the server worked, 0 when it failed (the last listing is kept)",
                SERVER),
        BARMAN_UP("barman_up", null, "Barman's checks of the last barman check run: 1 OK, 0 FAILED", SERVER, "check"),
        // runs, from the history
        LAST_RUN_SUCCESS("barmand_last_run_success", null,
                "1 when the newest ended run of the job succeeded, 0 when it failed or was interrupted", SERVER, KIND),
        LAST_RUN_DURATION("barmand_last_run_duration_seconds", Unit.SECONDS, "How long the newest ended run of the job took",
                SERVER, KIND),
        LAST_RUN_TIMESTAMP("barmand_last_run_timestamp_seconds", Unit.SECONDS,
                "When the newest ended run of the job ended, as a Unix time", SERVER, KIND),
        LAST_SUCCESS_TIMESTAMP("barmand_last_success_timestamp_seconds", Unit.SECONDS,
                "When the newest successful run of the job ended, as a Unix time", SERVER, KIND),
        RUNNING("barmand_running", null,
                "1 while a run of the job is in progress (started, not queued), 0 otherwise", SERVER, KIND),
        RUNNING_SINCE("barmand_running_since_timestamp_seconds", Unit.SECONDS,
                "When the run of the job in progress started, as a Unix time (only while one runs)", SERVER, KIND),
        LAST_BACKUP_AGE("barmand_last_backup_age_seconds", Unit.SECONDS,
                "Age of the newest successful backup run (its end); health.backup-max-age makes it a problem", SERVER),
        WAL_AGE("barmand_wal_age_seconds", Unit.SECONDS,
                "Age of the newest WAL file in Barman's archive; health.wal-max-age makes it a problem", SERVER),
        RTO("barmand_restore_test_rto_seconds", Unit.SECONDS,
                "Recovery time of the last passed restore test: from its start to the first query on the promoted instance",
                SERVER),
        CANARY_AGE("barmand_restore_test_canary_age_seconds", Unit.SECONDS,
                "How old the newest canary row of the last passed restore test's restored copy was when it was checked", SERVER),
        OFFSITE_WAL_LAG("barmand_offsite_wal_lag_seconds", Unit.SECONDS,
                "How far the newest WAL file in S3 was behind the newest in Barman's archive, at the last offsite run",
                SERVER),
        RESTORABLE("barmand_restorable", null,
                "Whether the server can be restored: 2 restorable, 1 at risk (a failed or old restore test, old WAL or "
                        + "backup, the offsite copy behind, a failed verify), 0 NOT restorable (no DONE backup, or a WAL "
                        + "segment missing after the newest); as the report and status say it", SERVER),
        RESTORABLE_TO("barmand_restorable_to_timestamp_seconds", Unit.SECONDS,
                "The newest point the server can be restored to, as a Unix time: source=barman from Barman's newest "
                        + "WAL (else its newest DONE backup's end), source=s3 from the offsite copy alone (its newest WAL)",
                SERVER, "source"),
        MISSED_RUNS("barmand_missed_runs", null,
                "Fire times of the job's schedule with no run, in the window the health evaluation looks at (report.window)",
                SERVER, KIND),
        PROBLEMS("barmand_problems", null,
                "Problems found by the health evaluation (as in the report and status --check), by severity", SERVER,
                "severity"),
        // the history store (the host problem history-store)
        HISTORY_STORE_WRITABLE("barmand_history_store_writable", null,
                "1 when the history store takes writes, 0 during an episode of refused writes (full disk, lock held)"),
        HISTORY_STORE_PENDING("barmand_history_store_pending_records", null,
                "Run records kept in memory until the history store takes writes again (a restart would lose them)"),
        // the webhooks of the alerts (alerts.webhooks)
        WEBHOOK_LAST_SUCCESS("barmand_webhook_last_success_timestamp_seconds", Unit.SECONDS,
                "When the webhook last answered 2xx to an alert or recovered event, as a Unix time (absent: never)",
                "webhook"),
        WEBHOOK_PENDING("barmand_webhook_pending", null,
                "Alert and recovered events kept for the webhook, not delivered yet (retried; STATE-DIR/webhooks)",
                "webhook"),
        // the fleet (state.url): the copy of this node's runs to the state database
        FLEET_BACKLOG("barmand_fleet_forward_backlog", null,
                "Run changes recorded on this node and not copied to the fleet's state database yet"),
        FLEET_STATE_UP("barmand_fleet_state_database_up", null,
                "1 when the fleet's state database answered the node's last call, 0 while it does not");

        final String name;
        final Unit unit;
        final String help;
        final String[] labels;

        Family(String name, Unit unit, String help, String... labels) {
            this.name = name;
            this.unit = unit;
            this.help = help;
            this.labels = labels;
        }
    }

    static final String BUILD_INFO = "barmand_build";

    /**
     * Every family name a scrape can hold, as written ({@code barmand_build_info} for {@link #BUILD_INFO}): what the
     * shipped dashboard and alert rules may use (MonitoringFilesTest).
     */
    static java.util.SortedSet<String> names() {
        java.util.SortedSet<String> out = new java.util.TreeSet<>();
        for (Family f : Family.values()) {
            out.add(f.name);
        }
        out.add(BUILD_INFO + "_info");
        return out;
    }

    @Override
    public MetricSnapshots collect() {
        HealthReport h = health.get();
        RunHistory hist = history;
        Map<String, InProgress> now = new HashMap<>();
        for (InProgress r : running.get()) {
            now.putIfAbsent(r.server() + "\u0000" + r.kind().id(), r);
        }
        Points p = new Points();
        Instant at = h.at();
        for (ServerHealth s : h.servers()) {
            String server = s.server();
            catalogue.ifPresent(c -> backups(p, c, server));
            s.lastCheck().ifPresent(r -> checks(p, server, r));
            for (JobKind k : JobKind.values()) {
                if (!k.host()) {
                    Optional<RunRecord> last = RUN_KINDS.contains(k) ? lastRun(s, k) : lastEnded(hist, server, k);
                    runs(p, server, k, last, k == JobKind.BACKUP ? s.lastBackup()
                            : k == JobKind.RESTORE_TEST ? s.lastRestoreOk() : lastOk(last, hist, server, k));
                    running(p, server, k, now);
                }
            }
            s.lastBackup().ifPresent(r -> p.add(Family.LAST_BACKUP_AGE, seconds(Duration.between(ended(r), at)), server));
            s.lastRestoreOk().ifPresent(r -> {
                r.facts().seconds(FactNames.RTO).ifPresent(v -> p.add(Family.RTO, v, server));
                r.facts().seconds(FactNames.CANARY_AGE).ifPresent(v -> p.add(Family.CANARY_AGE, v, server));
            });
            s.newestWal().ifPresent(w -> p.add(Family.WAL_AGE, seconds(Duration.between(w, at)), server));
            s.lastOffsite().ifPresent(r -> {
                Optional<Instant> s3 = r.facts().instant(FactNames.WAL_NEWEST_S3_AT);
                Optional<Instant> archive = r.facts().instant(FactNames.WAL_NEWEST_ARCHIVE_AT);
                if (s3.isPresent() && archive.isPresent()) {
                    p.add(Family.OFFSITE_WAL_LAG, Math.max(0, seconds(Duration.between(s3.get(), archive.get()))), server);
                }
            });
            p.add(Family.RESTORABLE, s.restorability().verdict().metric(), server);
            s.restorability().restorableTo().ifPresent(t -> p.add(Family.RESTORABLE_TO, epoch(t), server,
                    RestoreSource.BARMAN.id()));
            s.restorability().offsiteRestorableTo().ifPresent(t -> p.add(Family.RESTORABLE_TO, epoch(t), server,
                    RestoreSource.S3.id()));
            missed(p, server, s.missed(), false);
            problems(p, server, s.problems());
        }
        for (JobKind k : JobKind.values()) {
            if (k.host()) {
                Optional<RunRecord> last = lastEnded(hist, "", k);
                runs(p, "", k, last, lastOk(last, hist, "", k));
                running(p, "", k, now);
            }
        }
        // runs of servers no longer configured (a reload removed them while they ran)
        now.values().forEach(r -> {
            p.add(Family.RUNNING, 1, r.server(), r.kind().id());
            p.add(Family.RUNNING_SINCE, epoch(r.started()), r.server(), r.kind().id());
        });
        missed(p, "", h.hostMissed(), true);
        problems(p, "", h.hostProblems());
        store(p, h, hist);
        for (Webhooks.Status w : webhooks.get()) {
            w.lastSuccess().ifPresent(t -> p.add(Family.WEBHOOK_LAST_SUCCESS, epoch(t), w.webhook()));
            p.add(Family.WEBHOOK_PENDING, w.pending(), w.webhook());
        }
        if (fleetBacklog != null) {
            p.add(Family.FLEET_BACKLOG, fleetBacklog.getAsLong());
            p.add(Family.FLEET_STATE_UP, fleetAnswering.getAsBoolean() ? 1 : 0);
        }
        return p.snapshots(version);
    }

    private static void runs(Points p, String server, JobKind k, Optional<RunRecord> last, Optional<RunRecord> ok) {
        last.ifPresent(r -> {
            p.add(Family.LAST_RUN_SUCCESS, r.outcome() == Outcome.SUCCESS ? 1 : 0, server, k.id());
            if (r.durationMs() != null) {
                p.add(Family.LAST_RUN_DURATION, r.durationMs() / 1000.0, server, k.id());
            }
            p.add(Family.LAST_RUN_TIMESTAMP, epoch(ended(r)), server, k.id());
        });
        ok.ifPresent(r -> p.add(Family.LAST_SUCCESS_TIMESTAMP, epoch(ended(r)), server, k.id()));
    }

    /** 1 or 0 for every kind of every server, so that an alert or a panel sees the series; taken out of {@code now}. */
    private static void running(Points p, String server, JobKind k, Map<String, InProgress> now) {
        InProgress r = now.remove(server + "\u0000" + k.id());
        p.add(Family.RUNNING, r == null ? 0 : 1, server, k.id());
        if (r != null) {
            p.add(Family.RUNNING_SINCE, epoch(r.started()), server, k.id());
        }
    }

    /** Writable as the health evaluation saw it (its host problem history-store); the records kept, from the store. */
    private static void store(Points p, HealthReport h, RunHistory hist) {
        boolean refused = h.hostProblems().stream().anyMatch(x -> x.key().equals(Health.HISTORY_STORE));
        p.add(Family.HISTORY_STORE_WRITABLE, refused ? 0 : 1);
        if (hist != null) {
            p.add(Family.HISTORY_STORE_PENDING, hist.trouble().map(StoreTrouble::kept).orElse(0));
        }
    }

    private static Optional<RunRecord> lastEnded(RunHistory hist, String server, JobKind k) {
        return hist == null ? Optional.empty() : hist.lastEnded(server, k.id());
    }

    /**
     * The newest successful run: the newest that ended when it succeeded, else asked of the history (one query fewer
     * in the usual case). The offsite copy as the health follows it: none while offsite is off.
     */
    private static Optional<RunRecord> lastOk(Optional<RunRecord> last, RunHistory hist, String server, JobKind k) {
        if (last.isPresent() && last.get().outcome() == Outcome.SUCCESS) {
            return last;
        }
        return hist == null || last.isEmpty() ? Optional.empty() : hist.last(server, k.id(), Outcome.SUCCESS);
    }

    private static void backups(Points p, BackupCatalogue c, String server) {
        c.get(server).ifPresent(l -> {
            List<BackupSummary> done = l.backups().stream().filter(b -> "DONE".equals(b.status())).toList();
            long failed = l.backups().stream().filter(b -> "FAILED".equals(b.status())).count();
            p.add(Family.BARMAN_BACKUPS_TOTAL, done.size() + failed, server);
            p.add(Family.BARMAN_BACKUPS_FAILED, failed, server);
            List<BackupSummary> ended = done.stream().filter(b -> b.endTimeEpoch() > 0).toList();
            ended.stream().max((a, b) -> Long.compare(a.endTimeEpoch(), b.endTimeEpoch())).ifPresent(b -> {
                p.add(Family.BARMAN_LAST_BACKUP, b.endTimeEpoch(), server);
                p.add(Family.BARMAN_LAST_BACKUP_SIZE, b.sizeBytes(), server);
            });
            ended.stream().mapToLong(BackupSummary::endTimeEpoch).min()
                    .ifPresent(t -> p.add(Family.BARMAN_FIRST_BACKUP, t, server));
            p.add(Family.BARMAN_METRICS_UPDATE, epoch(l.readAt()), server);
        });
        c.lastOk(server).ifPresent(ok -> p.add(Family.LIST_BACKUPS_SUCCESS, ok ? 1 : 0, server));
    }

    /** barman_up of every check of the run: the names from its fact "checks", the failed ones from failedChecks. */
    private static void checks(Points p, String server, RunRecord r) {
        Map<String, Boolean> up = new LinkedHashMap<>();
        r.facts().text(FactNames.CHECKS).ifPresent(t -> {
            for (String c : t.split(",")) {
                if (!c.isBlank()) {
                    up.put(c.strip(), true);
                }
            }
        });
        r.failedChecks().forEach(c -> up.put(c, false));
        up.forEach((c, ok) -> p.add(Family.BARMAN_UP, ok ? 1 : 0, server, c));
    }

    private static Optional<RunRecord> lastRun(ServerHealth s, JobKind k) {
        return switch (k) {
            case CHECK -> s.lastCheck();
            case BACKUP -> s.lastBackupRun();
            case OFFSITE -> s.lastOffsite();
            case RESTORE_TEST -> s.lastRestoreTest();
            default -> Optional.empty();
        };
    }

    /** Every kind of the scope gets a value (0 when none was missed), so that an alert on it sees the series. */
    private static void missed(Points p, String server, List<Missed> missed, boolean host) {
        for (JobKind k : JobKind.values()) {
            if (k.host() == host) {
                p.add(Family.MISSED_RUNS, missed.stream().filter(m -> m.job() == k).count(), server, k.id());
            }
        }
    }

    private static void problems(Points p, String server, List<Problem> problems) {
        for (Severity sev : List.of(Severity.WARNING, Severity.CRITICAL)) {
            p.add(Family.PROBLEMS, problems.stream().filter(x -> x.severity() == sev).count(), server,
                    sev.word().toLowerCase(Locale.ROOT));
        }
    }

    private static Instant ended(RunRecord r) {
        return r.ended() != null ? r.ended() : r.started();
    }

    private static double epoch(Instant t) {
        return t.toEpochMilli() / 1000.0;
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }

    /** The data points of one scrape, by family. */
    private static final class Points {
        private final Map<Family, List<GaugeDataPointSnapshot>> points = new LinkedHashMap<>();

        void add(Family f, double value, String... labelValues) {
            if (labelValues.length != f.labels.length) {
                throw new IllegalArgumentException(f.name + " takes " + f.labels.length + " labels");
            }
            String[] kv = new String[2 * labelValues.length];
            for (int i = 0; i < labelValues.length; i++) {
                kv[2 * i] = f.labels[i];
                kv[2 * i + 1] = labelValues[i];
            }
            points.computeIfAbsent(f, x -> new ArrayList<>())
                    .add(GaugeDataPointSnapshot.builder().labels(Labels.of(kv)).value(value).build());
        }

        MetricSnapshots snapshots(String version) {
            List<MetricSnapshot> l = new ArrayList<>();
            for (Family f : Family.values()) {
                List<GaugeDataPointSnapshot> dp = points.get(f);
                if (dp != null) {
                    GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(f.name).help(f.help);
                    if (f.unit != null) {
                        b.unit(f.unit);
                    }
                    dp.forEach(b::dataPoint);
                    l.add(b.build());
                }
            }
            l.add(InfoSnapshot.builder().name(BUILD_INFO).help("The version of barmand")
                    .dataPoint(InfoDataPointSnapshot.builder().labels(Labels.of("version", version)).build()).build());
            return new MetricSnapshots(l);
        }
    }
}
