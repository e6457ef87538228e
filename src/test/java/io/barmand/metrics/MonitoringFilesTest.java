package io.barmand.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard and the Prometheus alert rules shipped in the .deb ({@code packaging/monitoring}, installed in
 * /usr/share/barmand/monitoring) use only metric names the daemon exports ({@link BarmandMetrics#names()}, which
 * MetricsServiceTest pins to a real scrape), and the few Prometheus itself or node_exporter make. promtool checks the
 * rules' syntax and behaviour (packaging/monitoring/check.sh, in make test).
 */
class MonitoringFilesTest {
    static final Path DIR = Path.of("packaging", "monitoring");
    /** Series barmand does not export: Prometheus's own {@code up}, node_exporter's textfile time. */
    static final Set<String> NOT_OURS = Set.of("up", "node_textfile_mtime_seconds");
    static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "by", "without", "on", "ignoring", "group_left",
            "group_right", "offset", "bool", "inf", "nan");
    private static final Pattern QUOTED = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGES = Pattern.compile("\\[[^]]*]");
    private static final Pattern GROUPING = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENT = Pattern.compile("(?<![\\w:.$])([a-zA-Z_:][a-zA-Z0-9_:]*+)(?!\\s*\\()");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)");

    /** The metric names a PromQL expression reads: its identifiers outside strings, matchers, ranges and groupings. */
    static SortedSet<String> metricNames(String promql) {
        String s = QUOTED.matcher(promql).replaceAll(" ");
        s = MATCHERS.matcher(s).replaceAll(" ");
        s = RANGES.matcher(s).replaceAll(" ");
        s = GROUPING.matcher(s).replaceAll(" ");
        SortedSet<String> out = new TreeSet<>();
        Matcher m = IDENT.matcher(s);
        while (m.find()) {
            if (!KEYWORDS.contains(m.group(1).toLowerCase(java.util.Locale.ROOT))) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    @Test
    void theExtractorFindsMetricsNotLabelsFunctionsOrKeywords() {
        assertThat(metricNames("sum by (server) (rate(barmand_a{kind=~\"b|c\",x=\"barmand_no\"}[5m])) > 26 * 3600"
                + " and on(instance) up == 0 unless absent(barmand_b) or time() - node_x offset 5m"))
                .containsExactly("barmand_a", "barmand_b", "node_x", "up");
    }

    @Test
    void theDashboardUsesOnlyExportedNames() throws IOException {
        JsonNode d = new ObjectMapper().readTree(Files.readString(DIR.resolve("barmand-dashboard.json")));
        assertThat(d.path("title").asText()).isEqualTo("barmand");
        assertThat(d.path("uid").asText()).isNotBlank();
        List<String> exprs = new ArrayList<>();
        d.findValues("expr").forEach(n -> exprs.add(n.asText()));
        assertThat(exprs).hasSizeGreaterThan(15);
        SortedSet<String> used = new TreeSet<>();
        exprs.forEach(e -> used.addAll(metricNames(e)));
        // the variables' queries: label_values(METRIC, label)
        for (JsonNode v : d.path("templating").path("list")) {
            Matcher m = LABEL_VALUES.matcher(v.path("definition").asText());
            while (m.find()) {
                used.add(m.group(1));
            }
        }
        assertOurs(used, "the dashboard");
        // the new families are on it too: every kind's runs, the runs in progress, the store
        assertThat(used).contains("barmand_last_run_success", "barmand_last_success_timestamp_seconds", "barmand_running",
                "barmand_history_store_writable", "barmand_last_backup_age_seconds");
        // ids unique (Grafana refuses a dashboard with two panels of one id)
        List<Integer> ids = new ArrayList<>();
        d.path("panels").forEach(p -> ids.add(p.path("id").asInt(-1)));
        assertThat(ids).doesNotContain(-1).doesNotHaveDuplicates();
    }

    @Test
    void theAlertRulesUseOnlyExportedNames() throws IOException {
        List<String> lines = Files.readAllLines(DIR.resolve("barmand.rules.yml"));
        Pattern expr = Pattern.compile("^\\s*expr:\\s*(.*)$");
        SortedSet<String> used = new TreeSet<>();
        int n = 0;
        for (String line : lines) {
            Matcher m = expr.matcher(line);
            if (m.matches()) {
                String e = m.group(1).strip();
                // one expression per line: a folded or literal block would hide its lines from this test
                assertThat(e).as(line).isNotEmpty().doesNotStartWith("|").doesNotStartWith(">");
                used.addAll(metricNames(e));
                n++;
            }
        }
        assertThat(n).isGreaterThanOrEqualTo(10);
        assertOurs(used, "the alert rules");
        assertThat(used).contains("barmand_last_backup_age_seconds", "barmand_last_run_success", "barmand_missed_runs",
                "barmand_offsite_wal_lag_seconds", "barmand_history_store_writable", "barmand_build_info", "up");
    }

    static void assertOurs(SortedSet<String> used, String where) {
        SortedSet<String> unknown = new TreeSet<>(used);
        unknown.removeAll(BarmandMetrics.names());
        unknown.removeAll(NOT_OURS);
        assertThat(unknown).as("metric names " + where + " uses that barmand does not export "
                + "(exported: " + BarmandMetrics.names() + ")").isEmpty();
    }
}
