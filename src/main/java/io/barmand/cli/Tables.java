package io.barmand.cli;

import io.barmand.history.RunRecord;
import io.barmand.history.RunText;
import io.barmand.vocabulary.TimeText;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Plain-text tables for humans. */
final class Tables {
    private Tables() {
    }

    /** {@code 2026-12-08 03:30:00 CET} ({@link TimeText#at}). */
    static String time(Instant i, ZoneId zone) {
        return TimeText.at(i, zone);
    }

    /** How long a run took, {@code 2m 30s} ({@link TimeText#duration}). */
    static String took(Long ms) {
        return TimeText.millis(ms);
    }

    /** An age, {@code 3h 5m} ({@link TimeText#duration}), never negative. */
    static String age(Duration d) {
        return TimeText.duration(d.isNegative() ? Duration.ZERO : d);
    }

    /** Figures or error of a run in one cell. */
    static String figures(RunRecord r) {
        return RunText.cell(r);
    }

    static String describe(RunRecord r) {
        return RunText.line(r);
    }

    static String history(List<RunRecord> runs, ZoneId zone) {
        if (runs.isEmpty()) {
            return "no runs recorded\n";
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "SERVER", "JOB", "TRIGGER", "STARTED", "OUTCOME", "TOOK", "FIGURES / ERROR"});
        for (RunRecord r : runs) {
            rows.add(new String[] {Long.toString(r.id()), r.server().isEmpty() ? "-" : r.server(), r.job(), r.trigger().word(), time(r.started(), zone),
                    r.outcome().word(), took(r.durationMs()), figures(r)});
        }
        return render(rows);
    }

    /** The width status's text keeps to without --wide. */
    static final int COLUMNS = 120;

    static String render(List<String[]> rows) {
        return render(rows, Integer.MAX_VALUE);
    }

    /**
     * Columns padded to their widest cell, two spaces apart; a line longer than {@code width} has its last column cut
     * to fit, ending with "..." (at least 12 characters of it kept: the wide form has it whole).
     */
    static String render(List<String[]> rows, int width) {
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
            String l = line.toString().stripTrailing();
            if (l.length() > width) {
                int keep = Math.max(width, l.length() - r[n - 1].length() + 12);
                l = keep >= l.length() ? l : l.substring(0, keep - 3) + "...";
            }
            b.append(l).append('\n');
        }
        return b.toString();
    }

    /**
     * Text whose lines longer than {@code width} are wrapped at spaces, the continuation indented by four: nothing cut.
     * A trailing newline is dropped.
     */
    static String fit(String text, int width) {
        StringBuilder b = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (b.length() > 0) {
                b.append('\n');
            }
            String rest = line;
            String indent = "";
            while (indent.length() + rest.length() > width) {
                int room = width - indent.length();
                int cut = rest.lastIndexOf(' ', room);
                if (cut <= 8) {
                    cut = rest.indexOf(' ', room);
                    if (cut < 0) {
                        break;
                    }
                }
                b.append(indent).append(rest, 0, cut).append('\n');
                rest = rest.substring(cut + 1);
                indent = "    ";
            }
            b.append(indent).append(rest);
        }
        String out = b.toString();
        return out.endsWith("\n") ? out.substring(0, out.length() - 1) : out;
    }
}
