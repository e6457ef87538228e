package io.barmand.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * An alert or a "recovered", as a webhook receives it: the typed fields of the problem, and the words of its mail.
 *
 * @param event "alert" or "recovered"
 * @param host the host's name (report.host-name)
 * @param server the server, empty for a problem of the host (the history store)
 * @param key what is wrong, stable while it lasts: "backup", "backup-age", "missed-backup", "wal-age", ...
 * @param job the job kind it is about ("backup", "restore-test", ...), when it is about one
 * @param severity "CRITICAL" or "WARNING" (for "recovered": what it was)
 * @param label "pg1 backup", as in the subject
 * @param problem the whole sentence: "backup failed (run 41, ...): barman backup exited 1: ..."
 * @param since when the problem began
 * @param at when this event was made (the alert's evaluation; for "recovered", when it was seen cleared)
 * @param run the failed run it comes from, when it comes from one
 * @param subject the mail's subject
 * @param text the mail's text (the first lines of which a Slack message carries)
 */
public record Event(String event, String host, String server, String key, Optional<String> job, String severity,
                    String label, String problem, Instant since, Instant at, OptionalLong run, String subject, String text) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Slack's incoming-webhook body: {@code {"text": SUBJECT\nFIRST PARAGRAPH OF THE MAIL}}. */
    public byte[] slack() {
        int cut = text.indexOf("\n\n");
        String first = (cut < 0 ? text : text.substring(0, cut)).strip();
        return bytes(JSON.createObjectNode().put("text", subject + "\n" + first));
    }

    /** The JSON document (docs/alerts.md): every field typed, absent ones null. */
    public byte[] json() {
        ObjectNode o = JSON.createObjectNode();
        o.put("event", event).put("host", host);
        if (server.isEmpty()) {
            o.putNull("server");
        } else {
            o.put("server", server);
        }
        o.put("key", key);
        if (job.isPresent()) {
            o.put("job", job.get());
        } else {
            o.putNull("job");
        }
        o.put("severity", severity).put("label", label).put("problem", problem).put("since", since.toString())
                .put("at", at.toString());
        if (run.isPresent()) {
            o.put("run", run.getAsLong());
        } else {
            o.putNull("run");
        }
        o.put("subject", subject);
        return bytes(o);
    }

    private static byte[] bytes(ObjectNode o) {
        try {
            return JSON.writeValueAsString(o).getBytes(StandardCharsets.UTF_8);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
