package io.barmand.barman;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.barmand.barman.BarmanClient.Call;
import io.barmand.barman.BarmanRecords.BackupDetails;
import io.barmand.barman.BarmanRecords.BackupOutcome;
import io.barmand.barman.BarmanRecords.BackupSummary;
import io.barmand.barman.BarmanRecords.CheckItem;
import io.barmand.barman.BarmanRecords.CheckReport;
import io.barmand.barman.BarmanRecords.Messages;
import io.barmand.barman.BarmanRecords.ReplicationStatus;
import io.barmand.barman.BarmanRecords.ServerPaths;
import io.barmand.barman.BarmanRecords.ServerStatus;
import io.barmand.barman.BarmanRecords.StreamingClient;
import io.barmand.config.Names;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.process.CommandResult;
import io.barmand.process.CommandRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Barman's JSON ({@code barman -f json ...}) read into {@link BarmanRecords}: the output of a call parsed, or its
 * problem in the admin's words (no output, not JSON, too large), and one parser per command. Pure: no call, no file.
 */
final class BarmanJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BarmanJson() {
    }

    /** Barman's JSON, read from the stream of its output (never one string of it); null when there is none. */
    static JsonNode readJson(java.io.InputStream in) throws IOException {
        JsonNode n = JSON.readTree(in);
        return n == null || n.isMissingNode() ? null : n;
    }

    /** The JSON a reader made of the whole output; the same errors as {@link #parse(CommandResult, String)}. */
    static JsonNode parse(CommandRunner.Read<JsonNode> read, String what) {
        CommandResult r = read.result();
        if (read.value() != null) {
            return read.value();
        }
        if (read.problem() == null) {
            return parse(r, what); // no output: its words
        }
        if (r.stdout().isBlank()) {
            return parse(r, what);
        }
        if (read.tooLarge()) {
            throw new BarmandException(Category.JOB_FAILED, what + ": " + read.problem() + " (exit code " + r.exitCode()
                    + "), not read: " + abbreviate(r.stdout().strip(), 200));
        }
        throw new BarmandException(Category.JOB_FAILED, what + ": output is not JSON (exit code " + r.exitCode() + "): "
                + abbreviate(r.stdout().strip(), 200));
    }

    static JsonNode parse(CommandResult r, String what) {
        String out = r.stdout().strip();
        if (out.isEmpty()) {
            String tail = r.stderrTail().strip();
            throw new BarmandException(r.exitCode() == 0 ? Category.INTERNAL : Category.JOB_FAILED,
                    what + ": no JSON output, exit code " + r.exitCode() + (tail.isEmpty() ? "" : ": " + lastLine(tail)));
        }
        try {
            return JSON.readTree(out);
        } catch (IOException e) {
            throw new BarmandException(Category.JOB_FAILED, what + ": output is not JSON (exit code " + r.exitCode() + "): "
                    + abbreviate(out, 200));
        }
    }

    static Messages messages(JsonNode json) {
        return new Messages(strings(json.get("_INFO")), strings(json.get("_WARNING")), strings(json.get("_ERROR")));
    }

    private static List<String> strings(JsonNode n) {
        List<String> l = new ArrayList<>();
        if (n != null && n.isArray()) {
            n.forEach(x -> l.add(x.asText()));
        }
        return List.copyOf(l);
    }

    static CheckReport parseCheck(String server, JsonNode json) {
        Map<String, CheckItem> items = new LinkedHashMap<>();
        JsonNode s = json.get(server);
        if (s != null && s.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = s.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = e.getValue();
                items.put(e.getKey(), new CheckItem(e.getKey(), "OK".equalsIgnoreCase(v.path("status").asText()),
                        v.path("hint").asText("")));
            }
        }
        return new CheckReport(server, items, messages(json));
    }

    static BackupOutcome parseBackup(Call c) {
        JsonNode j = c.json();
        String id = text(j, "backup_id");
        if (id != null) {
            Names.backupId(id, "barman backup");
        }
        String status = text(j, "status");
        String error = text(j, "error");
        if (error == null && !c.ok()) {
            error = c.error();
        }
        return new BackupOutcome(id, status, error, c.messages());
    }

    static BackupDetails parseShowBackup(String server, JsonNode json) {
        JsonNode s = json.path(server);
        JsonNode b = s.path("base_backup_information");
        String id = s.path("backup_id").asText(null);
        if (id != null) {
            Names.backupId(id, "barman show-backup " + server);
        }
        return new BackupDetails(id, s.path("status").asText(null),
                b.path("disk_usage_bytes").asLong(0), b.path("disk_usage_with_wals_bytes").asLong(0),
                b.path("copy_time_seconds").asDouble(0), Math.round(b.path("throughput_bytes").asDouble(0)),
                b.path("begin_time").asText(null), b.path("end_time").asText(null));
    }

    static ServerPaths parseServerPaths(String server, JsonNode json) {
        JsonNode s = json.path(server);
        String base = s.path("basebackups_directory").asText("");
        String wals = s.path("wals_directory").asText("");
        if (base.isEmpty() || wals.isEmpty()) {
            throw new BarmandException(Category.JOB_FAILED, "barman show-servers " + server
                    + ": no basebackups_directory / wals_directory in its output");
        }
        return new ServerPaths(Path.of(base), Path.of(wals));
    }

    static List<BackupSummary> parseListBackups(String server, JsonNode json) {
        List<BackupSummary> l = new ArrayList<>();
        for (JsonNode b : json.path(server)) {
            l.add(new BackupSummary(Names.backupId(b.path("backup_id").asText(), "barman list-backups " + server), b.path("status").asText(),
                    b.path("end_time_timestamp").asLong(0), b.path("size_bytes").asLong(0)));
        }
        return List.copyOf(l);
    }

    static ServerStatus parseStatus(String server, JsonNode json) {
        Map<String, String> m = new LinkedHashMap<>();
        json.path(server).fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().path("message").asText()));
        return new ServerStatus(server, Map.copyOf(m));
    }

    static ReplicationStatus parseReplicationStatus(String server, JsonNode json) {
        JsonNode s = json.path(server);
        List<StreamingClient> clients = new ArrayList<>();
        for (JsonNode c : s.path("streaming_clients")) {
            clients.add(new StreamingClient(c.path("application_name").asText(null), c.path("current_state").asText(null),
                    c.path("replication_slot").asText(null), c.path("user_name").asText(null)));
        }
        return new ReplicationStatus(server, s.path("server_lsn").asText(null), List.copyOf(clients));
    }

    private static String text(JsonNode j, String f) {
        JsonNode n = j.get(f);
        return n == null || n.isNull() ? null : n.asText();
    }

    static String lastLine(String s) {
        String[] lines = s.strip().split("\n");
        return abbreviate(lines[lines.length - 1].strip(), 300);
    }

    static String abbreviate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n) + "...";
    }

    static String seconds(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }
}
