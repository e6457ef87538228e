package io.barmand.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteException;

/**
 * The run history: SQLite at {@code state-dir/history.db}, WAL journal so that the CLI reads while the daemon
 * writes. Every method is synchronized: one connection, one writer.
 *
 * <p>The rows of runs are written behind: each change makes the run's whole row in memory ({@link RunRecord}, its id
 * given here, not by SQLite) and writes it at once. A write the file refuses (another process holding SQLite's write
 * lock, a full disk, an I/O error) is not an error of the run: the row stays in memory, {@link #get} returns it, and
 * the rows kept are written again, newest version of each, with a bounded backoff until the file takes them. The log
 * says so once per episode ({@code history store: SQLITE_FULL since ...}) and once when it is over; {@link #trouble}
 * tells the health check, which raises one alert. What the runner holds is what will be written.
 */
public class RunStore implements RunHistory {
    private static final Logger log = LoggerFactory.getLogger("io.barmand.history");
    public static final String FILE = "history.db";
    static final int SCHEMA_VERSION = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * How long a write waits for SQLite's lock before it is kept for later ({@code busyTimeout}; during an episode a
     * retry waits {@code retryBusyTimeout} only, so that the runner is never held long), and the backoff of retries
     * (doubling from {@code firstRetry} to {@code maxRetry}).
     */
    public record Tuning(Duration busyTimeout, Duration retryBusyTimeout, Duration firstRetry, Duration maxRetry,
                         Duration closeWait) {
        public static final Tuning DEFAULTS = new Tuning(Duration.ofSeconds(1), Duration.ofMillis(250),
                Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(10));
    }

    private static final int READ_BUSY_TIMEOUT_MS = 10_000;
    private final Connection conn;
    private final Path file;
    private final Tuning tuning;
    /** the schema of the file: a read-only CLI may meet a v1 file that no v2 daemon has migrated yet */
    private int schema = SCHEMA_VERSION;
    /** the id of the next run (writable store: the one writer gives ids, so that a row kept in memory has one) */
    private long nextId;
    /** the newest version of each row not written yet, in the order of their changes */
    private final Map<Long, RunRecord> pending = new LinkedHashMap<>();
    /** the change number of each row kept in {@link #pending} (v4: change_seq, what the fleet's forwarder follows) */
    private final Map<Long, Long> pendingSeq = new HashMap<>();
    /** the newest change number given */
    private long lastSeq;
    /** the runs this store knows queued or running, newest version */
    private final Map<Long, RunRecord> open = new HashMap<>();
    /** refused writes, from the first to the one that goes through */
    private final Episode episode;
    private ScheduledExecutorService retries;
    private ScheduledFuture<?> retry;
    private boolean closed;

    private RunStore(Path file, Connection conn, Tuning tuning, Clock clock) {
        this.file = file;
        this.conn = conn;
        this.tuning = tuning;
        this.episode = new Episode(file, clock, tuning.firstRetry(), tuning.maxRetry());
    }

    /** Opens (creating and migrating when {@code writable}) the store in {@code stateDir}. */
    public static RunStore open(Path stateDir, boolean writable) {
        return open(stateDir, writable, Tuning.DEFAULTS, Clock.systemUTC());
    }

    /** As {@link #open(Path, boolean)}, with the waits and backoff of {@code tuning} (tests shorten them). */
    public static RunStore open(Path stateDir, boolean writable, Tuning tuning, Clock clock) {
        Path f = stateDir.resolve(FILE);
        Connection c = null;
        try {
            if (writable) {
                Files.createDirectories(stateDir);
            } else if (!Files.exists(f)) {
                throw new BarmandException(Category.UNAVAILABLE, f + ": no history yet (the daemon has never run here)");
            }
            HistoryFile.refuseEmpty(f);
            SQLiteConfig cfg = new SQLiteConfig();
            // the daemon is the one writer: a write that waits is kept for later rather than holding a run up; a
            // reader waits longer (a checkpoint, the recovery of a WAL left by a daemon that died)
            cfg.setBusyTimeout(writable ? (int) tuning.busyTimeout().toMillis() : READ_BUSY_TIMEOUT_MS);
            cfg.setReadOnly(!writable);
            if (writable) {
                cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
                cfg.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
            }
            c = DriverManager.getConnection("jdbc:sqlite:" + f, cfg.toProperties());
            RunStore s = new RunStore(f, c, tuning, clock);
            if (writable) {
                s.migrate();
                s.nextId = s.lastIdEverGiven() + 1;
                s.lastSeq = s.lastChangeWritten();
                HistoryFile.ownerAndGroupOnly(f);
            } else {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA user_version")) {
                    s.schema = rs.next() ? rs.getInt(1) : 0;
                }
                // a file SQLite cannot read shows at the first page read, not at the open
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_master")) {
                    rs.next();
                }
            }
            return s;
        } catch (SQLException | IOException | RuntimeException e) {
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // the open's failure is the one to tell
                }
            }
            if (e instanceof BarmandException be) {
                throw be;
            }
            if (e instanceof SQLiteException se && HistoryFile.unreadable(se)) {
                throw HistoryFile.refuseUnreadable(f, se);
            }
            throw new BarmandException(Category.IO, f + ": cannot open the history: " + e.getMessage(), e);
        }
    }

    private void migrate() throws SQLException {
        try (Statement st = conn.createStatement()) {
            int v;
            try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
                v = rs.next() ? rs.getInt(1) : 0;
            }
            if (v > SCHEMA_VERSION) {
                throw new BarmandException(Category.IO, file + ": history schema " + v + " is newer than this barmand ("
                        + SCHEMA_VERSION + ")");
            }
            if (v < 1) {
                st.executeUpdate("""
                        CREATE TABLE IF NOT EXISTS runs (
                          id INTEGER PRIMARY KEY AUTOINCREMENT,
                          server TEXT NOT NULL, job TEXT NOT NULL, trigger TEXT NOT NULL,
                          started TEXT NOT NULL, ended TEXT, outcome TEXT NOT NULL,
                          duration_ms INTEGER, backup_id TEXT, size_bytes INTEGER, throughput INTEGER,
                          failed_checks TEXT, error TEXT, detail TEXT, pid INTEGER)""");
                st.executeUpdate("CREATE INDEX IF NOT EXISTS runs_server_job ON runs(server, job, id)");
                st.executeUpdate("""
                        CREATE TABLE IF NOT EXISTS daemon_starts (
                          id INTEGER PRIMARY KEY AUTOINCREMENT, started TEXT NOT NULL, pid INTEGER, version TEXT)""");
                st.executeUpdate("PRAGMA user_version = 1");
            }
            if (v < 2) {
                // v2: runs wait in a queue (outcome 'queued'); when each was asked for, how long it waited, which attempt
                conn.setAutoCommit(false);
                try {
                    st.executeUpdate("ALTER TABLE runs ADD COLUMN requested TEXT");
                    st.executeUpdate("ALTER TABLE runs ADD COLUMN waited_ms INTEGER");
                    st.executeUpdate("ALTER TABLE runs ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1");
                    st.executeUpdate("UPDATE runs SET requested = started, waited_ms = 0 WHERE requested IS NULL");
                    st.executeUpdate("CREATE INDEX IF NOT EXISTS runs_outcome ON runs(outcome)");
                    st.executeUpdate("PRAGMA user_version = 2");
                    conn.commit();
                } catch (SQLException e) {
                    conn.rollback();
                    throw e;
                } finally {
                    conn.setAutoCommit(true);
                }
            }
            if (v < 3) {
                // v3: the typed facts of each run, JSON: {"rto": {"unit": "seconds", "value": 1.71}, ...} (Facts)
                st.executeUpdate("ALTER TABLE runs ADD COLUMN facts TEXT");
                st.executeUpdate("PRAGMA user_version = 3");
            }
            if (v < 4) {
                // v4: each change of a row (queued, started, ended) takes the next change number, so that a reader
                // (the fleet's forwarder) copies the changes in order and resumes after the last one it copied
                conn.setAutoCommit(false);
                try {
                    st.executeUpdate("ALTER TABLE runs ADD COLUMN change_seq INTEGER");
                    st.executeUpdate("UPDATE runs SET change_seq = id");
                    st.executeUpdate("CREATE INDEX IF NOT EXISTS runs_change_seq ON runs(change_seq)");
                    st.executeUpdate("PRAGMA user_version = 4");
                    conn.commit();
                } catch (SQLException e) {
                    conn.rollback();
                    throw e;
                } finally {
                    conn.setAutoCommit(true);
                }
            }
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public String where() {
        return file.toString();
    }

    /** Records the start of a run that did not wait; returns its id. */
    public synchronized long start(String server, String job, Trigger trigger, Instant started) {
        return insert(server, job, trigger, started, null, Outcome.RUNNING, null, RunFigures.NONE, 0L, 1);
    }

    /** Records a run that waits for its turn (outcome queued, requested = started = {@code at}); returns its id. */
    public synchronized long queue(String server, String job, Trigger trigger, Instant at, int attempt) {
        return insert(server, job, trigger, at, null, Outcome.QUEUED, null, RunFigures.NONE, null, attempt);
    }

    /** A queued run starts: outcome running, started = {@code at}, with how long it waited. False if it is not queued. */
    public synchronized boolean begin(long id, Instant at, long waitedMs) {
        RunRecord r = current(id);
        if (r == null || r.outcome() != Outcome.QUEUED) {
            return false;
        }
        put(new RunRecord(r.id(), r.server(), r.job(), r.trigger(), at, null, Outcome.RUNNING, null, null, null, null,
                List.of(), null, null, r.requested(), waitedMs, r.attempt(), Facts.NONE));
        return true;
    }

    /** Records a run that did not happen (its kind already running or queued, daemon stopping): started = ended. */
    public synchronized long skipped(String server, String job, Trigger trigger, Instant at, String reason) {
        return skipped(server, job, trigger, at, reason, 1);
    }

    public synchronized long skipped(String server, String job, Trigger trigger, Instant at, String reason, int attempt) {
        return insert(server, job, trigger, at, at, Outcome.SKIPPED, 0L, RunFigures.error(reason), 0L, attempt);
    }

    /** A queued run that will not start after all (daemon stopping): skipped, with the reason and its wait. */
    public synchronized void dequeue(long id, Instant at, long waitedMs, String reason) {
        RunRecord r = current(id);
        if (r == null || r.outcome() != Outcome.QUEUED) {
            return;
        }
        put(new RunRecord(r.id(), r.server(), r.job(), r.trigger(), r.started(), at, Outcome.SKIPPED, 0L, r.backupId(),
                r.sizeBytes(), r.throughputBytesPerSec(), r.failedChecks(), reason, r.detail(), r.requested(), waitedMs,
                r.attempt(), r.facts()));
    }

    private long insert(String server, String job, Trigger trigger, Instant started, Instant ended, Outcome outcome,
                        Long durationMs, RunFigures f, Long waitedMs, int attempt) {
        requireWritable();
        long id = nextId++;
        put(new RunRecord(id, server, job, trigger, started, ended, outcome, durationMs, f.backupId(), f.sizeBytes(),
                f.throughputBytesPerSec(), f.failedChecks(), f.error(), f.detail(), started, waitedMs, attempt, f.facts()));
        return id;
    }

    /** Records the end of a run. A run already ended (e.g. marked interrupted at shutdown) is not changed. */
    public synchronized void finish(long id, Outcome outcome, Instant ended, long durationMs, RunFigures f) {
        RunRecord r = current(id);
        if (r == null || !isOpen(r)) {
            return;
        }
        put(new RunRecord(r.id(), r.server(), r.job(), r.trigger(), r.started(), ended, outcome, durationMs, f.backupId(),
                f.sizeBytes(), f.throughputBytesPerSec(), f.failedChecks(), f.error(), f.detail(), r.requested(),
                r.waitedMs(), r.attempt(), f.facts()));
    }

    private static boolean isOpen(RunRecord r) {
        return r.outcome() == Outcome.RUNNING || r.outcome() == Outcome.QUEUED;
    }

    /** A run's row as it is or will be written: kept in memory, known open, else read from the file. */
    private RunRecord current(long id) {
        RunRecord r = pending.get(id);
        if (r == null) {
            r = open.get(id);
        }
        if (r == null) {
            r = query("SELECT * FROM runs WHERE id=?", id).stream().findFirst().orElse(null);
        }
        return r;
    }

    /** Takes the new version of a row, then writes what is kept (at once, or by the retries of an episode). */
    private void put(RunRecord r) {
        requireWritable();
        pending.put(r.id(), r);
        pendingSeq.put(r.id(), ++lastSeq);
        if (isOpen(r)) {
            open.put(r.id(), r);
        } else {
            open.remove(r.id());
        }
        if (!episode.active()) {
            flush();
        }
    }

    private void requireWritable() {
        if (nextId == 0) {
            throw new BarmandException(Category.INTERNAL, file + ": the history was opened read-only");
        }
    }

    /** Writes every row kept, in one transaction; true when none is left. Starts or ends an episode. */
    private boolean flush() {
        if (pending.isEmpty()) {
            return true;
        }
        String sql = "INSERT OR REPLACE INTO runs(id, server, job, trigger, started, ended, outcome, duration_ms, backup_id,"
                + " size_bytes, throughput, failed_checks, error, detail, pid, requested, waited_ms, attempt, facts, change_seq)"
                + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
        int n = pending.size();
        try {
            conn.setAutoCommit(false);
            try (PreparedStatement ps = conn.prepareStatement(sql)) {
                for (RunRecord r : pending.values()) {
                    row(ps, r);
                    ps.setLong(20, pendingSeq.get(r.id()));
                    ps.executeUpdate();
                }
                conn.commit();
            } catch (SQLException e) {
                rollbackQuietly();
                throw e;
            } finally {
                conn.setAutoCommit(true);
            }
        } catch (SQLException e) {
            refused(e);
            return false;
        }
        pending.clear();
        pendingSeq.clear();
        if (episode.active()) {
            episode.over(n);
            busyTimeout(tuning.busyTimeout());
        }
        return true;
    }

    private void row(PreparedStatement ps, RunRecord r) throws SQLException {
        ps.setLong(1, r.id());
        ps.setString(2, r.server());
        ps.setString(3, r.job());
        ps.setString(4, r.trigger().word());
        ps.setString(5, r.started().toString());
        ps.setString(6, r.ended() == null ? null : r.ended().toString());
        ps.setString(7, r.outcome().word());
        setLong(ps, 8, r.durationMs());
        figures(ps, 9, new RunFigures(r.backupId(), r.sizeBytes(), r.throughputBytesPerSec(), r.failedChecks(), r.error(),
                r.detail(), r.facts()));
        ps.setLong(15, ProcessHandle.current().pid());
        ps.setString(16, r.requested().toString());
        setLong(ps, 17, r.waitedMs());
        ps.setInt(18, r.attempt());
        ps.setString(19, r.facts().toStored());
    }

    private void rollbackQuietly() {
        try {
            conn.rollback();
        } catch (SQLException ignored) {
            // nothing was written: the rows stay kept
        }
    }

    /** A write refused: the episode starts (logged once) or goes on; a retry is planned. */
    private void refused(SQLException e) {
        if (episode.refused(e, pending.size())) {
            busyTimeout(tuning.retryBusyTimeout());
        }
        if (closed) {
            return;
        }
        if (retries == null) {
            retries = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "barmand-history-writer");
                t.setDaemon(true);
                return t;
            });
        }
        if (retry == null || retry.isDone()) {
            retry = retries.schedule(this::retryNow, episode.nextDelayMs(), TimeUnit.MILLISECONDS);
        }
    }

    private synchronized void retryNow() {
        retry = null;
        if (!closed) {
            flush();
        }
    }

    private void busyTimeout(Duration d) {
        try (Statement st = conn.createStatement()) {
            st.execute("PRAGMA busy_timeout = " + d.toMillis());
        } catch (SQLException e) {
            log.debug("history store: busy_timeout not set: {}", e.toString());
        }
    }

    /** The episode of refused writes in progress, if any (the health check raises it as a problem of the host). */
    @Override
    public synchronized Optional<StoreTrouble> trouble() {
        return episode.now(pending.size());
    }

    /** Runs a statement on the store's own connection (tests: {@code PRAGMA max_page_count}, a real SQLITE_FULL). */
    synchronized void onConnection(String sql) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute(sql);
        }
    }

    private long lastChangeWritten() throws SQLException {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT COALESCE(max(change_seq), 0) FROM runs")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /**
     * The rows whose newest change is after change number {@code after}, in the order of their changes, at most
     * {@code limit} (the fleet's forwarder: it copies them to the state database and keeps the last number). A row
     * changed twice since is there once, as it is now. Rows kept in memory (the file refusing writes) come once written.
     */
    public synchronized List<RunChange> changesAfter(long after, int limit) {
        if (schema < 4) {
            return List.of();
        }
        List<RunChange> out = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT * FROM runs WHERE change_seq > ? ORDER BY change_seq LIMIT ?")) {
            ps.setLong(1, after);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new RunChange(rs.getLong("change_seq"), row(rs)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw io("read the history's changes", e);
        }
    }

    /** The newest change number written to the file (0 for none). */
    public synchronized long lastChange() {
        if (schema < 4) {
            return 0;
        }
        try {
            return lastChangeWritten();
        } catch (SQLException e) {
            throw io("read the history's changes", e);
        }
    }

    /** The largest id ever given: AUTOINCREMENT's sequence (ids of pruned rows are never given again), else the rows'. */
    private long lastIdEverGiven() throws SQLException {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT max(COALESCE((SELECT seq FROM sqlite_sequence WHERE name='runs'), 0),"
                        + " COALESCE((SELECT max(id) FROM runs), 0))")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private static void figures(PreparedStatement ps, int i, RunFigures f) throws SQLException {
        ps.setString(i, f.backupId());
        setLong(ps, i + 1, f.sizeBytes());
        setLong(ps, i + 2, f.throughputBytesPerSec());
        try {
            ps.setString(i + 3, f.failedChecks().isEmpty() ? null : JSON.writeValueAsString(f.failedChecks()));
        } catch (JsonProcessingException e) {
            throw new SQLException(e);
        }
        ps.setString(i + 4, f.error());
        ps.setString(i + 5, f.detail());
    }

    private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.INTEGER);
        } else {
            ps.setLong(i, v);
        }
    }

    /**
     * Marks every run still `running` as interrupted, and every run still `queued` as skipped (it never started):
     * a previous daemon died, or this one is stopping. Returns how many runs it marked. Only the holder of the
     * state-dir's lock (the daemon) may call this: another process would mark the live daemon's runs.
     */
    public synchronized int markRunningInterrupted(Instant at, String reason) {
        Map<Long, RunRecord> toMark = new LinkedHashMap<>();
        for (RunRecord r : query("SELECT * FROM runs WHERE outcome IN ('running','queued') ORDER BY id")) {
            toMark.put(r.id(), r);
        }
        toMark.putAll(open);
        int n = 0;
        for (RunRecord r : toMark.values()) {
            RunRecord c = current(r.id());
            if (c == null || !isOpen(c)) {
                continue;
            }
            boolean running = c.outcome() == Outcome.RUNNING;
            String error = c.error() != null ? c.error() : running ? reason : reason + " (queued, never started)";
            put(new RunRecord(c.id(), c.server(), c.job(), c.trigger(), c.started(), at,
                    running ? Outcome.INTERRUPTED : Outcome.SKIPPED, running ? c.durationMs() : Long.valueOf(0L), c.backupId(),
                    c.sizeBytes(), c.throughputBytesPerSec(), c.failedChecks(), error, c.detail(), c.requested(), c.waitedMs(),
                    c.attempt(), c.facts()));
            n++;
        }
        return n;
    }

    /** Records a daemon start; returns the previous start, if any. */
    public synchronized Optional<Instant> recordDaemonStart(Instant at, String version) {
        Optional<Instant> previous = lastDaemonStart();
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO daemon_starts(started, pid, version) VALUES (?,?,?)")) {
            ps.setString(1, at.toString());
            ps.setLong(2, ProcessHandle.current().pid());
            ps.setString(3, version);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw io("record the daemon start", e);
        }
        return previous;
    }

    public synchronized Optional<Instant> lastDaemonStart() {
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT started FROM daemon_starts ORDER BY id DESC LIMIT 1")) {
            return rs.next() ? Optional.of(Instant.parse(rs.getString(1))) : Optional.empty();
        } catch (SQLException e) {
            throw io("read daemon starts", e);
        }
    }

    public synchronized Optional<Instant> firstDaemonStart() {
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT started FROM daemon_starts ORDER BY id ASC LIMIT 1")) {
            return rs.next() ? Optional.of(Instant.parse(rs.getString(1))) : Optional.empty();
        } catch (SQLException e) {
            throw io("read daemon starts", e);
        }
    }

    /** Runs of a job of a server started at or after {@code since}, newest first. */
    public synchronized List<RunRecord> since(String server, String job, Instant since) {
        // ISO-8601 instants in UTC compare as text only with equal precision: compare after parsing
        return query("SELECT * FROM runs WHERE server=? AND job=? ORDER BY id DESC LIMIT 1000", server, job).stream()
                .filter(r -> !r.started().isBefore(since)).toList();
    }

    /** The newest run of a job of a server that was not skipped (what happened last). */
    public synchronized Optional<RunRecord> lastRun(String server, String job, boolean includeSkipped) {
        List<RunRecord> l = query("SELECT * FROM runs WHERE server=? AND job=?"
                + (includeSkipped ? "" : " AND outcome<>'skipped'") + " ORDER BY id DESC LIMIT 1", server, job);
        return newest(l.stream().findFirst(), r -> r.server().equals(server) && r.job().equals(job)
                && (includeSkipped || r.outcome() != Outcome.SKIPPED));
    }

    /**
     * The newest of {@code fromFile} and the rows kept in memory that match {@code p}: what the file will say once it
     * has taken them (a retry planned during an episode must see the run that failed, not the one before it).
     */
    private Optional<RunRecord> newest(Optional<RunRecord> fromFile, java.util.function.Predicate<RunRecord> p) {
        if (pending.isEmpty()) {
            return fromFile;
        }
        RunRecord best = fromFile.map(r -> pending.getOrDefault(r.id(), r)).filter(p).orElse(null);
        for (RunRecord r : pending.values()) {
            if (p.test(r) && (best == null || r.id() > best.id())) {
                best = r;
            }
        }
        return Optional.ofNullable(best);
    }

    @Override
    public synchronized Optional<RunRecord> lastEnded(String server, String job) {
        return newest(query("SELECT * FROM runs WHERE server=? AND job=? AND outcome IN ('success','failed','interrupted')"
                + " ORDER BY id DESC LIMIT 1", server, job).stream().findFirst(), r -> r.server().equals(server)
                && r.job().equals(job) && (r.outcome() == Outcome.SUCCESS || r.outcome() == Outcome.FAILED
                || r.outcome() == Outcome.INTERRUPTED));
    }

    /** The newest run of a job of a server that ended with {@code outcome} ("the last backup that succeeded"). */
    public synchronized Optional<RunRecord> last(String server, String job, Outcome outcome) {
        return newest(query("SELECT * FROM runs WHERE server=? AND job=? AND outcome=? ORDER BY id DESC LIMIT 1", server, job,
                outcome.word()).stream().findFirst(), r -> r.server().equals(server) && r.job().equals(job)
                && r.outcome() == outcome);
    }

    /** The last {@code n} runs of a job of a server that ended with {@code outcome}, newest first (a trend). */
    public synchronized List<RunRecord> lastN(String server, String job, Outcome outcome, int n) {
        return query("SELECT * FROM runs WHERE server=? AND job=? AND outcome=? ORDER BY id DESC LIMIT ?", server, job,
                outcome.word(), n);
    }

    /**
     * Every run asked for in [{@code from}, {@code to}), oldest first (the report's window). Rows are found by id
     * order, then filtered by parsed instants: ISO-8601 text compares right only at equal precision.
     */
    public synchronized List<RunRecord> window(Instant from, Instant to) {
        Long first = firstIdFrom(from);
        if (first == null) {
            return List.of();
        }
        return query("SELECT * FROM runs WHERE id >= ? ORDER BY id ASC", first).stream()
                .filter(r -> !r.requested().isBefore(from) && r.requested().isBefore(to)).toList();
    }

    @Override
    public synchronized List<Asked> asked(Instant from, Instant to) {
        Long first = firstIdFrom(from);
        List<Asked> out = new ArrayList<>();
        if (first == null) {
            return out;
        }
        try (PreparedStatement ps = conn.prepareStatement("SELECT server, job, requested, started FROM runs WHERE id >= ? ORDER BY id")) {
            ps.setLong(1, first);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String req = rs.getString(3);
                    Instant at = Instant.parse(req != null ? req : rs.getString(4));
                    if (!at.isBefore(from) && at.isBefore(to)) {
                        out.add(new Asked(rs.getString(1), rs.getString(2), at));
                    }
                }
            }
        } catch (SQLException e) {
            throw new BarmandException(Category.IO, file + ": cannot read the history: " + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public synchronized List<RunRecord> troubles(Instant from, Instant to) {
        Long first = firstIdFrom(from);
        if (first == null) {
            return List.of();
        }
        return query("SELECT * FROM runs WHERE id >= ? AND outcome IN ('failed','interrupted','skipped') ORDER BY id ASC", first)
                .stream().filter(r -> !r.requested().isBefore(from) && r.requested().isBefore(to)).toList();
    }

    /** The smallest id of a run requested at or after {@code from} (ids grow with time), by binary search. */
    private Long firstIdFrom(Instant from) {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT min(id), max(id) FROM runs")) {
            if (!rs.next() || rs.getObject(1) == null) {
                return null;
            }
            long lo = rs.getLong(1);
            long hi = rs.getLong(2) + 1;
            while (lo < hi) {
                long mid = lo + (hi - lo) / 2;
                Optional<Instant> at = requestedAtOrAfter(mid);
                if (at.isEmpty() || !at.get().isBefore(from.minusSeconds(3600))) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            return lo;
        } catch (SQLException e) {
            throw io("read the history", e);
        }
    }

    /** The requested time of the first run with id >= {@code id}. */
    private Optional<Instant> requestedAtOrAfter(long id) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(schema < 2
                ? "SELECT started FROM runs WHERE id >= ? ORDER BY id LIMIT 1"
                : "SELECT COALESCE(requested, started) FROM runs WHERE id >= ? ORDER BY id LIMIT 1")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(Instant.parse(rs.getString(1))) : Optional.empty();
            }
        }
    }

    /**
     * Deletes the runs that ended before {@code before} (history.keep); never one still queued or running. Returns
     * how many it deleted.
     */
    public synchronized int prune(Instant before) {
        try (PreparedStatement ps = conn.prepareStatement(
                "DELETE FROM runs WHERE ended IS NOT NULL AND ended < ? AND outcome NOT IN ('queued','running')")) {
            ps.setString(1, before.toString());
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw io("prune the history", e);
        }
    }

    public synchronized Optional<RunRecord> lastSuccessfulBackup(String server) {
        return last(server, "backup", Outcome.SUCCESS);
    }

    /** The servers that have runs in the history, by name (jobs of the host, server "", are not a server). */
    public synchronized List<String> servers() {
        List<String> out = new ArrayList<>();
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT DISTINCT server FROM runs WHERE server<>'' ORDER BY server")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        } catch (SQLException e) {
            throw io("read the servers of the history", e);
        }
    }

    /** The backup ids that barmand's successful backup runs of the server recorded (what barmand took). */
    public synchronized java.util.Set<String> backupIds(String server) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        try (PreparedStatement ps = conn.prepareStatement(
                // "+outcome": not by the outcome index (nearly every row is a success: SQLite would read them all, ~1 s per
                // server at 700k runs), by runs_server_job
                "SELECT DISTINCT backup_id FROM runs WHERE server=? AND job='backup' AND +outcome='success' AND backup_id IS NOT NULL")) {
            ps.setString(1, server);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw io("read the backups of the history", e);
        }
    }

    /** When the oldest run still in the history started (older ones were pruned, or barmand did not run). */
    public synchronized Optional<Instant> oldestRunStart() {
        return query("SELECT * FROM runs ORDER BY id ASC LIMIT 1").stream().findFirst().map(RunRecord::started);
    }

    /** The run's row, as kept in memory when the file has not taken it yet. */
    public synchronized Optional<RunRecord> get(long id) {
        RunRecord kept = pending.get(id);
        if (kept != null) {
            return Optional.of(kept);
        }
        return query("SELECT * FROM runs WHERE id=?", id).stream().findFirst();
    }

    /** Newest first; null filters match everything. */
    public synchronized List<RunRecord> list(String server, String job, int limit) {
        StringBuilder sql = new StringBuilder("SELECT * FROM runs WHERE 1=1");
        List<Object> args = new ArrayList<>();
        if (server != null) {
            sql.append(" AND server=?");
            args.add(server);
        }
        if (job != null) {
            sql.append(" AND job=?");
            args.add(job);
        }
        sql.append(" ORDER BY id DESC LIMIT ?");
        args.add(limit);
        return query(sql.toString(), args.toArray());
    }

    private List<RunRecord> query(String sql, Object... args) {
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<RunRecord> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            throw io("read the history", e);
        }
    }

    private RunRecord row(ResultSet rs) throws SQLException {
        String fc = rs.getString("failed_checks");
        List<String> failed;
        try {
            failed = fc == null ? List.of() : JSON.readValue(fc, new TypeReference<List<String>>() { });
        } catch (JsonProcessingException e) {
            failed = List.of(fc);
        }
        String ended = rs.getString("ended");
        return new RunRecord(rs.getLong("id"), rs.getString("server"), rs.getString("job"),
                Trigger.of(rs.getString("trigger")), Instant.parse(rs.getString("started")),
                ended == null ? null : Instant.parse(ended), Outcome.of(rs.getString("outcome")),
                getLong(rs, "duration_ms"), rs.getString("backup_id"), getLong(rs, "size_bytes"),
                getLong(rs, "throughput"), failed, rs.getString("error"), rs.getString("detail"),
                schema < 2 || rs.getString("requested") == null ? null : Instant.parse(rs.getString("requested")),
                schema < 2 ? Long.valueOf(0) : getLong(rs, "waited_ms"), schema < 2 ? 1 : rs.getInt("attempt"),
                schema < 3 ? Facts.NONE : facts(rs.getString("facts")));
    }

    /** Stored facts; a row whose facts cannot be read keeps its other columns (a note in the facts says why). */
    private static Facts facts(String stored) {
        try {
            return Facts.fromStored(stored);
        } catch (IllegalArgumentException e) {
            return Facts.builder().text(FactNames.UNREADABLE_FACTS, e.getMessage()).build();
        }
    }

    private static Long getLong(ResultSet rs, String col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : v;
    }

    private BarmandException io(String what, SQLException e) {
        return new BarmandException(Category.IO, file + ": cannot " + what + ": " + e.getMessage(), e);
    }

    /**
     * Writes what is kept (trying for {@code closeWait} at most), then closes. A run record the file never took is
     * logged whole, one line each, so that the journal has it.
     */
    @Override
    public void close() {
        long deadline = System.nanoTime() + tuning.closeWait().toNanos();
        synchronized (this) {
            closed = true;
            if (retries != null) {
                retries.shutdownNow();
            }
            if (!pending.isEmpty() && episode.active()) {
                busyTimeout(tuning.busyTimeout());
            }
        }
        while (true) {
            synchronized (this) {
                if (flush() || System.nanoTime() >= deadline) {
                    break;
                }
            }
            try {
                Thread.sleep(Math.min(tuning.firstRetry().toMillis(), 1000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        synchronized (this) {
            for (RunRecord r : pending.values()) {
                log.error("history store: {} never took run {}, lost from the history: {}", file, r.id(), RunText.line(r));
            }
            pending.clear();
            pendingSeq.clear();
            try {
                conn.close();
            } catch (SQLException e) {
                throw io("close", e);
            }
        }
    }
}
