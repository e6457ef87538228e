package io.barmand.report;

import io.barmand.health.Health;
import io.barmand.health.Restorability;
import io.barmand.history.Sizes;
import io.barmand.report.ReportData.Backup;
import io.barmand.report.ReportData.Check;
import io.barmand.report.ReportData.Disk;
import io.barmand.report.ReportData.Offsite;
import io.barmand.report.ReportData.Point;
import io.barmand.report.ReportData.RestoreTest;
import io.barmand.report.ReportData.Trend;
import io.barmand.report.ReportData.Trouble;
import io.barmand.vocabulary.RestoreSource;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.List;
import java.util.Locale;

/** The report's cells and sentences, made once for the text and the HTML parts. */
final class Words {
    private final DateTimeFormatter time;
    private final Instant now;

    Words(ZoneId zone, Instant now) {
        this.time = io.barmand.vocabulary.TimeText.formatter(zone); // one notation: 2026-12-08 03:30:00 CET
        this.now = now;
    }

    String time(Instant i) {
        return i == null ? "-" : time.format(i);
    }

    String ago(Instant i) {
        return i == null ? "-" : Health.age(Duration.between(i, now)) + " ago";
    }

    static String seconds(Double s) {
        if (s == null) {
            return "?";
        }
        if (s >= 120) {
            return Health.age(Duration.ofMillis(Math.round(s * 1000)));
        }
        return String.format(Locale.ROOT, "%.1fs", s);
    }

    static String bytes(Long b) {
        return b == null ? "?" : Sizes.human(b);
    }

    String backup(Backup b) {
        return b == null ? "none recorded" : b.backupId() + ", " + Health.age(Duration.ofSeconds(b.ageSeconds())) + " ago, "
                + bytes(b.sizeBytes()) + ", took " + seconds(b.durationSeconds());
    }

    String offsite(Offsite o) {
        if (o == null) {
            return "off";
        }
        String s = o.outcome() + " " + ago(o.ended());
        if (o.backupId() != null) {
            s += ", " + o.backupId();
        }
        if (o.walLagSeconds() != null) {
            s += ", WAL lag " + seconds(o.walLagSeconds());
        }
        return s;
    }

    /** The last restore test; with a second schedule from S3, the last from Barman, then the last from S3. */
    String restores(ReportData.ServerLine s) {
        if (s.restoreTestS3() == null) {
            return restore(s.restoreTest());
        }
        return (s.restoreTest() == null ? "from Barman: none recorded" : restore(s.restoreTest()) + " (from Barman)")
                + "; " + restore(s.restoreTestS3());
    }

    String restore(RestoreTest t) {
        if (t == null) {
            return "none recorded";
        }
        List<String> p = new ArrayList<>();
        p.add(t.outcome() + " " + ago(t.ended()) + (RestoreSource.S3.is(t.source()) ? " (from S3)" : ""));
        if (t.rtoSeconds() != null) {
            p.add("RTO " + seconds(t.rtoSeconds()));
        }
        if (t.recoveryPoint() != null) {
            p.add("recovery point " + time(t.recoveryPoint()));
        }
        if (t.canaryAgeSeconds() != null) {
            p.add("canary " + seconds(t.canaryAgeSeconds()) + " old");
        }
        return String.join(", ", p);
    }

    String check(Check c) {
        if (c == null) {
            return "none recorded";
        }
        return c.outcome().equals("success") ? "OK " + ago(c.ended())
                : c.outcome() + (c.failedChecks().isEmpty() ? "" : ": " + String.join(", ", c.failedChecks()));
    }

    String verify(ReportData.Verify v) {
        if (v == null) {
            return "none recorded";
        }
        String s = (v.outcome().equals("success") ? "OK " : v.outcome() + " ") + ago(v.ended());
        if (v.verifiedThrough() != null) {
            s += ", through " + v.verifiedThrough();
        }
        if (v.offsiteChecked() != null) {
            s += ", S3 " + v.offsiteChecked();
        }
        return s;
    }

    /** "2026-12-07 06:58 UTC (S3: 06:55)": where Barman can restore to; the offsite copy's own after it. */
    String restorableTo(Restorability r) {
        return r.restorableTo().map(this::time).orElse("-");
    }

    String offsiteTo(Restorability r) {
        return r.offsiteRestorableTo().map(this::time).orElse("-");
    }

    static String rpo(Restorability r) {
        return r.rpo().map(Health::age).orElse("-");
    }

    /** "23h ago, from Barman, RTO 41.0s", or "never". */
    String proven(Restorability r) {
        if (r.proof().isEmpty()) {
            return "never";
        }
        Restorability.Proof p = r.proof().get();
        return ago(p.ended()) + ", from " + (p.source() == RestoreSource.S3 ? "S3" : "Barman")
                + p.rtoSeconds().map(s -> ", RTO " + seconds(s)).orElse("");
    }

    /** One line per kind of trouble: the run's own line when alone, else its count and first and last time. */
    String group(ReportData.TroubleGroup g) {
        Trouble t = g.first();
        if (g.count() == 1) {
            return trouble(t);
        }
        String who = t.server().isEmpty() ? t.job() : t.server() + " " + t.job();
        return who + " " + t.what() + " " + g.count() + " times since " + time(t.at()) + " (last " + time(g.last()) + ")"
                + (t.error() == null || t.error().isEmpty() ? "" : ": " + t.error());
    }

    String trouble(Trouble t) {
        String who = t.server().isEmpty() ? t.job() : t.server() + " " + t.job();
        String how = t.what().equals("missed") ? "missed" : t.what() + " (" + t.trigger()
                + (t.attempt() > 1 ? ", attempt " + t.attempt() : "") + ", run " + t.runId() + ")";
        return time(t.at()) + "  " + who + " " + how + (t.error() == null ? "" : ": " + t.error());
    }

    static String disk(Disk d) {
        if (d.totalBytes() < 0) {
            return d.label() + " " + d.path() + ": unknown";
        }
        return String.format(Locale.ROOT, "%s %s: %s free of %s (%.0f%%)", d.label(), d.path(), bytes(d.freeBytes()),
                bytes(d.totalBytes()), 100 * d.freeRatio());
    }

    static String trend(Trend t, int days) {
        List<String> p = new ArrayList<>();
        if (t.backups().isEmpty()) {
            p.add("no backup in " + days + " days");
        } else {
            DoubleSummaryStatistics d = t.backups().stream().mapToDouble(Point::value).summaryStatistics();
            Point last = t.backups().get(t.backups().size() - 1);
            long minB = t.backups().stream().filter(x -> x.bytes() != null).mapToLong(Point::bytes).min().orElse(-1);
            long maxB = t.backups().stream().filter(x -> x.bytes() != null).mapToLong(Point::bytes).max().orElse(-1);
            p.add(t.backups().size() + " backup(s), took " + seconds(d.getMin()) + " to " + seconds(d.getMax()) + " (last "
                    + seconds(last.value()) + ")" + (minB < 0 ? "" : ", " + bytes(minB) + " to " + bytes(maxB)));
        }
        if (!t.restoreTests().isEmpty()) {
            DoubleSummaryStatistics r = t.restoreTests().stream().mapToDouble(Point::value).summaryStatistics();
            p.add(t.restoreTests().size() + " restore test(s), RTO " + seconds(r.getMin()) + " to " + seconds(r.getMax()));
        }
        return String.join("; ", p);
    }
}
