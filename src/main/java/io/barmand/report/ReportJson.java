package io.barmand.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.barmand.health.Problem;
import io.barmand.health.Restorability;
import io.barmand.report.ReportData.Disk;
import io.barmand.report.ReportData.MailNote;
import io.barmand.report.ReportData.Point;
import io.barmand.report.ReportData.ServerLine;
import io.barmand.report.ReportData.Trend;
import io.barmand.report.ReportData.Trouble;
import java.time.Instant;

/** {@code barmand report --format json}: the report's data, as docs/CONTRACTS.md documents it (version 1). */
public final class ReportJson {
    public static final int VERSION = 1;
    private static final ObjectMapper M = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ReportJson() {
    }

    public static String render(ReportData d) {
        ObjectNode r = M.createObjectNode();
        r.put("version", VERSION);
        r.put("host", d.host());
        r.put("generated", d.generated().toString());
        r.put("from", d.from().toString());
        r.put("to", d.to().toString());
        r.put("severity", d.severity().word());
        r.put("verdict", d.verdict());
        r.put("subject", ReportText.subject(d));
        ArrayNode rest = r.putArray("restorability");
        for (Restorability x : d.restorability()) {
            restorability(rest.addObject(), x);
        }
        ArrayNode servers = r.putArray("servers");
        for (ServerLine s : d.servers()) {
            ObjectNode o = servers.addObject();
            o.put("server", s.server());
            o.put("severity", s.severity().word());
            if (s.backup() == null) {
                o.putNull("lastBackup");
            } else {
                ObjectNode b = o.putObject("lastBackup");
                b.put("backupId", s.backup().backupId());
                b.put("ended", str(s.backup().ended()));
                b.put("ageSeconds", s.backup().ageSeconds());
                b.put("sizeBytes", s.backup().sizeBytes());
                b.put("durationSeconds", s.backup().durationSeconds());
            }
            if (s.offsite() == null) {
                o.putNull("offsite");
            } else {
                ObjectNode b = o.putObject("offsite");
                b.put("runId", s.offsite().runId());
                b.put("outcome", s.offsite().outcome());
                b.put("ended", str(s.offsite().ended()));
                b.put("backupId", s.offsite().backupId());
                b.put("walLagSeconds", s.offsite().walLagSeconds());
                b.put("newestWalInS3", s.offsite().newestWalInS3());
                b.put("error", s.offsite().error());
            }
            if (s.restoreTest() == null) {
                o.putNull("lastRestoreTest");
            } else {
                restoreTest(o.putObject("lastRestoreTest"), s.restoreTest());
            }
            if (s.restoreTestS3() != null) {
                // the server has a second schedule from S3: lastRestoreTest is then the last from Barman
                restoreTest(o.putObject("lastRestoreTestS3"), s.restoreTestS3());
            }
            if (s.verify() == null) {
                o.putNull("verify");
            } else {
                ObjectNode b = o.putObject("verify");
                b.put("outcome", s.verify().outcome());
                b.put("ended", str(s.verify().ended()));
                b.put("verifiedThrough", s.verify().verifiedThrough());
                b.put("offsiteChecked", s.verify().offsiteChecked());
                b.put("error", s.verify().error());
            }
            if (s.check() == null) {
                o.putNull("check");
            } else {
                ObjectNode b = o.putObject("check");
                b.put("outcome", s.check().outcome());
                b.put("ended", str(s.check().ended()));
                ArrayNode f = b.putArray("failedChecks");
                s.check().failedChecks().forEach(f::add);
            }
        }
        ArrayNode problems = r.putArray("problems");
        for (Problem p : d.problems()) {
            ObjectNode o = problems.addObject();
            o.put("server", p.server());
            o.put("key", p.key());
            o.put("severity", p.severity().word());
            o.put("text", p.text());
            o.put("since", str(p.since()));
            o.put("alert", p.alert());
        }
        ArrayNode troubles = r.putArray("troubles");
        for (Trouble t : d.troubles()) {
            ObjectNode o = troubles.addObject();
            o.put("server", t.server());
            o.put("job", t.job());
            o.put("what", t.what());
            o.put("at", str(t.at()));
            if (t.runId() > 0) {
                o.put("runId", t.runId());
            } else {
                o.putNull("runId");
            }
            o.put("trigger", t.trigger());
            o.put("attempt", t.attempt());
            o.put("error", t.error());
        }
        ArrayNode groups = r.putArray("troubleGroups");
        for (ReportData.TroubleGroup g : d.troubleGroups()) {
            ObjectNode o = groups.addObject();
            o.put("server", g.first().server());
            o.put("job", g.first().job());
            o.put("what", g.first().what());
            o.put("count", g.count());
            o.put("first", str(g.first().at()));
            o.put("last", str(g.last()));
            o.put("error", g.first().error());
            ArrayNode ids = o.putArray("runIds");
            g.runIds().stream().filter(id -> id > 0).forEach(ids::add);
        }
        r.put("retention", d.retention());
        ArrayNode disks = r.putArray("disks");
        for (Disk k : d.disks()) {
            disks.addObject().put("label", k.label()).put("path", k.path()).put("freeBytes", k.freeBytes())
                    .put("totalBytes", k.totalBytes());
        }
        ArrayNode trends = r.putArray("trends");
        java.util.Set<String> charted = new java.util.HashSet<>(d.charted());
        for (Trend t : d.trends()) {
            ObjectNode o = trends.addObject();
            o.put("server", t.server());
            o.put("chart", charted.contains(t.server()));
            ArrayNode b = o.putArray("backups");
            for (Point p : t.backups()) {
                b.addObject().put("at", p.at().toString()).put("durationSeconds", p.value()).put("sizeBytes", p.bytes());
            }
            ArrayNode rt = o.putArray("restoreTests");
            for (Point p : t.restoreTests()) {
                rt.addObject().put("at", p.at().toString()).put("rtoSeconds", p.value());
            }
        }
        ObjectNode host = r.putObject("hostTrend");
        host.put("chart", charted.contains(ReportData.HOST));
        ArrayNode hb = host.putArray("days");
        for (Point p : d.hostTrend().backups()) {
            hb.addObject().put("day", p.at().toString()).put("longestBackupSeconds", p.value()).put("backupBytes", p.bytes());
        }
        ArrayNode ht = host.putArray("restoreTestDays");
        for (Point p : d.hostTrend().restoreTests()) {
            ht.addObject().put("day", p.at().toString()).put("longestRtoSeconds", p.value());
        }
        ArrayNode mail = r.putArray("mailPending");
        for (MailNote m : d.mail()) {
            mail.addObject().put("id", m.id()).put("subject", m.subject()).put("attempts", m.attempts())
                    .put("lastError", m.lastError());
        }
        try {
            return M.writeValueAsString(r) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * One server's restorability, as {@code status --json} writes it too: verdict ("restorable", "at-risk",
     * "not-restorable"), its words, the newest points (ISO-8601 UTC), the RPO in seconds, the proof, the reasons.
     */
    public static void restorability(ObjectNode o, Restorability x) {
        o.put("server", x.server());
        o.put("verdict", x.verdict().id());
        o.put("words", x.verdict().words());
        o.put("restorableTo", x.restorableTo().map(Instant::toString).orElse(null));
        o.put("rpoSeconds", x.rpo().map(java.time.Duration::getSeconds).orElse(null));
        o.put("offsiteRestorableTo", x.offsiteRestorableTo().map(Instant::toString).orElse(null));
        o.put("backupId", x.backupId().orElse(null));
        if (x.proof().isEmpty()) {
            o.putNull("lastProven");
        } else {
            ObjectNode p = o.putObject("lastProven");
            p.put("runId", x.proof().get().runId());
            p.put("ended", x.proof().get().ended().toString());
            p.put("source", x.proof().get().source().id());
            p.put("rtoSeconds", x.proof().get().rtoSeconds().orElse(null));
        }
        ArrayNode why = o.putArray("reasons");
        for (Restorability.Reason reason : x.reasons()) {
            why.addObject().put("verdict", reason.level().id()).put("text", reason.text());
        }
    }

    private static void restoreTest(ObjectNode b, ReportData.RestoreTest t) {
        b.put("runId", t.runId());
        b.put("outcome", t.outcome());
        b.put("ended", str(t.ended()));
        b.put("backupId", t.backupId());
        b.put("source", t.source());
        b.put("rtoSeconds", t.rtoSeconds());
        b.put("recoveryPoint", str(t.recoveryPoint()));
        b.put("canaryAgeSeconds", t.canaryAgeSeconds());
        b.put("error", t.error());
    }

    private static String str(Instant i) {
        return i == null ? null : i.toString();
    }
}
