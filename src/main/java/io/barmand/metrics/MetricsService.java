package io.barmand.metrics;

import io.barmand.barman.BarmanRecords.BackupSummary;
import io.barmand.config.MetricsSettings;
import io.barmand.health.HealthReport;
import io.barmand.history.RunHistory;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The metrics for Prometheus, as the {@code metrics} block asks: an HTTP endpoint ({@code metrics.listen}) and a
 * node_exporter textfile ({@code metrics.textfile}), both off by default; with both off it does nothing at all.
 * Every value is worked out when it is scraped or written (see {@link BarmandMetrics} for the names).
 */
public final class MetricsService implements AutoCloseable {
    /** How long Barman's backup catalogue of a server is kept (the Barman exporter keeps it an hour). */
    public static final Duration BACKUPS_TTL = Duration.ofMinutes(5);

    private final MetricsSettings settings;
    private final Optional<BackupCatalogue> catalogue;
    private final ExecutorService ownRefresher;
    private final BarmandMetrics metrics;
    private final PrometheusRegistry registry;
    private final Optional<TextfileWriter> textfile;
    private MetricsEndpoint endpoint;
    private boolean closed;

    /**
     * @param health one evaluation of every server, made at each scrape and each write of the textfile
     * @param backups the backups of a server in Barman's catalogue ({@code barman list-backups}, may throw), read in
     *                the background and kept for {@code backupsTtl}; empty: no {@code barman_*backup*} metrics
     * @param version for {@code barmand_build_info}
     */
    public MetricsService(MetricsSettings settings, Supplier<HealthReport> health,
                          Optional<Function<String, List<BackupSummary>>> backups, Duration backupsTtl, Clock clock,
                          String version) {
        this(settings, health, backups, backupsTtl, clock, version, null);
    }

    /** With {@code refresher} (null: a thread of its own), where the catalogue is read: a test's own thread. */
    MetricsService(MetricsSettings settings, Supplier<HealthReport> health,
                   Optional<Function<String, List<BackupSummary>>> backups, Duration backupsTtl, Clock clock,
                   String version, Executor refresher) {
        this.settings = settings;
        boolean on = settings.listen().isPresent() || settings.textfile().isPresent();
        this.ownRefresher = on && backups.isPresent() && refresher == null ? Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "barmand-metrics-barman");
            t.setDaemon(true);
            return t;
        }) : null;
        Executor ex = refresher != null ? refresher : ownRefresher;
        this.catalogue = on ? backups.map(b -> new BackupCatalogue(b, backupsTtl, clock, ex)) : Optional.empty();
        this.metrics = new BarmandMetrics(health, catalogue, version);
        this.registry = metrics.registry();
        this.textfile = settings.textfile().map(f -> new TextfileWriter(f, registry));
    }

    /**
     * From now on, the last run of every job kind (not only those the health evaluation holds) and the history store's
     * pending records from {@code history}, and {@code barmand_running} from {@code running}, read at each scrape (it
     * must not block: the runner's list of runs in progress).
     */
    public void follow(RunHistory history, Supplier<List<InProgress>> running) {
        metrics.follow(history, running);
    }

    /** From now on, {@code barmand_webhook_*} from {@code webhooks}, read at each scrape. */
    public void webhooks(Supplier<List<io.barmand.webhook.Webhooks.Status>> webhooks) {
        metrics.webhooks(webhooks);
    }

    /** From now on, {@code barmand_fleet_forward_backlog} and {@code barmand_fleet_state_database_up}, read at each scrape. */
    public void fleet(java.util.function.LongSupplier backlog, java.util.function.BooleanSupplier answering) {
        metrics.fleet(backlog, answering);
    }

    /** Whether the endpoint or the textfile is on. */
    public boolean enabled() {
        return settings.listen().isPresent() || settings.textfile().isPresent();
    }

    /**
     * Opens the endpoint (when metrics.listen is set) and writes the textfile a first time (when metrics.textfile
     * is set). An address that cannot be listened on is a {@link io.barmand.error.BarmandException} (IO).
     */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("metrics closed");
        }
        if (settings.listen().isPresent() && endpoint == null) {
            endpoint = MetricsEndpoint.start(settings.listen().get(), registry);
        }
        refreshTextfile();
    }

    /**
     * Writes the textfile now (after each run, and on a timer, so that ages move on); false when it is off or
     * could not be written (logged). Never throws.
     */
    public boolean refreshTextfile() {
        return textfile.map(TextfileWriter::write).orElse(false);
    }

    /** A server's backups changed (a backup ended, or was deleted): its catalogue is read again at the next scrape. */
    public void backupsChanged(String server) {
        catalogue.ifPresent(c -> c.changed(server));
    }

    /** Where the endpoint listens (with the port chosen when port 0 was asked for), while it is open. */
    public synchronized Optional<InetSocketAddress> address() {
        return endpoint == null ? Optional.empty() : Optional.of(endpoint.address());
    }

    public Optional<Path> textfile() {
        return textfile.map(TextfileWriter::file);
    }

    /** Closes the endpoint and stops a listing of backups under way; the textfile is left as it was last written. */
    @Override
    public synchronized void close() {
        closed = true;
        if (endpoint != null) {
            endpoint.close();
            endpoint = null;
        }
        if (ownRefresher != null) {
            ownRefresher.shutdownNow();
        }
    }
}
