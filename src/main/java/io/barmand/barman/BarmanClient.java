package io.barmand.barman;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import io.barmand.config.ServerCatalog;
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
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Barman through {@code barman -f json ...}, every call through the {@link CommandRunner}. */
public class BarmanClient implements ServerCatalog {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CommandRunner runner;
    private final Path binary;
    private final Optional<Path> configFile;

    public BarmanClient(CommandRunner runner, Path binary, Optional<Path> configFile) {
        this.runner = runner;
        this.binary = binary;
        this.configFile = configFile;
    }

    /** For validation: a client built from the values being validated. */
    public static ServerCatalog catalog(CommandRunner runner) {
        return (bin, cf, timeout) -> new BarmanClient(runner, bin, cf).listServers(timeout);
    }

    @Override
    public Set<String> knownServers(Path bin, Optional<Path> cf, Duration timeout) {
        return new BarmanClient(runner, bin, cf).listServers(timeout);
    }

    List<String> argv(String... args) {
        List<String> a = new ArrayList<>();
        a.add(binary.toString());
        configFile.ifPresent(f -> {
            a.add("-c");
            a.add(f.toString());
        });
        a.add("-f");
        a.add("json");
        a.addAll(List.of(args));
        return a;
    }

    /** A Barman call and what it printed; a JSON parse problem or a killed command is an exception. */
    public record Call(CommandResult result, JsonNode json, Messages messages) {
        public boolean ok() {
            return result.ok() && messages.errors().isEmpty();
        }

        public String error() {
            if (messages.firstError() != null) {
                return String.join("; ", messages.errors());
            }
            String tail = result.stderrTail().strip();
            return "exit code " + result.exitCode() + (tail.isEmpty() ? "" : ": " + lastLine(tail));
        }
    }

