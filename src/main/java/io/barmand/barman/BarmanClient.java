package io.barmand.barman;

import com.fasterxml.jackson.databind.JsonNode;
import io.barmand.barman.BarmanRecords.BackupDetails;
import io.barmand.barman.BarmanRecords.BackupOutcome;
import io.barmand.barman.BarmanRecords.BackupSummary;
import io.barmand.barman.BarmanRecords.CheckReport;
import io.barmand.barman.BarmanRecords.Messages;
import io.barmand.barman.BarmanRecords.ReplicationStatus;
import io.barmand.barman.BarmanRecords.ServerPaths;
import io.barmand.barman.BarmanRecords.ServerStatus;
import io.barmand.config.Names;
import io.barmand.config.ServerCatalog;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.process.CommandResult;
import io.barmand.process.CommandRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static io.barmand.barman.BarmanJson.abbreviate;
import static io.barmand.barman.BarmanJson.lastLine;
import static io.barmand.barman.BarmanJson.messages;
import static io.barmand.barman.BarmanJson.parse;
import static io.barmand.barman.BarmanJson.parseBackup;
import static io.barmand.barman.BarmanJson.parseCheck;
import static io.barmand.barman.BarmanJson.parseListBackups;
import static io.barmand.barman.BarmanJson.parseReplicationStatus;
import static io.barmand.barman.BarmanJson.parseServerPaths;
import static io.barmand.barman.BarmanJson.parseShowBackup;
import static io.barmand.barman.BarmanJson.parseStatus;

/**
 * Barman, spoken in one place: every {@code barman} command (its argv and its call through the
 * {@link CommandRunner}, {@code -f json} read by {@link BarmanJson}) and what barmand asks of Barman. Where a Python
 * start of Barman per question would cost too much, the answer is read from Barman's own files first
 * ({@link BarmanFiles}: backup.info, keep annotations, xlog.db, the path cache), Barman asked when they do not read.
 */
public class BarmanClient implements ServerCatalog {
    private final CommandRunner runner;
    private final BarmanCommand command;
    private final BarmanFiles files;

    public BarmanClient(CommandRunner runner, Path binary, Optional<Path> configFile) {
        this.runner = runner;
        this.command = new BarmanCommand(runner, binary, configFile);
        this.files = new BarmanFiles(t -> {
            JsonNode recent = showServersAll;
            if (recent != null) {
                showServersAll = null; // once: a later reload of the path cache asks Barman again
                return Optional.of(recent); // asked a moment ago by catalogues(): not a second Python start
            }
            Call c = call(t, "show-servers", "--", "all");
            return c.ok() ? Optional.of(c.json()) : Optional.empty();
        });
    }

    /** The {@code show-servers all} that {@link #catalogues} asked for, taken by the path cache's first use. */
    private volatile JsonNode showServersAll;

    /** For validation: a client built from the values being validated. */
    public static ServerCatalog catalog(CommandRunner runner) {
        return (bin, cf, timeout) -> new BarmanClient(runner, bin, cf).listServers(timeout);
    }

    @Override
    public Set<String> knownServers(Path bin, Optional<Path> cf, Duration timeout) {
        return new BarmanClient(runner, bin, cf).listServers(timeout);
    }

