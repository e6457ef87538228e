package io.barmand.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.barmand.barman.BarmanRecords.BackupSummary;
import io.barmand.config.JobKind;
import io.barmand.config.JobSettings;
import io.barmand.config.MetricsSettings;
import io.barmand.config.ReportSettings;
import io.barmand.config.ServerSettings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.health.Health;
import io.barmand.health.HealthReport;
import io.barmand.health.Problem;
import io.barmand.health.Severity;
import io.barmand.history.Facts;
import io.barmand.history.Outcome;
import io.barmand.history.RunFigures;
import io.barmand.history.RunHistory;
import io.barmand.history.RunStore;
import io.barmand.history.StoreTrouble;
import io.barmand.history.Trigger;
import io.barmand.testing.Jobs;
import io.barmand.testing.MutableClock;
import io.barmand.testing.TestOffsite;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics from a real history (RunStore in a folder), through a real {@link Health}: scraped over HTTP on
 * loopback and written as a textfile, each parsed whole by the strict {@link Exposition} parser.
 */
class MetricsServiceTest {
    static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    static final Instant DAEMON_FIRST_START = Instant.parse("2026-11-22T00:00:00Z");
    static final Instant BACKUP_OK_END = Instant.parse("2026-11-23T01:06:00Z");
    static final Instant BACKUP_FAILED_END = Instant.parse("2026-11-24T01:00:05.960Z");
    static final long E0 = Instant.parse("2026-11-22T01:05:00Z").getEpochSecond();
    static final long E1 = BACKUP_OK_END.getEpochSecond();
    static final String VERSION = "1.2.3-test";

    @TempDir
    Path tmp;
    RunStore store;
    MutableClock clock = new MutableClock(NOW);
    Map<String, ServerSettings> servers = new LinkedHashMap<>();
    Map<String, AtomicInteger> listings = new ConcurrentHashMap<>();
    List<MetricsService> started = new ArrayList<>();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void history() {
        store = RunStore.open(tmp.resolve("state"), true);
        store.recordDaemonStart(DAEMON_FIRST_START, "test");
        servers.put("pg1", server("pg1", Map.of(JobKind.CHECK, "0 0 11 * * ?", JobKind.BACKUP, "0 0 1 * * ?",
                JobKind.RESTORE_TEST, "0 0 3 * * ?")));
        servers.put("pg2", server("pg2", Map.of(JobKind.BACKUP, "0 0 1 * * ?")));
        // pg1: a good backup the day before, then a failed one; an offsite copy; a passed restore test; a failed check
        run("pg1", "backup", Instant.parse("2026-11-23T01:00:00Z"), BACKUP_OK_END, Outcome.SUCCESS,
                new RunFigures("20261123T010000", 31457280L, 87381L, List.of(), null, null));
        run("pg1", "backup", Instant.parse("2026-11-24T01:00:00Z"), BACKUP_FAILED_END, Outcome.FAILED,
                RunFigures.error("barman backup exited 1: ERROR: \"pg1\" is not reachable"));
        run("pg1", "offsite", Instant.parse("2026-11-24T01:30:00Z"), Instant.parse("2026-11-24T01:31:00Z"), Outcome.SUCCESS,
                new RunFigures(null, null, null, List.of(), null, null, Facts.builder()
                        .instant("wal-newest-s3-at", Instant.parse("2026-11-24T01:20:00Z"))
                        .instant("wal-newest-archive-at", Instant.parse("2026-11-24T01:29:00Z"))
                        .count("wal-missing-in-s3", 3).build()));
        run("pg1", "restore-test", Instant.parse("2026-11-24T03:00:00Z"), Instant.parse("2026-11-24T03:02:00Z"),
                Outcome.SUCCESS, new RunFigures("20261123T010000", null, null, List.of(), null, null, Facts.builder()
                        .seconds("rto", 93.5).seconds("canary-age", 12.25).build()));
        run("pg1", "check", Instant.parse("2026-11-24T11:00:00Z"), Instant.parse("2026-11-24T11:00:00.300Z"), Outcome.FAILED,
                new RunFigures(null, null, null, List.of("wal_archive"), "failed checks: wal_archive", null,
                        Facts.builder().text("checks", "archiver_errors,postgresql,wal_archive").build()));
        // pg2: nothing ran (its backup of 01:00 was missed)
    }