    Call call(Duration timeout, String... args) {
        CommandRunner.Read<JsonNode> read = runner.run(argv(args), timeout, null, BarmanClient::readJson);
        CommandResult r = read.result();
        // in messages as an admin would type it, without the "--" that ends the options
        String what = "barman " + String.join(" ", java.util.Arrays.stream(args).filter(x -> !x.equals("--")).toList());
        if (r.interrupted()) {
            throw new BarmandException(Category.INTERRUPTED, what + " interrupted (daemon stopping): killed after "
                    + seconds(r.duration()));
        }
        if (r.timedOut()) {
            throw new BarmandException(Category.TIMEOUT, what + " ran past its timeout of " + seconds(timeout) + ": killed");
        }
        JsonNode json = parse(read, what);
        return new Call(r, json, messages(json));
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

    public Set<String> listServers(Duration timeout) {
        Call c = call(timeout, "list-servers");
        if (!c.ok()) {
            throw new BarmandException(Category.UNAVAILABLE, "barman list-servers failed: " + c.error());
        }
        Set<String> names = new TreeSet<>();
        c.json().fieldNames().forEachRemaining(f -> {
            if (!f.startsWith("_")) {
                names.add(f);
            }
        });
        return names;
    }

    public CheckReport check(String server, Duration timeout) {
        Call c = call(timeout, "check", "--", server);
        return parseCheck(server, c.json());
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

    /** `switch-wal --archive [--force] --archive-timeout N SERVER`. */
    public Call switchWal(String server, boolean force, Duration archiveTimeout, Duration timeout) {
        List<String> a = new ArrayList<>(List.of("switch-wal"));
        if (force) {
            a.add("--force");
        }
        a.add("--archive");
        a.add("--archive-timeout");
        a.add(Long.toString(Math.max(1, archiveTimeout.toSeconds())));
        a.add("--");
        a.add(server);
        return call(timeout, a.toArray(String[]::new));
    }

    /** `backup --wait SERVER`. */
    public BackupOutcome backup(String server, Duration timeout) {
        Call c = call(timeout, "backup", "--wait", "--", server);
        return parseBackup(c);
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

    public BackupDetails showBackup(String server, String backupId, Duration timeout) {
        Names.backupId(backupId, "barman show-backup " + server);
        Call c = call(timeout, "show-backup", "--", server, backupId);
        if (!c.ok()) {
            throw new BarmandException(Category.JOB_FAILED, "barman show-backup " + server + " " + backupId + ": " + c.error());
        }
        return parseShowBackup(server, c.json());
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

    /** Where Barman keeps the server's backups and WAL ({@code show-servers}); the paths are never guessed. */
    public ServerPaths serverPaths(String server, Duration timeout) {
        Call c = call(timeout, "show-servers", "--", server);
        if (!c.ok()) {
            throw new BarmandException(Category.JOB_FAILED, "barman show-servers " + server + " failed: " + c.error());
        }
        return parseServerPaths(server, c.json());
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

    /**
     * When Barman archived the newest WAL file of each server: the last line of its WAL catalogue (WALS/xlog.db,
     * "name size time compression", appended as files are archived). The paths come from {@code show-servers} once
     * per server; empty when unknown. Never throws.
     */
    public java.util.function.Function<String, Optional<java.time.Instant>> walClock(Duration timeout) {
        java.util.function.Function<String, Optional<ServerPaths>> paths = paths(timeout);
        return server -> paths.apply(server).flatMap(p -> newestArchivedWal(p.wals().resolve("xlog.db")));
    }

    /**
     * Where Barman keeps each server's backups and WAL, from one {@code show-servers all} at the first call (again
     * for a server it did not list); empty when unknown. Never throws.
     */
    private volatile java.util.function.Function<String, Optional<ServerPaths>> knownPaths;

    /** One {@link #paths} for this client, made at the first use. */
    private java.util.function.Function<String, Optional<ServerPaths>> knownPaths() {
        return paths(Duration.ofMinutes(1));
    }

    /** The folders of each server, one cache for the client (the first caller's timeout bounds show-servers). */
    public java.util.function.Function<String, Optional<ServerPaths>> paths(Duration timeout) {
        if (knownPaths == null) {
            synchronized (this) {
                if (knownPaths == null) {
                    knownPaths = newPaths(timeout);
                }
            }
        }
        return knownPaths;
    }

    private java.util.function.Function<String, Optional<ServerPaths>> newPaths(Duration timeout) {
        Map<String, ServerPaths> known = new java.util.concurrent.ConcurrentHashMap<>();
        long[] loaded = {Long.MIN_VALUE};
        return server -> {
            synchronized (known) {
                // one `show-servers all` for every server; a server it did not list is asked again after 10 minutes
                if (!known.containsKey(server) && (loaded[0] == Long.MIN_VALUE
                        || System.nanoTime() - loaded[0] > java.util.concurrent.TimeUnit.MINUTES.toNanos(10))) {
                    loaded[0] = System.nanoTime();
                    try {
                        Call c = call(timeout, "show-servers", "--", "all");
                        if (c.ok()) {
                            c.json().fieldNames().forEachRemaining(n -> {
                                if (!n.startsWith("_")) {
                                    try {
                                        known.put(n, parseServerPaths(n, c.json()));
                                    } catch (BarmandException e) {
                                        // a server without paths (inactive): unknown
                                    }
                                }
                            });
                        }
                    } catch (RuntimeException e) {
                        return Optional.empty();
                    }
                }
                return Optional.ofNullable(known.get(server));
            }
        };
    }

    /** The time of the last line of a Barman xlog.db; empty when there is none. */
    static Optional<java.time.Instant> newestArchivedWal(Path xlogDb) {
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(xlogDb.toFile(), "r")) {
            long len = f.length();
            int n = (int) Math.min(len, 8192);
            byte[] b = new byte[n];
            f.seek(len - n);
            f.readFully(b);
            String[] lines = new String(b, java.nio.charset.StandardCharsets.UTF_8).strip().split("\n");
            String[] cols = lines[lines.length - 1].split("\t");
            if (cols.length < 3) {
                return Optional.empty();
            }
            double t = Double.parseDouble(cols[2]);
            return Optional.of(java.time.Instant.ofEpochMilli(Math.round(t * 1000)));
        } catch (java.io.IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * {@code barman verify-backup}: pg_verifybackup of Barman's copy against its backup_manifest. Returns the
     * problems Barman names (empty when verified).
     */
    public List<String> verifyBackup(String server, String backupId, Duration timeout) {
        Names.backupId(backupId, "barman verify-backup " + server);
        Call c = call(timeout, "verify-backup", "--", server, backupId);
        if (c.ok()) {
            return List.of();
        }
        List<String> p = new ArrayList<>();
        for (String e : c.messages().errors()) {
            for (String l : e.strip().split("\n")) {
                String t = l.strip().replaceFirst("^pg_verifybackup: error: ", "");
                if (!t.isEmpty() && !t.startsWith("verify backup failure on directory")) {
                    p.add(t);
                }
            }
        }
        if (p.isEmpty()) {
            p.add(c.error());
        }
        return List.copyOf(p);
    }

    /**
     * A backup's keep as Barman has it.
     *
     * @param target "full", "standalone" or "nokeep"
     * @param since  when Barman wrote it (its annotation file's modification time), when the folder reads: each
     *               {@code barman keep --target} rewrites it, so a keep taken again by hand has a later time
     */
    public record Keep(String target, Optional<java.time.Instant> since) {
        public boolean kept() {
            return !target.equals("nokeep");
        }
    }

    /**
     * A backup's keep: "full", "standalone" or "nokeep". Read from Barman's own annotation of the backup
     * (BASEBACKUPS/ID/annotations/keep, what {@code barman keep --status} reads) when the server's folders are known,
     * since each barman command costs a Python start; otherwise {@code barman keep --status}.
     */
    public String keepStatus(String server, String backupId, Duration timeout) {
        return keepOf(server, backupId, timeout).target();
    }

    /** A backup's keep and when Barman wrote it ({@link #keepStatus}, with the annotation's time when it reads). */
    public Keep keepOf(String server, String backupId, Duration timeout) {
        Names.backupId(backupId, "barman keep --status " + server);
        Optional<ServerPaths> p = knownPaths().apply(server);
        if (p.isPresent()) {
            Path dir = p.get().basebackups().resolve(backupId);
            if (java.nio.file.Files.isDirectory(dir)) {
                Path keep = dir.resolve("annotations").resolve("keep");
                try {
                    if (!java.nio.file.Files.exists(keep)) {
                        return new Keep("nokeep", Optional.empty());
                    }
                    java.time.Instant since = java.nio.file.Files.getLastModifiedTime(keep).toInstant();
                    String t = java.nio.file.Files.readString(keep).strip();
                    if (t.equals("full") || t.equals("standalone")) {
                        return new Keep(t, Optional.of(since));
                    }
                } catch (IOException e) {
                    // below: Barman says
                }
            }
        }
        Call c = call(timeout, "keep", "--status", "--", server, backupId);
        if (!c.ok()) {
            throw new BarmandException(Category.JOB_FAILED, "barman keep --status " + server + " " + backupId + ": " + c.error());
        }
        String m = c.json().path(server).path("keep_status").path("message").asText("");
        if (m.isEmpty()) {
            throw new BarmandException(Category.JOB_FAILED, "barman keep --status " + server + " " + backupId
                    + ": no keep_status in its output: " + abbreviate(c.json().toString(), 200));
        }
        return new Keep(m, Optional.empty());
    }

    /** {@code barman keep --target TARGET}: the backup is kept from retention (full: with all its WAL). */
    public void keep(String server, String backupId, String target, Duration timeout) {
        Names.backupId(backupId, "barman keep " + server);
        Call c = call(timeout, "keep", "--target", target, "--", server, backupId);
        if (!c.ok()) {
            throw new BarmandException(Category.JOB_FAILED, "barman keep --target " + target + " " + server + " " + backupId
                    + ": " + c.error());
        }
    }

    /**
     * {@code barman delete SERVER ID}, through {@code barman.binary} like every other Barman call (a wrapper there
     * sees it). Barman refuses a kept backup and one its minimum_redundancy protects ("Skipping delete", exit 0):
     * an error here. Barman 3.4 removes the WAL the backup alone needed, up to the next backup's begin, only when
     * no backup older than it remains or when every older one is keep:standalone and the caller is its retention
     * ({@code barman cron}): {@code barman delete} keeps every WAL while an older keep:standalone backup exists
     * (backup.py {@code should_remove_wals}, {@code skip_wal_cleanup_if_standalone=True}); see docs/retention.md.
     */
    public void delete(String server, String backupId, Duration timeout) {
        Names.backupId(backupId, "barman delete " + server);
        Call c = call(timeout, "delete", "--", server, backupId);
        if (!c.ok()) {
            throw new BarmandException(Category.JOB_FAILED, "barman delete " + server + " " + backupId + ": " + c.error());
        }
        for (String w : c.messages().warnings()) {
            if (w.contains("Skipping delete")) {
                throw new BarmandException(Category.JOB_FAILED, "barman delete " + server + " " + backupId
                        + " deleted nothing: " + w);
            }
        }
    }

    /**
     * Barman's own {@code retention_policy} of the server ({@code show-servers}), empty when none is set: barmand's
     * retention needs it empty, or {@code barman cron} deletes what barmand's tiers keep.
     */
    public Optional<String> retentionPolicy(String server, Duration timeout) {
        Call c = call(timeout, "show-servers", "--", server);
        if (!c.ok()) {
            throw new BarmandException(Category.JOB_FAILED, "barman show-servers " + server + ": " + c.error());
        }
        JsonNode p = c.json().path(server).path("retention_policy");
        return p.isMissingNode() || p.isNull() || p.asText("").isBlank() || p.asText("").equalsIgnoreCase("none")
                ? Optional.empty() : Optional.of(p.asText());
    }

    /** {@code barman keep --release}: retention applies to the backup again. */
    public void releaseKeep(String server, String backupId, Duration timeout) {
        Names.backupId(backupId, "barman keep --release " + server);
        Call c = call(timeout, "keep", "--release", "--", server, backupId);
        if (!c.ok()) {
            throw new BarmandException(Category.JOB_FAILED, "barman keep --release " + server + " " + backupId + ": " + c.error());
        }
    }

    /**
     * The newest DONE backup of the server read from Barman's own files, without a Python start of Barman (about
     * 0.35 s): the highest backup id under BASEBACKUPS whose {@code backup.info} says {@code status=DONE}. Its size
     * with WALs counts every WAL file Barman archived from the backup's begin_wal on (WALS/xlog.db): what a
     * recovery to the end of the archive copies. Empty when the folders are not known or a file does not read as
     * expected: then ask Barman ({@link #showBackup}).
     */
    public Optional<BackupDetails> newestDoneOnDisk(String server) {
        Optional<ServerPaths> p = knownPaths().apply(server);
        if (p.isEmpty()) {
            return Optional.empty();
        }
        try (java.util.stream.Stream<Path> ls = java.nio.file.Files.list(p.get().basebackups())) {
            List<Path> dirs = ls.filter(d -> d.getFileName().toString().matches("[0-9]{8}T[0-9]{6}"))
                    .sorted(java.util.Comparator.comparing((Path d) -> d.getFileName().toString()).reversed()).toList();
            for (Path d : dirs) {
                BackupInfo info = BackupInfo.read(d.resolve("backup.info"));
                if (!"DONE".equals(info.status())) {
                    continue;
                }
                long size = Long.parseLong(info.get("size"));
                String beginWal = info.beginWal();
                if (beginWal == null || !beginWal.matches("[0-9A-F]{24}")) {
                    return Optional.empty();
                }
                long wals = walBytesFrom(p.get().wals().resolve("xlog.db"), beginWal);
                return Optional.of(new BackupDetails(d.getFileName().toString(), "DONE", size, size + wals, 0, 0,
                        info.beginTime(), info.endTime()));
            }
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // not as expected: Barman says
        }
    }

    /** The bytes of the WAL files Barman's catalogue (WALS/xlog.db) lists for the server; empty when unknown. */
    public Optional<Long> archivedWalBytes(String server) {
        try {
            Optional<ServerPaths> p = knownPaths().apply(server);
            return p.isEmpty() ? Optional.empty()
                    : Optional.of(walBytesFrom(p.get().wals().resolve("xlog.db"), "000000000000000000000000"));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The bytes of the WAL files in a Barman xlog.db ("name size time compression") from {@code firstWal} on. */
    static long walBytesFrom(Path xlogDb, String firstWal) throws IOException {
        if (!java.nio.file.Files.exists(xlogDb)) {
            return 0;
        }
        long n = 0;
        try (java.io.BufferedReader r = java.nio.file.Files.newBufferedReader(xlogDb)) {
            for (String l; (l = r.readLine()) != null; ) {
                String[] f = l.split("\t");
                // segment names sort as their order; history and .partial files are not segments
                if (f.length >= 2 && f[0].length() >= 24 && f[0].substring(0, 24).compareTo(firstWal) >= 0
                        && f[0].matches("[0-9A-F]{24}(\\.[0-9A-F]{8}\\.backup)?")) {
                    n += Long.parseLong(f[1]);
                }
            }
        }
        return n;
    }

    /** The newest DONE backup of the server, from {@code list-backups}. */
    public Optional<String> newestDone(String server, Duration timeout) {
        return listBackups(server, timeout).stream().filter(b -> "DONE".equals(b.status()))
                .map(BackupSummary::backupId).max(String::compareTo);
    }

    /**
     * {@code barman recover [OPTIONS] SERVER BACKUP_ID DEST} of the request: its result as it is (the caller names
     * what failed), on Barman's console output, not JSON. Interrupted and timed-out runs come back as such (the
     * command was killed).
     */
    public CommandResult recover(RecoverRequest request, Duration timeout) {
        return recover(request.server(), request.backupId(), request.destination(), request.options(), timeout);
    }

    /** {@code barman recover} with these options as they are ({@link #recover(RecoverRequest, Duration)}). */
    CommandResult recover(String server, String backupId, Path dest, List<String> options, Duration timeout) {
        List<String> a = new ArrayList<>();
        a.add(binary.toString());
        configFile.ifPresent(f -> {
            a.add("-c");
            a.add(f.toString());
        });
        Names.backupId(backupId, "barman recover " + server);
        a.add("recover");
        a.addAll(options);
        a.add("--");
        a.add(server);
        a.add(backupId);
        a.add(dest.toString());
        return runner.run(a, timeout);
    }

    public List<BackupSummary> listBackups(String server, Duration timeout) {
        Call c = call(timeout, "list-backups", "--", server);
        if (!c.ok()) {
            throw new BarmandException(Category.JOB_FAILED, "barman list-backups " + server + ": " + c.error());
        }
        return parseListBackups(server, c.json());
    }

    /**
     * When a backup began, in Barman's own words with its offset: {@code begin_time} of its backup.info (read from
     * disk when the server's folders are known), else {@code begin_time_timestamp} of {@code show-backup}; empty
     * when Barman knows none. For a backup without an end ({@code list-backups} gives an end only to DONE and
     * WAITING_FOR_WALS ones): its id is the begin on the Barman host's clock in the host's zone, which barmand does
     * not know, so the id is never read as a time.
     */
    public Optional<java.time.Instant> beginTime(String server, String backupId, Duration timeout) {
        Names.backupId(backupId, "barman show-backup " + server);
        Optional<ServerPaths> p = knownPaths().apply(server);
        if (p.isPresent()) {
            Path info = p.get().basebackups().resolve(backupId).resolve("backup.info");
            try {
                if (java.nio.file.Files.isRegularFile(info)) {
                    String t = BackupInfo.read(info).beginTime();
                    if (t != null && !t.isBlank() && !t.equals("None")) {
                        return Optional.of(BackupInfo.time(t));
                    }
                }
            } catch (IOException | java.time.DateTimeException e) {
                // below: Barman says
            }
        }
        Call c = call(timeout, "show-backup", "--", server, backupId);
        if (!c.ok()) {
            return Optional.empty();
        }
        long t = c.json().path(server).path("base_backup_information").path("begin_time_timestamp").asLong(0);
        return t > 0 ? Optional.of(java.time.Instant.ofEpochSecond(t)) : Optional.empty();
    }

    static List<BackupSummary> parseListBackups(String server, JsonNode json) {
        List<BackupSummary> l = new ArrayList<>();
        for (JsonNode b : json.path(server)) {
            l.add(new BackupSummary(Names.backupId(b.path("backup_id").asText(), "barman list-backups " + server), b.path("status").asText(),
                    b.path("end_time_timestamp").asLong(0), b.path("size_bytes").asLong(0)));
        }
        return List.copyOf(l);
    }

    /**
     * What Barman holds for the server ({@link BarmanCatalogue}): {@code list-backups}, {@code show-servers} (its
     * retention_policy and WAL folder, whose xlog.db gives the WAL range) and, when there is a DONE backup,
     * {@code show-backup} of the oldest for its begin. Three Python starts of Barman. A failed call is an exception.
     */
    public BarmanCatalogue catalogue(String server, Duration timeout) {
        List<BackupSummary> backups = listBackups(server, timeout);
        Call ss = call(timeout, "show-servers", "--", server);
        if (!ss.ok()) {
            throw new BarmandException(Category.JOB_FAILED, "barman show-servers " + server + ": " + ss.error());
        }
        Optional<BarmanCatalogue.WalRange> wal;
        try {
            wal = BarmanCatalogue.walRange(parseServerPaths(server, ss.json()).wals().resolve("xlog.db"));
        } catch (BarmandException e) {
            wal = Optional.empty();
        }
        BarmanCatalogue partial = new BarmanCatalogue(server, backups, Optional.empty(),
                BarmanCatalogue.retentionPolicyOf(server, ss.json()), wal);
        Optional<java.time.Instant> begin = Optional.empty();
        Optional<BackupSummary> oldest = partial.oldestDone();
        if (oldest.isPresent()) {
            // its begin from Barman's backup.info when the folder reads (no Python start), else show-backup
            try {
                BackupInfo info = BackupInfo.read(parseServerPaths(server, ss.json()).basebackups()
                        .resolve(oldest.get().backupId()).resolve("backup.info"));
                begin = Optional.ofNullable(info.beginTime()).map(BackupInfo::time);
            } catch (IOException | RuntimeException e) {
                begin = Optional.empty();
            }
        }
        if (oldest.isPresent() && begin.isEmpty()) {
            Call sb = call(timeout, "show-backup", "--", server, oldest.get().backupId());
            if (!sb.ok()) {
                throw new BarmandException(Category.JOB_FAILED, "barman show-backup " + server + " "
                        + oldest.get().backupId() + ": " + sb.error());
            }
            begin = BarmanCatalogue.beginOf(server, sb.json());
        }
        return new BarmanCatalogue(server, backups, begin, partial.retentionPolicy(), wal);
    }

    public ServerStatus status(String server, Duration timeout) {
        Call c = call(timeout, "status", "--", server);
        if (!c.ok()) {
            throw new BarmandException(Category.JOB_FAILED, "barman status " + server + ": " + c.error());
        }
        return parseStatus(server, c.json());
    }

    static ServerStatus parseStatus(String server, JsonNode json) {
        Map<String, String> m = new LinkedHashMap<>();
        json.path(server).fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().path("message").asText()));
        return new ServerStatus(server, Map.copyOf(m));
    }

    public ReplicationStatus replicationStatus(String server, Duration timeout) {
        Call c = call(timeout, "replication-status", "--", server);
        if (!c.ok()) {
            throw new BarmandException(Category.JOB_FAILED, "barman replication-status " + server + ": " + c.error());
        }
        return parseReplicationStatus(server, c.json());
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