    /** The argv of {@code barman -f json ARGS}. */
    List<String> argv(String... args) {
        return command.argv(args);
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
        return command.call(timeout, args);
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

    public BackupDetails showBackup(String server, String backupId, Duration timeout) {
        Names.backupId(backupId, "barman show-backup " + server);
        Call c = call(timeout, "show-backup", "--", server, backupId);
        if (!c.ok()) {
            throw new BarmandException(Category.JOB_FAILED, "barman show-backup " + server + " " + backupId + ": " + c.error());
        }
        return parseShowBackup(server, c.json());
    }

    /** Where Barman keeps the server's backups and WAL ({@code show-servers}); the paths are never guessed. */
    public ServerPaths serverPaths(String server, Duration timeout) {
        Call c = call(timeout, "show-servers", "--", server);
        if (!c.ok()) {
            throw new BarmandException(Category.JOB_FAILED, "barman show-servers " + server + " failed: " + c.error());
        }
        return parseServerPaths(server, c.json());
    }

    /**
     * When Barman archived the newest WAL file of each server: the last line of its WAL catalogue (WALS/xlog.db).
     * The folders come from {@code show-servers} once per server; empty when unknown. Never throws.
     */
    public java.util.function.Function<String, Optional<java.time.Instant>> walClock(Duration timeout) {
        return files.walClock(timeout);
    }

    /**
     * How far Barman can restore each server, read from its files ({@link RestorePoint}): the newest DONE backup, the
     * newest WAL, a gap in the chain. No Python start but the first {@code show-servers all} (the path cache).
     */
    public java.util.function.Function<String, RestorePoint> restorePoints(Duration timeout) {
        files.paths(timeout);
        return files::restorePoint;
    }

    /**
     * Where Barman keeps each server's backups and WAL, from one {@code show-servers all} at the first call (again
     * for a server it did not list), one cache for the client (the first caller's timeout bounds show-servers);
     * empty when unknown. Never throws.
     */
    public java.util.function.Function<String, Optional<ServerPaths>> paths(Duration timeout) {
        return files.paths(timeout);
    }

    /** The newest DONE backup as Barman's files have it ({@link BarmanFiles#newestDone}); empty: ask Barman. */
    Optional<BackupDetails> newestDoneOnDisk(String server) {
        return files.newestDone(server);
    }

    /** The bytes of the WAL files Barman's catalogue (WALS/xlog.db) lists for the server; empty when unknown. */
    public Optional<Long> archivedWalBytes(String server) {
        return files.archivedWalBytes(server);
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
        Optional<Keep> onDisk = files.keep(server, backupId);
        if (onDisk.isPresent()) {
            return onDisk.get();
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

    /**
     * Barman's own {@code retention_policy} of every server it knows, from one {@code show-servers all}: empty for a
     * server where none is set. A failed call is an exception.
     */
    public java.util.Map<String, Optional<String>> retentionPolicies(Duration timeout) {
        Call c = call(timeout, "show-servers", "--", "all");
        if (!c.ok()) {
            throw new BarmandException(Category.JOB_FAILED, "barman show-servers all: " + c.error());
        }
        java.util.Map<String, Optional<String>> out = new java.util.TreeMap<>();
        c.json().fieldNames().forEachRemaining(n -> {
            if (!n.startsWith("_")) {
                out.put(n, BarmanCatalogue.retentionPolicyOf(n, c.json()));
            }
        });
        return out;
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
     * The newest DONE backup of the server with its sizes, ended at {@code endedBy} or before when given: what a
     * restore test or {@code barmand restore} of "latest" recovers. Barman's {@code list-backups} is the catalogue;
     * without {@code endedBy} it is read from Barman's files first ({@link BarmanFiles#newestDone}: a restore test
     * pays no Python start for its lookup, bench/restore-test), then asked of Barman in one call ({@code show-backup
     * latest}, Barman resolving "latest" itself), then from {@code list-backups} when Barman's latest is not DONE.
     * Empty when no DONE backup (ended by then) is listed.
     */
    public Optional<BackupDetails> newestDoneBackup(String server, Optional<java.time.Instant> endedBy,
                                                    java.util.function.Supplier<Duration> timeLeft) {
        if (endedBy.isEmpty()) {
            Optional<BackupDetails> onDisk = files.newestDone(server);
            if (onDisk.isPresent()) {
                return onDisk;
            }
            try {
                BackupDetails latest = showBackup(server, "latest", timeLeft.get());
                if ("DONE".equals(latest.status()) && latest.backupId() != null) {
                    return Optional.of(latest);
                }
            } catch (BarmandException e) {
                if (e.category() != Category.JOB_FAILED) {
                    throw e;
                }
                // no backup at all, or Barman's latest is not DONE: the list below says which
            }
        }
        Optional<BackupSummary> newest = listBackups(server, timeLeft.get()).stream()
                .filter(b -> "DONE".equals(b.status()))
                .filter(b -> endedBy.isEmpty() || b.endTimeEpoch() <= endedBy.get().getEpochSecond())
                .max(java.util.Comparator.comparing(BackupSummary::backupId));
        return newest.isEmpty() ? Optional.empty() : Optional.of(showBackup(server, newest.get().backupId(), timeLeft.get()));
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
        return command.recover(server, backupId, dest, options, timeout);
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
        Optional<java.time.Instant> onDisk = files.begin(server, backupId);
        if (onDisk.isPresent()) {
            return onDisk;
        }
        Call c = call(timeout, "show-backup", "--", server, backupId);
        if (!c.ok()) {
            return Optional.empty();
        }
        long t = c.json().path(server).path("base_backup_information").path("begin_time_timestamp").asLong(0);
        return t > 0 ? Optional.of(java.time.Instant.ofEpochSecond(t)) : Optional.empty();
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
        return catalogue(server, backups, ss.json(), timeout);
    }

    /** The catalogue from {@code list-backups} and {@code show-servers}' JSON (show-backup only when backup.info does not read). */
    private BarmanCatalogue catalogue(String server, List<BackupSummary> backups, JsonNode showServers, Duration timeout) {
        Optional<BarmanCatalogue.WalRange> wal;
        try {
            wal = BarmanCatalogue.walRange(parseServerPaths(server, showServers).wals().resolve("xlog.db"));
        } catch (BarmandException e) {
            wal = Optional.empty();
        }
        BarmanCatalogue partial = new BarmanCatalogue(server, backups, Optional.empty(),
                BarmanCatalogue.retentionPolicyOf(server, showServers), wal);
        Optional<java.time.Instant> begin = Optional.empty();
        Optional<BackupSummary> oldest = partial.oldestDone();
        if (oldest.isPresent()) {
            // its begin from Barman's backup.info when the folder reads (no Python start), else show-backup
            try {
                begin = BarmanFiles.begin(parseServerPaths(server, showServers), oldest.get().backupId());
            } catch (RuntimeException e) {
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

    /**
     * {@link #catalogue} of many servers at once: one {@code list-backups all} and one {@code show-servers all} (two
     * Python starts however many servers), the oldest DONE backup's begin read from its backup.info ({@code show-backup}
     * only for a server whose folder does not read). A server Barman's answers lack, or whose part is broken, maps to
     * an error in words; a failed {@code list-backups all} or {@code show-servers all} is an exception.
     */
    public java.util.Map<String, Catalogued> catalogues(java.util.Collection<String> servers, Duration timeout) {
        java.util.Map<String, Catalogued> out = new java.util.LinkedHashMap<>();
        if (servers.isEmpty()) {
            return out;
        }
        Call lb = call(timeout, "list-backups", "--", "all");
        if (!lb.ok()) {
            throw new BarmandException(Category.JOB_FAILED, "barman list-backups all: " + lb.error());
        }
        Call ss = call(timeout, "show-servers", "--", "all");
        if (!ss.ok()) {
            throw new BarmandException(Category.JOB_FAILED, "barman show-servers all: " + ss.error());
        }
        showServersAll = ss.json();
        for (String server : servers) {
            if (!lb.json().has(server) || !ss.json().has(server)) {
                out.put(server, new Catalogued(Optional.empty(), "Barman does not list server " + server
                        + " (barman list-backups all, show-servers all)"));
                continue;
            }
            try {
                out.put(server, new Catalogued(Optional.of(catalogue(server, parseListBackups(server, lb.json()),
                        ss.json(), timeout)), null));
            } catch (BarmandException e) {
                out.put(server, new Catalogued(Optional.empty(), e.getMessage()));
            }
        }
        return out;
    }

    /** One server's part of {@link #catalogues}: its catalogue, or why there is none. */
    public record Catalogued(Optional<BarmanCatalogue> catalogue, String error) {
    }

    public ServerStatus status(String server, Duration timeout) {
        Call c = call(timeout, "status", "--", server);
        if (!c.ok()) {
            throw new BarmandException(Category.JOB_FAILED, "barman status " + server + ": " + c.error());
        }
        return parseStatus(server, c.json());
    }

    public ReplicationStatus replicationStatus(String server, Duration timeout) {
        Call c = call(timeout, "replication-status", "--", server);
        if (!c.ok()) {
            throw new BarmandException(Category.JOB_FAILED, "barman replication-status " + server + ": " + c.error());
        }
        return parseReplicationStatus(server, c.json());
    }

}
