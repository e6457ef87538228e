package io.barmand.report;

import io.barmand.health.HealthReport;
import io.barmand.health.Problem;
import io.barmand.health.Restorability;
import io.barmand.health.Severity;
import io.barmand.report.ReportData.Disk;
import io.barmand.report.ReportData.MailNote;
import io.barmand.report.ReportData.ServerLine;
import io.barmand.report.ReportData.Trend;
import io.barmand.report.ReportData.Trouble;
import java.time.ZoneId;
import java.util.function.Function;

/**
 * The report's HTML part: the same content as {@link ReportText}, with the trend charts inline: the whole host's and
 * those of the servers that need attention ({@link ReportData#charted}); the other servers' trends are a line each.
 */
public final class ReportHtml {
    private ReportHtml() {
    }

    /**
     * @param chartSrc the {@code src} of a server's trend chart ("cid:trend-pg1" in a mail, a file name on disk), or
     *                 null when it has none
     */
    public static String render(ReportData d, ZoneId zone, int trendDays, Function<String, String> chartSrc) {
        Words w = new Words(zone, d.generated());
        StringBuilder b = new StringBuilder(4096);
        b.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").append(esc(ReportText.subject(d)))
                .append("</title></head>\n<body style=\"font-family:Helvetica,Arial,sans-serif;font-size:14px;color:#222\">\n");
        b.append("<p style=\"margin:0\">barmand report for <b>").append(esc(d.host())).append("</b>, ").append(esc(w.time(d.generated())))
                .append(" (runs since ").append(esc(w.time(d.from()))).append(")</p>\n");
        b.append("<h2 style=\"margin:8px 0;color:").append(color(d.severity())).append("\">").append(esc(d.verdict())).append("</h2>\n");
        restorability(b, d, w);
        b.append("<table cellpadding=\"4\" cellspacing=\"0\" style=\"border-collapse:collapse;border:1px solid #ccc\">\n<tr style=\"background:#eee\">");
        for (String h : new String[] {"Server", "State", "Last backup", "Offsite", "Last restore test", "Verify", "Check"}) {
            b.append("<th align=\"left\" style=\"border:1px solid #ccc\">").append(h).append("</th>");
        }
        b.append("</tr>\n");
        for (ServerLine s : d.servers()) {
            b.append("<tr>").append(td(s.server())).append("<td style=\"border:1px solid #ccc;font-weight:bold;color:")
                    .append(color(s.severity())).append("\">").append(s.severity().word()).append("</td>")
                    .append(td(w.backup(s.backup()))).append(td(w.offsite(s.offsite()))).append(td(w.restores(s)))
                    .append(td(w.verify(s.verify()))).append(td(w.check(s.check()))).append("</tr>\n");
        }
        b.append("</table>\n");
        b.append("<h3>Problems now").append(d.problems().isEmpty() ? ": none" : " (" + d.problems().size() + ")").append("</h3>\n");
        if (!d.problems().isEmpty()) {
            b.append("<ul>\n");
            for (Problem p : d.problems()) {
                b.append("<li><b style=\"color:").append(color(p.severity())).append("\">").append(p.severity().word())
                        .append("</b> ").append(esc((p.server().isEmpty() ? "" : p.server() + ": ") + p.text())).append("</li>\n");
            }
            b.append("</ul>\n");
        }
        b.append("<h3>Failed, skipped and missed runs since ").append(esc(w.time(d.from())))
                .append(d.troubles().isEmpty() ? ": none" : " (" + d.troubles().size() + ")").append("</h3>\n");
        if (!d.troubles().isEmpty()) {
            b.append("<ul>\n");
            for (ReportData.TroubleGroup g : d.troubleGroups()) {
                b.append("<li>").append(esc(w.group(g))).append("</li>\n");
            }
            b.append("</ul>\n");
            if (d.troubleGroups().size() < d.troubles().size()) {
                b.append("<details><summary>Each run (").append(d.troubles().size()).append(")</summary>\n<ul>\n");
                for (Trouble t : d.troubles()) {
                    b.append("<li>").append(esc(w.trouble(t))).append("</li>\n");
                }
                b.append("</ul>\n</details>\n");
            }
        }
        b.append("<h3>Retention</h3>\n<p>").append(esc(d.retention()).replace("\n", "<br>\n")).append("</p>\n");
        b.append("<h3>Free disk</h3>\n<ul>\n");
        for (Disk k : d.disks()) {
            b.append("<li").append(k.totalBytes() > 0 && k.freeRatio() < 0.1 ? " style=\"color:#b00\"" : "").append(">")
                    .append(esc(Words.disk(k))).append("</li>\n");
        }
        b.append("</ul>\n<h3>Trend, ").append(trendDays).append(" days</h3>\n");
        String hostSrc = chartSrc.apply(ReportData.HOST);
        if (hostSrc != null) {
            b.append("<p style=\"margin:4px 0\"><b>All ").append(d.trends().size()).append(" servers</b>, per day: the "
                    + "backups' total size, the longest backup, the longest restore test</p>\n");
            img(b, hostSrc, "all servers");
        }
        if (d.charted().size() > 1 && d.charted().size() <= d.trends().size()) {
            b.append("<p style=\"margin:4px 0\">Charts for the servers that need attention (not restorable, failed or "
                    + "missed runs since ").append(esc(w.time(d.from()))).append("; at most ").append(ReportBuilder.MAX_CHARTS)
                    .append("), the others in a line each; every point is in the JSON report.</p>\n");
        }
        // a chart for each server that needs attention; the others in a line each (their points: the JSON report)
        java.util.List<Trend> plain = new java.util.ArrayList<>();
        for (Trend t : d.trends()) {
            String src = chartSrc.apply(t.server());
            if (src == null) {
                plain.add(t);
                continue;
            }
            b.append("<p style=\"margin:4px 0\"><b>").append(esc(t.server())).append("</b>: ").append(esc(Words.trend(t, trendDays)))
                    .append("</p>\n");
            img(b, src, t.server());
        }
        if (!plain.isEmpty()) {
            b.append("<ul style=\"margin:4px 0\">\n");
            for (Trend t : plain) {
                b.append("<li><b>").append(esc(t.server())).append("</b>: ").append(esc(Words.trend(t, trendDays))).append("</li>\n");
            }
            b.append("</ul>\n");
        }
        if (!d.mail().isEmpty()) {
            b.append("<h3>Mail not delivered yet (").append(d.mail().size()).append(")</h3>\n<ul>\n");
            for (MailNote m : d.mail()) {
                b.append("<li>").append(esc(m.id() + " \"" + m.subject() + "\": " + m.attempts() + " attempt(s)"
                        + (m.lastError() == null ? "" : ", last error: " + m.lastError()))).append("</li>\n");
            }
            b.append("</ul>\n");
        }
        b.append("</body></html>\n");
        return b.toString();
    }

