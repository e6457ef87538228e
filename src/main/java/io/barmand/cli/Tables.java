package io.barmand.cli;

import io.barmand.history.RunRecord;
import io.barmand.history.RunText;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Plain-text tables for humans. */
final class Tables {
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private Tables() {
    }

    static String time(Instant i) {
        return i == null ? "-" : TIME.format(i);
    }

    static String took(Long ms) {
        return ms == null ? "-" : String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
    }

    static String age(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + (s % 60) + "s";
        }
        if (s < 86400) {
            return (s / 3600) + "h" + ((s % 3600) / 60) + "m";
        }
        return (s / 86400) + "d" + ((s % 86400) / 3600) + "h";
    }

    /** Figures or error of a run in one cell. */
    static String figures(RunRecord r) {
        return RunText.cell(r);
    }

    static String describe(RunRecord r) {
        return RunText.line(r);
    }

    static String history(List<RunRecord> runs) {
        if (runs.isEmpty()) {
            return "no runs recorded\n";
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "SERVER", "JOB", "TRIGGER", "STARTED", "OUTCOME", "TOOK", "FIGURES / ERROR"});
        for (RunRecord r : runs) {
            rows.add(new String[] {Long.toString(r.id()), r.server().isEmpty() ? "-" : r.server(), r.job(), r.trigger().word(), time(r.started()),
                    r.outcome().word(), took(r.durationMs()), figures(r)});
        }
        return render(rows);
    }

    static String render(List<String[]> rows) {
        int n = rows.get(0).length;
        int[] w = new int[n];
        for (String[] r : rows) {
            for (int i = 0; i < n; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < n; i++) {
                line.append(i == n - 1 ? r[i] : String.format("%-" + w[i] + "s  ", r[i]));
            }
            b.append(line.toString().stripTrailing()).append('\n');
        }
        return b.toString();
    }
}
