package io.barmand.retention;

import io.barmand.config.RetentionPolicy;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A plan in words, made once: a table for people ({@code barmand retention plan SERVER}) and JSON for machines
 * ({@code --json}).
 * <p>
 * The JSON shape of one plan:
 * <pre>{@code
 * {
 *   "now": "2026-12-01T12:00:00Z",                 // the instant the plan was made for
 *   "zone": "Europe/Paris",                        // periods are counted, and "endLocal" given, in this zone
 *   "policy": { "recoveryWindow": "7d" | null, "recoveryWindowSeconds": 604800 | null,
 *               "keepDaily": 7, "keepWeekly": 4, "keepMonthly": 12, "keepYearly": 2,
 *               "minimumRedundancy": 1, "maxDeletesPerRun": 10 },
 *   "refused": false,
 *   "refusal": null | "would delete 14 of 20 DONE backups, more than half: nothing deleted",
 *   "counts": { "keep": 9, "keepStandalone": 3, "delete": 2, "releaseAndKeep": 0, "releaseAndDelete": 1 },
 *   "backups": [                                   // newest first
 *     { "backupId": "20261124T020000", "end": "2026-11-24T01:14:00Z", "endLocal": "2026-11-24T02:14+01:00",
 *       "status": "DONE",                          // Barman's word
 *       "verdict": "keep-standalone",              // keep | keep-standalone | delete | release-and-keep | release-and-delete
 *       "reasons": [ { "rule": "keep-monthly", "text": "keep-monthly 2026-11" } ] }   // the deciding one first
 *   ]
 * }
 * }</pre>
 * Rules ({@link Reason.Rule#word()}): recovery-window, recovery-window-base, keep-daily, keep-weekly, keep-monthly,
 * keep-yearly, newest-done, newest-restore-tested, offsite-unverified, in-use, admin-keep, minimum-redundancy, in-progress,
 * failed, not-kept, barman-keep-released, barman-keep-held, refused, planned.
 */
public final class PlanText {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

    private PlanText() {
    }

    /**
     * The plan as lines: the policy, the refusal if any (once: not repeated on each line), one line per backup
     * ({@code 20261124T020000  2026-11-24 02:14  DONE  keep (standalone)  keep-monthly 2026-11}) and the counts.
     */
    public static List<String> table(Plan p) {
        List<String> lines = new ArrayList<>();
        lines.add("policy: " + p.policy().summary());
        if (p.refused()) {
            lines.add("REFUSED: " + p.refusal());
        }
        int id = width(p, d -> d.backupId());
        int st = width(p, d -> d.status().name());
        int vd = width(p, d -> d.verdict().text());
        for (Decision d : p.decisions()) {
            lines.add(pad(d.backupId(), id) + "  " + LOCAL.format(d.end().atZone(p.policy().zone())) + "  "
                    + pad(d.status().name(), st) + "  " + pad(d.verdict().text(), vd) + "  "
                    + d.reasons().stream().filter(r -> r.rule() != Reason.Rule.REFUSED) // said once, above
                    .map(Reason::text).collect(Collectors.joining("; ")));
        }
        lines.add(p.decisions().size() + " backups: " + p.count(Verdict.KEEP) + " keep, "
                + p.count(Verdict.KEEP_STANDALONE) + " keep (standalone), " + p.count(Verdict.DELETE) + " delete, "
                + p.count(Verdict.RELEASE_AND_KEEP) + " release and keep, " + p.count(Verdict.RELEASE_AND_DELETE)
                + " release and delete" + (p.refused() ? " (refused: nothing is done)" : ""));
        return lines;
    }

    /** The plan as JSON (the shape above). */
    public static ObjectNode json(Plan p) {
        ObjectNode o = MAPPER.createObjectNode();
        RetentionPolicy pol = p.policy();
        o.put("now", p.now().toString());
        o.put("zone", pol.zone().getId());
        ObjectNode po = o.putObject("policy");
        po.put("recoveryWindow", pol.recoveryWindow().isPresent() ? pol.windowText() : null);
        if (pol.recoveryWindow().isPresent()) {
            po.put("recoveryWindowSeconds", pol.recoveryWindow().get().getSeconds());
        } else {
            po.putNull("recoveryWindowSeconds");
        }
        po.put("keepDaily", pol.keepDaily());
        po.put("keepWeekly", pol.keepWeekly());
        po.put("keepMonthly", pol.keepMonthly());
        po.put("keepYearly", pol.keepYearly());
        po.put("minimumRedundancy", pol.minimumRedundancy());
        po.put("maxDeletesPerRun", pol.maxDeletesPerRun());
        o.put("refused", p.refused());
        o.put("refusal", p.refused() ? p.refusal() : null);
        ObjectNode counts = o.putObject("counts");
        counts.put("keep", p.count(Verdict.KEEP));
        counts.put("keepStandalone", p.count(Verdict.KEEP_STANDALONE));
        counts.put("delete", p.count(Verdict.DELETE));
        counts.put("releaseAndKeep", p.count(Verdict.RELEASE_AND_KEEP));
        counts.put("releaseAndDelete", p.count(Verdict.RELEASE_AND_DELETE));
        ArrayNode backups = o.putArray("backups");
        for (Decision d : p.decisions()) {
            ObjectNode b = backups.addObject();
            b.put("backupId", d.backupId());
            b.put("end", d.end().toString());
            b.put("endLocal", d.end().atZone(pol.zone()).toOffsetDateTime().toString());
            b.put("status", d.status().name());
            b.put("verdict", d.verdict().word());
            ArrayNode rs = b.putArray("reasons");
            for (Reason r : d.reasons()) {
                rs.addObject().put("rule", r.rule().word()).put("text", r.text());
            }
        }
        return o;
    }

    private static int width(Plan p, java.util.function.Function<Decision, String> f) {
        return p.decisions().stream().mapToInt(d -> f.apply(d).length()).max().orElse(0);
    }

    private static String pad(String s, int w) {
        return s.length() >= w ? s : s + " ".repeat(w - s.length());
    }
}