    /** The first table: the verdict of each server, to when it can be restored, and what last proved it. */
    private static void restorability(StringBuilder b, ReportData d, Words w) {
        b.append("<table cellpadding=\"4\" cellspacing=\"0\" style=\"border-collapse:collapse;border:1px solid #ccc;"
                + "margin-bottom:12px\">\n<tr style=\"background:#eee\">");
        for (String h : new String[] {"Server", "Verdict", "Restorable to", "RPO", "Offsite to", "Last proven (restore test)",
                "Why"}) {
            b.append("<th align=\"left\" style=\"border:1px solid #ccc\">").append(h).append("</th>");
        }
        b.append("</tr>\n");
        for (Restorability r : d.restorability()) {
            b.append("<tr>").append(td(r.server())).append("<td style=\"border:1px solid #ccc;font-weight:bold;color:")
                    .append(color(HealthReport.severity(r.verdict()))).append("\">").append(esc(r.verdict().words()))
                    .append("</td>").append(td(w.restorableTo(r))).append(td(Words.rpo(r))).append(td(w.offsiteTo(r)))
                    .append(td(w.proven(r))).append(td(r.why())).append("</tr>\n");
        }
        b.append("</table>\n");
    }

    private static void img(StringBuilder b, String src, String what) {
        b.append("<img src=\"").append(esc(src)).append("\" alt=\"").append(esc(what)).append(" trend\" width=\"")
                .append(TrendChart.WIDTH).append("\" height=\"").append(TrendChart.HEIGHT).append("\">\n");
    }

    private static String td(String s) {
        return "<td style=\"border:1px solid #ccc\">" + esc(s) + "</td>";
    }

    static String color(Severity s) {
        return switch (s) {
            case OK -> "#1a7f37";
            case WARNING -> "#9a6700";
            case CRITICAL -> "#cf222e";
        };
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