    @AfterEach
    void close() {
        started.forEach(MetricsService::close);
        store.close();
    }

    static ServerSettings server(String name, Map<JobKind, String> crons) {
        Map<JobKind, JobSettings> jobs = new LinkedHashMap<>();
        crons.forEach((k, c) -> jobs.put(k, Jobs.settings(k, c, Duration.ofHours(1), false, Duration.ofSeconds(30), false)));
        return new ServerSettings(name, ZoneOffset.UTC, jobs,
                TestOffsite.forEndpoint(URI.create("http://127.0.0.1:9"), "bucket", "prefix", Path.of("/nonexistent")), null);
    }

    void run(String server, String job, Instant start, Instant end, Outcome o, RunFigures f) {
        long id = store.start(server, job, Trigger.SCHEDULED, start);
        store.finish(id, o, end, Duration.between(start, end).toMillis(), f);
    }

    HealthReport evaluate() {
        return new Health(servers, Map.of(), ReportSettings.defaults("test"), Duration.ofMinutes(1), store,
                s -> s.equals("pg1") ? Optional.of(NOW.minusSeconds(3600)) : Optional.empty())
                .evaluate(clock.instant(), Duration.ofHours(24));
    }

    /** Barman's catalogue: pg1 as listed, pg2's listing fails. Counts the calls. */
    List<BackupSummary> listBackups(String server) {
        listings.computeIfAbsent(server, s -> new AtomicInteger()).incrementAndGet();
        if (server.equals("pg2")) {
            throw new BarmandException(Category.JOB_FAILED, "barman list-backups pg2: exit 1: connection refused");
        }
        return List.of(new BackupSummary("20261122T010000", "DONE", E0, 30_000_000L),
                new BackupSummary("20261123T010000", "DONE", E1, 31_457_280L),
                new BackupSummary("20261124T010000", "FAILED", 0, 0),
                new BackupSummary("20261124T090000", "WAITING_FOR_WALS", 0, 0));
    }

    MetricsService service(MetricsSettings settings, Supplier<HealthReport> health) {
        // the catalogue is read on the scraping thread here: the values are there at the first scrape
        MetricsService m = new MetricsService(settings, health, Optional.of(this::listBackups), Duration.ofMinutes(5), clock,
                VERSION, Runnable::run);
        started.add(m);
        return m;
    }

    MetricsService endpoint() {
        MetricsService m = service(new MetricsSettings(Optional.of(new InetSocketAddress("127.0.0.1", 0)), Optional.empty()),
                this::evaluate);
        m.start();
        return m;
    }

