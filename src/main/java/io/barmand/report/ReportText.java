package io.barmand.report;

import io.barmand.health.Problem;
import io.barmand.health.Restorability;
import io.barmand.report.ReportData.Disk;
import io.barmand.report.ReportData.MailNote;
import io.barmand.report.ReportData.ServerLine;
import io.barmand.report.ReportData.Trend;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/** The report's plain-text part (and {@code barmand report}'s default output). */
public final class ReportText {
    private ReportText() {
    }

    /** The subject: "[barmand backup1] OK: 12 servers". */
    public static String subject(ReportData d) {
        return "[barmand " + d.host() + "] " + d.verdict();
    }

    public static String render(ReportData d, ZoneId zone, int trendDays) {
        Words w = new Words(zone, d.generated());
        StringBuilder b = new StringBuilder();
        b.append("barmand report for ").append(d.host()).append(", ").append(w.time(d.generated()))
                .append(" (runs since ").append(w.time(d.from())).append(")\n");
        b.append(d.verdict()).append("\n\n");
        b.append(restorability(d.restorability(), w)).append('\n');
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"SERVER", "STATE", "LAST BACKUP", "OFFSITE", "LAST RESTORE TEST", "VERIFY", "CHECK"});
        for (ServerLine s : d.servers()) {
            rows.add(new String[] {s.server(), s.severity().word(), w.backup(s.backup()), w.offsite(s.offsite()),
                    w.restores(s), w.verify(s.verify()), w.check(s.check())});
        }
        b.append(table(rows)).append('\n');
        b.append("Problems now");
        if (d.problems().isEmpty()) {
            b.append(": none\n");
        } else {
            b.append(" (").append(d.problems().size()).append(")\n");
            for (Problem p : d.problems()) {
                b.append("  ").append(String.format("%-8s", p.severity().word())).append("  ").append(p.server().isEmpty() ? "" : p.server() + ": ")
                        .append(p.text()).append('\n');
            }
        }
        b.append('\n').append("Failed, skipped and missed runs since ").append(w.time(d.from()));
        if (d.troubles().isEmpty()) {
            b.append(": none\n");
        } else {
            b.append(" (").append(d.troubles().size()).append(d.troubleGroups().size() < d.troubles().size()
                    ? ", one line per kind; each run in the HTML and JSON" : "").append(")\n");
            for (ReportData.TroubleGroup g : d.troubleGroups()) {
                b.append("  ").append(w.group(g)).append('\n');
            }
        }
        b.append('\n').append("Retention\n");
        for (String l : d.retention().split("\n")) {
            b.append("  ").append(l).append('\n');
        }
        b.append('\n');
        b.append("Free disk\n");
        for (Disk k : d.disks()) {
            b.append("  ").append(Words.disk(k)).append('\n');
        }
        b.append('\n').append("Trend, ").append(trendDays).append(" days\n");
        for (Trend t : d.trends()) {
            b.append("  ").append(t.server()).append(": ").append(Words.trend(t, trendDays)).append('\n');
        }
        if (!d.mail().isEmpty()) {
            b.append('\n').append("Mail not delivered yet (").append(d.mail().size()).append(")\n");
            for (MailNote m : d.mail()) {
                b.append("  ").append(m.id()).append(" \"").append(m.subject()).append("\": ").append(m.attempts())
                        .append(" attempt(s)").append(m.lastError() == null ? "" : ", last error: " + m.lastError()).append('\n');
            }
        }
        return b.toString();
    }

    /**
     * The first table: can each server be restored, to when (Barman, then the offsite copy alone), how much would be
     * lost now (RPO), and the restore test that last proved it; then why, for the servers that are not restorable.
     */
    public static String restorability(List<Restorability> servers, ZoneId zone, Instant now) {
        return restorability(servers, new Words(zone, now));
    }

    static String restorability(List<Restorability> servers, Words w) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"SERVER", "VERDICT", "RESTORABLE TO", "RPO", "OFFSITE TO", "LAST PROVEN (RESTORE TEST)"});
        for (Restorability r : servers) {
            rows.add(new String[] {r.server(), r.verdict().words(), w.restorableTo(r), Words.rpo(r), w.offsiteTo(r),
                    w.proven(r)});
        }
        StringBuilder b = new StringBuilder(table(rows));
        for (Restorability r : servers) {
            if (!r.reasons().isEmpty()) {
                b.append("  ").append(r.server()).append(" ").append(r.verdict().words()).append(": ").append(r.why())
                        .append('\n');
            }
        }
        return b.toString();
    }

    /** Columns padded to their widest cell, two spaces apart. */
    static String table(List<String[]> rows) {
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(r[i]);
                if (i < r.length - 1) {
                    line.append(" ".repeat(width[i] - r[i].length() + 2));
                }
            }
            b.append(line.toString().stripTrailing()).append('\n');
        }
        return b.toString();
    }
}
