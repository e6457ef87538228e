package io.barmand.report;

import io.barmand.history.FactNames;
import io.barmand.config.JobKind;
import io.barmand.config.ReportSettings;
import io.barmand.config.ServerSettings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.health.Health;
import io.barmand.health.HealthReport;
import io.barmand.history.Facts;
import io.barmand.history.RunFigures;
import io.barmand.history.RunHistory;
import io.barmand.job.JobService;
import io.barmand.job.RunContext;
import io.barmand.mail.Letter;
import io.barmand.mail.Outbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The morning report, a job of the host: evaluates every server, writes the report as text, HTML (with the whole
 * host's trend chart and one per server that needs attention) and JSON into STATE-DIR/reports, and mails it through the outbox. A report that cannot be sent stays in
 * the outbox and is sent later; the run then says so and counts as failed.
 */
public final class ReportService implements JobService {
    private static final Logger log = LoggerFactory.getLogger(ReportService.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    /** A report made: its data and its three renderings, and the charts by server. */
    public record Made(ReportData data, String subject, String text, String html, String json, Map<String, byte[]> charts,
                       Timings timings) {
        /** The mail: text and HTML parts, the charts inline. */
        public Letter letter() {
            Map<String, byte[]> images = new LinkedHashMap<>();
            charts.forEach((server, png) -> images.put(cid(server), png));
            return new Letter("report", subject, text, Optional.of(html), images);
        }
    }

    private final ReportSettings settings;
    private final Map<String, ServerSettings> servers;
    private final RunHistory history;
    private final Health health;
    private final Supplier<Map<String, Path>> folders;
    private final Optional<Outbox> outbox;
    private final Path reportsDir;
    private final ZoneId zone;
    private final Clock clock;
    private final Supplier<Map<String, Optional<String>>> barmanPolicies;

    /**
     * @param folders the folders whose free disk is reported, by label (asked at each report)
     * @param outbox where the report is mailed; empty = mail.to is empty, the report is only kept
     * @param barmanPolicies Barman's retention_policy of each server, asked at each report (it may throw)
     */
    public ReportService(ReportSettings settings, Map<String, ServerSettings> servers, RunHistory history, Health health,
                         Supplier<Map<String, Path>> folders, Optional<Outbox> outbox, Path stateDir, ZoneId zone, Clock clock,
                         Supplier<Map<String, Optional<String>>> barmanPolicies) {
        this.barmanPolicies = barmanPolicies;
        this.settings = settings;
        this.servers = servers;
        this.history = history;
        this.health = health;
        this.folders = folders;
        this.outbox = outbox;
        this.reportsDir = stateDir.resolve("reports");
        this.zone = zone;
        this.clock = clock;
    }

    @Override
    public JobKind kind() {
        return JobKind.REPORT;
    }

    /** How long each step of making a report took, in seconds (facts of the run; the bench prints them). */
    public record Timings(double health, double gather, double charts, double render) {
    }

    /** The report of the runs since {@code since} (the window before now by default), as of now, with its charts. */
    public Made make(Duration since) {
        return make(since, true);
    }

    /**
     * @param withCharts false: no chart drawn (the text and the JSON need none), {@link Made#charts} empty and the HTML
     *                   without images
     */
    public Made make(Duration since, boolean withCharts) {
        Instant now = clock.instant();
        long t0 = System.nanoTime();
        HealthReport h = health.evaluate(now, since);
        long t1 = System.nanoTime();
        ReportData d = new ReportBuilder(settings.hostName(), servers, history, settings.trendDays(), barmanPolicies)
                .build(h, now.minus(since), folders.get(), outbox.map(Outbox::pending).orElse(List.of()));
        long t2 = System.nanoTime();
        // the charts of the host and of the servers that need attention, drawn side by side on the host's cores
        // (JFreeChart objects are per chart)
        Instant trendFrom = now.minus(Duration.ofDays(settings.trendDays()));
        Map<String, ReportData.Trend> byServer = new java.util.HashMap<>();
        d.trends().forEach(t -> byServer.put(t.server(), t));
        byServer.put(ReportData.HOST, d.hostTrend());
        List<String> drawn = withCharts ? d.charted() : List.of();
        List<byte[]> pngs = drawn.parallelStream().map(s -> TrendChart.png(byServer.get(s), trendFrom, now, zone)).toList();
        Map<String, byte[]> charts = new LinkedHashMap<>();
        for (int i = 0; i < pngs.size(); i++) {
            if (pngs.get(i) != null) {
                charts.put(drawn.get(i), pngs.get(i));
            }
        }
        long t3 = System.nanoTime();
        String html = ReportHtml.render(d, zone, settings.trendDays(), s -> charts.containsKey(s) ? "cid:" + cid(s) : null);
        String text = ReportText.render(d, zone, settings.trendDays());
        String json = ReportJson.render(d);
        long t4 = System.nanoTime();
        return new Made(d, ReportText.subject(d), text, html, json, charts,
                new Timings((t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, (t4 - t3) / 1e9));
    }

    @Override
    public Result execute(RunContext ctx) {
        Made m = make(settings.window());
        ctx.checkCancelled();
        Path saved = save(m);
        Facts.Builder f = Facts.builder().text(FactNames.VERDICT, m.data().verdict()).text(FactNames.SEVERITY, m.data().severity().word())
                .count(FactNames.SERVERS, m.data().servers().size()).count(FactNames.PROBLEMS, m.data().problems().size())
                .count(FactNames.TROUBLES, m.data().troubles().size()).text(FactNames.SAVED, saved.toString())
                .seconds(FactNames.HEALTH, m.timings().health()).seconds(FactNames.GATHER, m.timings().gather())
                .seconds(FactNames.CHARTS, m.timings().charts()).seconds(FactNames.RENDER, m.timings().render());
        if (outbox.isEmpty()) {
            return Result.ok(new RunFigures(null, null, null, List.of(), null, "\"" + m.subject() + "\" saved as " + saved
                    + " (mail.to is empty: not mailed)", f.build()));
        }
        Outbox.Delivery d = outbox.get().post(m.letter());
        f.text(FactNames.MAIL, d.id()).count(FactNames.MAIL_ATTEMPTS, d.attempts());
        if (d.sent()) {
            return Result.ok(new RunFigures(null, null, null, List.of(), null, "\"" + m.subject() + "\" sent through "
                    + outbox.get().transport() + " (mail " + d.id() + "), saved as " + saved, f.text(FactNames.MAIL_STATE, "sent").build()));
        }
        return Result.failed(new RunFigures(null, null, null, List.of(), "report \"" + m.subject() + "\" not sent: "
                + d.lastError() + "; kept in " + outbox.get().dir() + " as " + d.id() + ", next attempt at " + d.nextAttempt(),
                null, f.text(FactNames.MAIL_STATE, "queued").build()));
    }

    /** Writes the report into STATE-DIR/reports (text, HTML with its charts beside it, JSON); prunes old ones. */
    Path save(Made m) {
        String stamp = STAMP.format(m.data().generated());
        try {
            Files.createDirectories(reportsDir);
            Path txt = reportsDir.resolve("report-" + stamp + ".txt");
            Files.writeString(txt, m.text(), StandardCharsets.UTF_8);
            Files.writeString(reportsDir.resolve("report-" + stamp + ".json"), m.json(), StandardCharsets.UTF_8);
            for (Map.Entry<String, byte[]> c : m.charts().entrySet()) {
                Files.write(reportsDir.resolve("report-" + stamp + "-" + cid(c.getKey()) + ".png"), c.getValue());
            }
            String html = ReportHtml.render(m.data(), zone, settings.trendDays(),
                    s -> m.charts().containsKey(s) ? "report-" + stamp + "-" + cid(s) + ".png" : null);
            Files.writeString(reportsDir.resolve("report-" + stamp + ".html"), html, StandardCharsets.UTF_8);
            prune(m.data().generated().minus(settings.keep()));
            return txt;
        } catch (IOException e) {
            throw new BarmandException(Category.IO, reportsDir + ": cannot save the report: " + e.getMessage(), e);
        }
    }

    private void prune(Instant before) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(reportsDir, "report-*")) {
            for (Path p : ds) {
                if (Files.getLastModifiedTime(p).toInstant().isBefore(before)) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            log.warn("{}: cannot prune old reports: {}", reportsDir, e.getMessage());
        }
    }

    /** The chart's content id (and file name part): trend-SERVER, or trend--host for the whole host's. */
    static String cid(String server) {
        return server.equals(ReportData.HOST) ? "trend--host" : "trend-" + server.replaceAll("[^A-Za-z0-9_.-]", "_");
    }
}