    HttpResponse<String> get(MetricsService m, String path, String accept) throws IOException, InterruptedException {
        InetSocketAddress a = m.address().orElseThrow();
        assertThat(a.getAddress().isLoopbackAddress()).isTrue();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.getPort() + path))
                .timeout(Duration.ofSeconds(10));
        if (accept != null) {
            b.header("Accept", accept);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void scrapedOverHttpAndParsedAsPrometheusText() throws Exception {
        MetricsService m = endpoint();
        HttpResponse<String> r = get(m, "/metrics", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct ->
                assertThat(ct).startsWith("text/plain").contains("version=0.0.4"));
        Exposition e = Exposition.parse(r.body());
        assertEveryFamilyDocumentedGauge(e);
        assertValues(e);
    }

    /** What Prometheus 2 and 3 ask for by default (OpenMetrics first): answered, not refused. */
    @Test
    void answersPrometheusOwnAcceptHeader() throws Exception {
        MetricsService m = endpoint();
        HttpResponse<String> r = get(m, "/metrics", "application/openmetrics-text;version=1.0.0;q=0.5,"
                + "application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/openmetrics-text");
        assertThat(r.body()).contains("barmand_restore_test_rto_seconds{server=\"pg1\"} 93.5").endsWith("# EOF\n");
    }

    /**
     * What Prometheus asks for with native histograms on (protobuf first): answered in protobuf. This needs
     * prometheus-metrics-exposition-formats at run time; without it the client's server answers 500.
     */
    @Test
    void answersAProtobufFirstScraper() throws Exception {
        MetricsService m = endpoint();
        HttpResponse<String> r = get(m, "/metrics", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
                + "encoding=delimited;q=0.5,application/openmetrics-text;version=1.0.0;q=0.4,text/plain;version=0.0.4;q=0.2");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/vnd.google.protobuf");
        assertThat(r.body()).contains("barmand_restore_test_rto_seconds");
    }

    void assertEveryFamilyDocumentedGauge(Exposition e) {
        assertThat(e.families()).isNotEmpty();
        e.families().values().forEach(f -> {
            assertThat(f.help).as("HELP of " + f.name).isNotBlank();
            assertThat(f.type).as("TYPE of " + f.name).isEqualTo("gauge");
            assertThat(f.samples).as("samples of " + f.name).isNotEmpty();
        });
    }

    void assertValues(Exposition e) {
        // Barman's catalogue, with the Barman exporter's names
        assertThat(e.value("barman_backups_total", "server", "pg1")).contains(3.0);
        assertThat(e.value("barman_backups_failed", "server", "pg1")).contains(1.0);
        assertThat(e.value("barman_last_backup", "server", "pg1")).contains((double) E1);
        assertThat(e.value("barman_first_backup", "server", "pg1")).contains((double) E0);
        assertThat(e.value("barman_last_backup_size_bytes", "server", "pg1")).contains(31_457_280.0);
        assertThat(e.value("barman_metrics_update", "server", "pg1")).contains((double) NOW.getEpochSecond());
        assertThat(e.value("barmand_list_backups_success", "server", "pg1")).contains(1.0);
        // pg2's listing failed: said so, and no made-up catalogue
        assertThat(e.value("barmand_list_backups_success", "server", "pg2")).contains(0.0);
        assertThat(e.value("barman_backups_total", "server", "pg2")).isEmpty();
        // barman_up from the last check run: every check named, the failed one 0
        assertThat(e.value("barman_up", "server", "pg1", "check", "wal_archive")).contains(0.0);
        assertThat(e.value("barman_up", "server", "pg1", "check", "archiver_errors")).contains(1.0);
        assertThat(e.value("barman_up", "server", "pg1", "check", "postgresql")).contains(1.0);
        assertThat(e.family("barman_up").samples).hasSize(3);
        // the last run of each job
        assertThat(e.value("barmand_last_run_success", "server", "pg1", "kind", "backup")).contains(0.0);
        assertThat(e.value("barmand_last_run_success", "server", "pg1", "kind", "check")).contains(0.0);
        assertThat(e.value("barmand_last_run_success", "server", "pg1", "kind", "offsite")).contains(1.0);
        assertThat(e.value("barmand_last_run_success", "server", "pg1", "kind", "restore-test")).contains(1.0);
        assertThat(e.value("barmand_last_run_success", "server", "pg2", "kind", "backup")).isEmpty();
        assertThat(e.value("barmand_last_run_duration_seconds", "server", "pg1", "kind", "backup")).contains(5.96);
        assertThat(e.value("barmand_last_run_duration_seconds", "server", "pg1", "kind", "restore-test")).contains(120.0);
        assertThat(e.value("barmand_last_run_timestamp_seconds", "server", "pg1", "kind", "backup"))
                .contains(BACKUP_FAILED_END.toEpochMilli() / 1000.0);
        assertThat(e.value("barmand_last_success_timestamp_seconds", "server", "pg1", "kind", "backup"))
                .contains((double) E1);
        assertThat(e.value("barmand_last_backup_age_seconds", "server", "pg1"))
                .contains((double) Duration.between(BACKUP_OK_END, NOW).getSeconds());
        // typed facts of the runs
        assertThat(e.value("barmand_restore_test_rto_seconds", "server", "pg1")).contains(93.5);
        assertThat(e.value("barmand_restore_test_canary_age_seconds", "server", "pg1")).contains(12.25);
        assertThat(e.value("barmand_offsite_wal_lag_seconds", "server", "pg1")).contains(540.0);
        assertThat(e.value("barmand_wal_age_seconds", "server", "pg1")).contains(3600.0);
        assertThat(e.value("barmand_wal_age_seconds", "server", "pg2")).isEmpty();
        // the health evaluation: missed runs and problems
        assertThat(e.value("barmand_missed_runs", "server", "pg2", "kind", "backup")).contains(1.0);
        assertThat(e.value("barmand_missed_runs", "server", "pg1", "kind", "backup")).contains(0.0);
        assertThat(e.value("barmand_missed_runs", "server", "", "kind", "report")).contains(0.0);
        HealthReport h = evaluate();
        for (String s : List.of("pg1", "pg2")) {
            for (Severity sev : List.of(Severity.WARNING, Severity.CRITICAL)) {
                long n = h.problems().stream().filter(p -> p.server().equals(s) && p.severity() == sev).count();
                assertThat(e.value("barmand_problems", "server", s, "severity", sev.word().toLowerCase()))
                        .as(s + " " + sev).contains((double) n);
            }
        }
        // pg1: the failed backup and the age of the good one; pg2: the missed backup and no backup at all
        assertThat(h.problems().stream().filter(p -> p.severity() == Severity.CRITICAL).map(Problem::id))
                .containsExactlyInAnyOrder("pg1 backup", "pg1 backup-age", "pg2 backup-age", "pg2 missed-backup");
        assertThat(e.value("barmand_problems", "server", "pg1", "severity", "critical")).contains(2.0);
        assertThat(e.value("barmand_build_info", "version", VERSION)).contains(1.0);
    }

    /**
     * Followed (as the daemon does), every job kind has its last run, success and duration, the runs in progress are
     * 1 (every other kind 0), and the store is writable with nothing pending.
     */
    @Test
    void everyJobKindAndTheRunsInProgress() throws Exception {
        run("pg1", "switch-wal", Instant.parse("2026-11-24T11:00:00Z"), Instant.parse("2026-11-24T11:00:01Z"), Outcome.FAILED,
                RunFigures.error("barman switch-wal exited 1"));
        run("pg1", "verify", Instant.parse("2026-11-24T04:00:00Z"), Instant.parse("2026-11-24T04:10:00Z"), Outcome.SUCCESS,
                new RunFigures(null, null, null, List.of(), null, null));
        run("pg1", "retention", Instant.parse("2026-11-23T05:00:00Z"), Instant.parse("2026-11-23T05:00:02Z"), Outcome.SUCCESS,
                new RunFigures(null, null, null, List.of(), null, null));
        run("pg1", "retention", Instant.parse("2026-11-24T05:00:00Z"), Instant.parse("2026-11-24T05:00:03Z"), Outcome.FAILED,
                RunFigures.error("refused"));
        run("", "report", Instant.parse("2026-11-24T07:00:00Z"), Instant.parse("2026-11-24T07:00:04.500Z"), Outcome.SUCCESS,
                new RunFigures(null, null, null, List.of(), null, null));
        MetricsService m = endpoint();
        Instant since = NOW.minusSeconds(90);
        m.follow(store, () -> List.of(new InProgress("pg2", JobKind.BACKUP, since), new InProgress("", JobKind.PRUNE_HISTORY, since),
                new InProgress("gone", JobKind.CHECK, since)));
        // a webhook that delivered, one that never did and keeps two events
        m.webhooks(() -> List.of(new io.barmand.webhook.Webhooks.Status("chat", "https://chat.example.net/…", Optional.of(since),
                0, Optional.empty()), new io.barmand.webhook.Webhooks.Status("pager", "https://pager.example.net/…",
                Optional.empty(), 2, Optional.of("HTTP 500"))));
        // a node of the fleet with 7 run changes not copied, its state database down
        m.fleet(() -> 7, () -> false);
        Exposition e = Exposition.parse(get(m, "/metrics", null).body());
        assertEveryFamilyDocumentedGauge(e);
        assertThat(e.value("barmand_fleet_forward_backlog")).contains(7.0);
        assertThat(e.value("barmand_fleet_state_database_up")).contains(0.0);
        assertThat(e.value("barmand_webhook_last_success_timestamp_seconds", "webhook", "chat")).contains((double) since.getEpochSecond());
        assertThat(e.value("barmand_webhook_last_success_timestamp_seconds", "webhook", "pager")).isEmpty();
        assertThat(e.value("barmand_webhook_pending", "webhook", "chat")).contains(0.0);
        assertThat(e.value("barmand_webhook_pending", "webhook", "pager")).contains(2.0);
        assertValues(e); // what was there stays as it was
        assertThat(e.value("barmand_last_run_success", "server", "pg1", "kind", "switch-wal")).contains(0.0);
        assertThat(e.value("barmand_last_run_duration_seconds", "server", "pg1", "kind", "switch-wal")).contains(1.0);
        assertThat(e.value("barmand_last_success_timestamp_seconds", "server", "pg1", "kind", "switch-wal")).isEmpty();
        assertThat(e.value("barmand_last_run_success", "server", "pg1", "kind", "verify")).contains(1.0);
        assertThat(e.value("barmand_last_success_timestamp_seconds", "server", "pg1", "kind", "verify"))
                .contains((double) Instant.parse("2026-11-24T04:10:00Z").getEpochSecond());
        // a failed retention after a good one: the good one's end is the last success
        assertThat(e.value("barmand_last_run_success", "server", "pg1", "kind", "retention")).contains(0.0);
        assertThat(e.value("barmand_last_success_timestamp_seconds", "server", "pg1", "kind", "retention"))
                .contains((double) Instant.parse("2026-11-23T05:00:02Z").getEpochSecond());
        // the check failed: its last success is none; the offsite copy succeeded: its own run is its last success
        assertThat(e.value("barmand_last_success_timestamp_seconds", "server", "pg1", "kind", "check")).isEmpty();
        assertThat(e.value("barmand_last_success_timestamp_seconds", "server", "pg1", "kind", "offsite"))
                .contains((double) Instant.parse("2026-11-24T01:31:00Z").getEpochSecond());
        // the host's jobs, server ""
        assertThat(e.value("barmand_last_run_success", "server", "", "kind", "report")).contains(1.0);
        assertThat(e.value("barmand_last_run_duration_seconds", "server", "", "kind", "report")).contains(4.5);
        assertThat(e.value("barmand_last_run_success", "server", "", "kind", "prune-history")).isEmpty();
        // in progress: 1 with its start, every other kind of every server 0
        assertThat(e.value("barmand_running", "server", "pg2", "kind", "backup")).contains(1.0);
        assertThat(e.value("barmand_running_since_timestamp_seconds", "server", "pg2", "kind", "backup"))
                .contains((double) since.getEpochSecond());
        assertThat(e.value("barmand_running", "server", "", "kind", "prune-history")).contains(1.0);
        assertThat(e.value("barmand_running", "server", "gone", "kind", "check")).contains(1.0);
        assertThat(e.value("barmand_running", "server", "pg1", "kind", "backup")).contains(0.0);
        assertThat(e.value("barmand_running", "server", "", "kind", "report")).contains(0.0);
        assertThat(e.family("barmand_running").samples).hasSize(2 * 7 + 2 + 1);
        assertThat(e.family("barmand_running_since_timestamp_seconds").samples).hasSize(3);
        assertThat(e.value("barmand_history_store_writable")).contains(1.0);
        assertThat(e.value("barmand_history_store_pending_records")).contains(0.0);
        // restorability, as the health evaluation gives it: 2 restorable, 1 at risk, 0 NOT restorable
        for (io.barmand.health.ServerHealth sh : evaluate().servers()) {
            io.barmand.health.Restorability r = sh.restorability();
            assertThat(e.value("barmand_restorable", "server", sh.server())).as(sh.server())
                    .contains((double) r.verdict().metric());
            assertThat(e.value("barmand_restorable_to_timestamp_seconds", "server", sh.server(), "source", "barman"))
                    .isEqualTo(r.restorableTo().map(t -> t.toEpochMilli() / 1000.0));
        }
        // pg1: proven, but its newest backup is 34h old and S3's WAL 10h; pg2: no backup at all
        assertThat(evaluate().servers().get(0).restorability().why()).startsWith("newest backup ended 34h 54m ago");
        assertThat(e.value("barmand_restorable", "server", "pg1")).contains(1.0);
        assertThat(e.value("barmand_restorable", "server", "pg2")).contains(0.0);
        // every family there is, and none other: the names the shipped dashboard and rules are checked against
        assertThat(e.families().keySet()).containsExactlyInAnyOrderElementsOf(BarmandMetrics.names());
    }

    /** A store that takes no writes: 0, with the records it keeps, as the host problem history-store says. */
    @Test
    void aStoreThatTakesNoWrites() throws Exception {
        StoreTrouble t = new StoreTrouble("SQLITE_FULL", NOW.minusSeconds(600), "database or disk is full", 3);
        RunHistory full = (RunHistory) Proxy.newProxyInstance(RunHistory.class.getClassLoader(), new Class<?>[] {RunHistory.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("trouble")) {
                        return Optional.of(t);
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException x) {
                        throw x.getCause();
                    }
                });
        MetricsService m = service(new MetricsSettings(Optional.of(new InetSocketAddress("127.0.0.1", 0)), Optional.empty()),
                () -> new Health(servers, Map.of(), ReportSettings.defaults("test"), Duration.ofMinutes(1), full,
                        s -> Optional.empty()).evaluate(clock.instant(), Duration.ofHours(24)));
        m.start();
        m.follow(full, List::of);
        Exposition e = Exposition.parse(get(m, "/metrics", null).body());
        assertThat(e.value("barmand_history_store_writable")).contains(0.0);
        assertThat(e.value("barmand_history_store_pending_records")).contains(3.0);
        assertThat(e.value("barmand_problems", "server", "", "severity", "critical")).contains(1.0);
    }

    @Test
    void labelValuesAreEscaped() throws Exception {
        servers.put("a\"b\\c", server("a\"b\\c", Map.of()));
        MetricsService m = endpoint();
        Exposition e = Exposition.parse(get(m, "/metrics", null).body());
        assertThat(e.value("barmand_problems", "server", "a\"b\\c", "severity", "warning")).contains(0.0);
    }

    /** A health evaluation that fails fails the scrape (Prometheus sees the target down), and the endpoint lives on. */
    @Test
    void aFailingEvaluationIsA500() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        MetricsService m = service(new MetricsSettings(Optional.of(new InetSocketAddress("127.0.0.1", 0)), Optional.empty()),
                () -> {
                    if (calls.incrementAndGet() == 1) {
                        throw new BarmandException(Category.IO, "history: database is locked");
                    }
                    return evaluate();
                });
        m.start();
        assertThat(get(m, "/metrics", null).statusCode()).isEqualTo(500);
        HttpResponse<String> r = get(m, "/metrics", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Exposition.parse(r.body()).value("barmand_restore_test_rto_seconds", "server", "pg1")).contains(93.5);
    }

    @Test
    void barmanIsAskedOncePerTtl() throws Exception {
        MetricsService m = endpoint();
        get(m, "/metrics", null);
        get(m, "/metrics", null);
        assertThat(listings.get("pg1")).hasValue(1);
        assertThat(listings.get("pg2")).hasValue(1); // a failure is kept as long: a broken barman is not asked at every scrape
        clock.advance(Duration.ofMinutes(5));
        Exposition e = Exposition.parse(get(m, "/metrics", null).body());
        assertThat(listings.get("pg1")).hasValue(2);
        assertThat(e.value("barman_metrics_update", "server", "pg1")).contains((double) clock.instant().getEpochSecond());
        m.backupsChanged("pg1");
        get(m, "/metrics", null);
        assertThat(listings.get("pg1")).hasValue(3);
        assertThat(listings.get("pg2")).hasValue(2);
    }

    /** In the daemon the catalogue is read on a thread of its own: the scrape never waits for barman. */
    @Test
    void theScrapeDoesNotWaitForBarman() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Function<String, List<BackupSummary>> slow = s -> {
            try {
                release.await();
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
                throw new BarmandException(Category.INTERRUPTED, "interrupted");
            }
            return listBackups(s);
        };
        MetricsService m = new MetricsService(new MetricsSettings(Optional.of(new InetSocketAddress("127.0.0.1", 0)),
                Optional.empty()), this::evaluate, Optional.of(slow), Duration.ofMinutes(5), clock, VERSION);
        started.add(m);
        m.start();
        Exposition first = Exposition.parse(get(m, "/metrics", null).body());
        assertThat(first.value("barman_backups_total", "server", "pg1")).isEmpty();
        assertThat(first.value("barmand_restore_test_rto_seconds", "server", "pg1")).contains(93.5);
        release.countDown();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(Exposition.parse(get(m, "/metrics", null).body()).value("barman_backups_total", "server", "pg1"))
                        .contains(3.0));
    }

    @Test
    void textfileWrittenAtomicallyAndParsed() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("node-exporter"));
        Path prom = dir.resolve("barmand.prom");
        Files.writeString(dir.resolve(".barmand.prom.123.tmp"), "left by a barmand killed while it wrote");
        Files.writeString(dir.resolve("other.prom"), "other_metric 1\n");
        MetricsService m = service(new MetricsSettings(Optional.empty(), Optional.of(prom)), this::evaluate);
        m.start(); // writes it a first time
        assertThat(m.address()).isEmpty();
        Exposition e = Exposition.parse(Files.readString(prom));
        assertEveryFamilyDocumentedGauge(e);
        assertValues(e);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(prom))).isEqualTo("rw-r--r--");
        Object inode = Files.getAttribute(prom, "unix:ino");

        // a new run, a new file: renamed over the old one (another inode), no temporary file left
        run("pg1", "backup", Instant.parse("2026-11-24T11:30:00Z"), Instant.parse("2026-11-24T11:40:00Z"), Outcome.SUCCESS,
                new RunFigures("20261124T113000", 1L, 1L, List.of(), null, null));
        assertThat(m.refreshTextfile()).isTrue();
        Exposition again = Exposition.parse(Files.readString(prom));
        assertThat(again.value("barmand_last_run_success", "server", "pg1", "kind", "backup")).contains(1.0);
        assertThat(again.value("barmand_last_backup_age_seconds", "server", "pg1")).contains(1200.0);
        assertThat(Files.getAttribute(prom, "unix:ino")).isNotEqualTo(inode);
        try (Stream<Path> l = Files.list(dir)) {
            assertThat(l.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("barmand.prom", "other.prom");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(prom))).isEqualTo("rw-r--r--");
    }

    @Test
    void aTextfileThatCannotBeWrittenIsLoggedNotThrown() throws Exception {
        Path prom = tmp.resolve("no-such-folder").resolve("barmand.prom");
        MetricsService m = service(new MetricsSettings(Optional.empty(), Optional.of(prom)), this::evaluate);
        m.start();
        assertThat(m.refreshTextfile()).isFalse();
        assertThat(prom).doesNotExist();

        // a failed evaluation leaves the last good file as it was
        Path dir = Files.createDirectories(tmp.resolve("ok"));
        Path good = dir.resolve("barmand.prom");
        AtomicInteger calls = new AtomicInteger();
        MetricsService g = service(new MetricsSettings(Optional.empty(), Optional.of(good)), () -> {
            if (calls.incrementAndGet() > 1) {
                throw new BarmandException(Category.IO, "history: database is locked");
            }
            return evaluate();
        });
        g.start();
        String before = Files.readString(good);
        assertThat(g.refreshTextfile()).isFalse();
        assertThat(Files.readString(good)).isEqualTo(before);
        try (Stream<Path> l = Files.list(dir)) {
            assertThat(l).hasSize(1);
        }
    }

    @Test
    void offDoesNothing() throws Exception {
        MetricsService m = service(MetricsSettings.OFF, () -> {
            throw new AssertionError("evaluated");
        });
        assertThat(m.enabled()).isFalse();
        m.start();
        assertThat(m.address()).isEmpty();
        assertThat(m.refreshTextfile()).isFalse();
        assertThat(listings).isEmpty();
    }

    @Test
    void aPortInUseIsAnIoError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            MetricsService m = service(new MetricsSettings(Optional.of(new InetSocketAddress("127.0.0.1", taken.getLocalPort())),
                    Optional.empty()), this::evaluate);
            assertThatThrownBy(m::start).isInstanceOfSatisfying(BarmandException.class, x -> {
                assertThat(x.category()).isEqualTo(Category.IO);
                assertThat(x.getMessage()).startsWith("metrics.listen: cannot listen on 127.0.0.1:" + taken.getLocalPort());
            });
        }
    }

    /**
     * Bound to 127.0.0.1, the endpoint is on no other address. Shown without sending a packet anywhere but
     * loopback: the kernel's table of listening sockets has it on 127.0.0.1 only, and the same port is free on
     * each other address of the host (it would not be, had the endpoint bound the wildcard address).
     */
    @Test
    void boundToLoopbackOnly() throws Exception {
        MetricsService m = endpoint();
        int port = m.address().orElseThrow().getPort();
        List<String> listeners = listening(port);
        assumeThat(listeners).as("/proc/net/tcp* readable").isNotNull();
        assertThat(listeners).containsExactly("127.0.0.1");

        // the check can fail: on 127.0.0.1 the port is taken
        assertThatThrownBy(() -> {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress("127.0.0.1", port));
            }
        }).isInstanceOf(BindException.class);
        List<InetAddress> others = NetworkInterface.networkInterfaces()
                .filter(i -> {
                    try {
                        return i.isUp() && !i.isLoopback();
                    } catch (java.net.SocketException x) {
                        return false;
                    }
                })
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                .toList();
        assumeThat(others).as("a non-loopback IPv4 address on this host").isNotEmpty();
        for (InetAddress a : others) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(a, port)); // listens only until closed; nothing is sent
                assertThat(s.getLocalPort()).isEqualTo(port);
            }
        }
    }

    /** 0100007F (IPv4, host order), 0000000000000000FFFF00000100007F (IPv4-mapped): 127.0.0.1; all zeros: * or ::. */
    static String address(String hex) {
        if (hex.length() == 32 && hex.startsWith("0000000000000000FFFF0000")) {
            hex = hex.substring(24);
        }
        if (hex.length() == 8) {
            int v = Integer.parseUnsignedInt(hex, 16);
            int b0 = v & 0xff;
            int b3 = v >>> 24;
            // /proc prints the address as the host's int: little-endian hosts show 127.0.0.1 as 0100007F
            boolean little = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;
            return little ? b0 + "." + ((v >>> 8) & 0xff) + "." + ((v >>> 16) & 0xff) + "." + b3
                    : b3 + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff) + "." + b0;
        }
        return hex.equals("00000000000000000000000000000000") ? "::" : hex;
    }

    /** The local addresses listening on {@code port}, from /proc/net/tcp and tcp6; null when they cannot be read. */
    static List<String> listening(int port) {
        List<String> out = new ArrayList<>();
        String hexPort = String.format("%04X", port);
        for (String f : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path p = Path.of(f);
            if (!Files.isReadable(p)) {
                return f.endsWith("6") ? out : null;
            }
            try {
                for (String line : Files.readAllLines(p)) {
                    String[] c = line.trim().split("\\s+");
                    if (c.length > 3 && c[3].equals("0A") && c[1].endsWith(":" + hexPort)) {
                        String addr = c[1].substring(0, c[1].indexOf(':'));
                        out.add(address(addr));
                    }
                }
            } catch (IOException x) {
                return null;
            }
        }
        return out;
    }
}
