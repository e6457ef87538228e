package io.barmand.history;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The JSON shape of a run (docs/CONTRACTS.md), written by `history --json` and the control socket. */
public final class RunJson {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private RunJson() {
    }

    public static ObjectNode toJson(RunRecord r) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("id", r.id());
        o.put("server", r.server());
        o.put("job", r.job());
        o.put("trigger", r.trigger().word());
        o.put("started", r.started().toString());
        o.put("ended", r.ended() == null ? null : r.ended().toString());
        o.put("outcome", r.outcome().word());
        o.put("durationMs", r.durationMs());
        o.put("backupId", r.backupId());
        o.put("sizeBytes", r.sizeBytes());
        o.put("throughputBytesPerSec", r.throughputBytesPerSec());
        ArrayNode fc = o.putArray("failedChecks");
        r.failedChecks().forEach(fc::add);
        o.put("error", r.error());
        o.put("detail", r.detail());
        o.put("requested", r.requested().toString());
        o.put("waitedMs", r.waitedMs());
        o.put("attempt", r.attempt());
        o.set("facts", r.facts().toJson());
        return o;
    }

    public static ArrayNode toJson(List<RunRecord> runs) {
        ArrayNode a = MAPPER.createArrayNode();
        runs.forEach(r -> a.add(toJson(r)));
        return a;
    }

    public static RunRecord fromJson(JsonNode o) {
        List<String> fc = new ArrayList<>();
        o.path("failedChecks").forEach(n -> fc.add(n.asText()));
        return new RunRecord(o.path("id").asLong(), o.path("server").asText(), o.path("job").asText(),
                Trigger.of(o.path("trigger").asText()), Instant.parse(o.path("started").asText()),
                o.path("ended").isNull() || o.path("ended").isMissingNode() ? null : Instant.parse(o.path("ended").asText()),
                Outcome.of(o.path("outcome").asText()), longOrNull(o, "durationMs"), textOrNull(o, "backupId"),
                longOrNull(o, "sizeBytes"), longOrNull(o, "throughputBytesPerSec"), fc, textOrNull(o, "error"),
                textOrNull(o, "detail"),
                o.hasNonNull("requested") ? Instant.parse(o.path("requested").asText()) : null, longOrNull(o, "waitedMs"),
                o.path("attempt").asInt(1), Facts.fromJson(o.get("facts")));
    }

    private static Long longOrNull(JsonNode o, String f) {
        JsonNode n = o.get(f);
        return n == null || n.isNull() ? null : n.asLong();
    }

    private static String textOrNull(JsonNode o, String f) {
        JsonNode n = o.get(f);
        return n == null || n.isNull() ? null : n.asText();
    }
}
