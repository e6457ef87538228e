package io.barmand.restore;

import io.barmand.config.RestoreSettings;
import io.barmand.barman.BarmanClient;
import io.barmand.barman.BarmanRecords.BackupDetails;
import io.barmand.barman.BarmanRecords.BackupSummary;
import io.barmand.config.JobKind;
import io.barmand.config.JobSettings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.history.Facts;
import io.barmand.history.RunFigures;
import io.barmand.bucket.Layout;
import io.barmand.bucket.Manifest;
import io.barmand.config.OffsiteSettings;
import io.barmand.bucket.S3Download;
import io.barmand.bucket.S3Store;
import io.barmand.process.CommandResult;
import io.barmand.process.CommandRunner;
import io.barmand.job.JobService;
import io.barmand.job.RunContext;
import io.barmand.job.RunOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A restore test: `barman recover` of the newest DONE backup (or a configured one) into a scratch folder, a
 * scratch instance started with barmand's configuration and recovered to the end of the WAL or to a point in
 * time, then verified through pgjdbc (databases, user tables, row counts, SQL assertions, the RPO canary) and
 * pg_amcheck. The instance is stopped and its folder removed afterwards, also on failure, timeout or interrupt
 * (daemon stopping), unless {@code keep-on-failure}.
 */
public class RestoreTestService implements JobService {
    private static final Logger log = LoggerFactory.getLogger(RestoreTestService.class);
    private static final Pattern PG_CTL_VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+)");
    private static final DateTimeFormatter BARMAN_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx");
    private static final Duration STOP = Duration.ofSeconds(20);

    private final BarmanClient barman;
    private final CommandRunner runner;
    private final Path barmanBinary;
    private final Optional<Path> barmanConfig;
    private final Map<String, RestoreSettings> restore;
    private final Clock clock;
    private final Map<String, OffsiteSettings> offsite;
    private final Function<OffsiteSettings, S3Store> stores;
    /**
     * A run-now's target/backup id for its own run only. run-now runs the job on the control client's thread
     * ({@link io.barmand.schedule.JobRunner#run} is synchronous), so the request is kept per thread: a scheduled run
     * never sees it, and a run-now that is skipped (server busy) leaves nothing behind for a later run.
     */
    /** A run-now argument: the target and backup id asked for this run only. */
    /** Inside the scratch folder: the WAL downloaded from S3, read by the restore_command. */
    static final String S3_WAL = "barmand-s3-wal";

    public RestoreTestService(BarmanClient barman, CommandRunner runner, Path barmanBinary, Optional<Path> barmanConfig,
                              Map<String, RestoreSettings> restore, Clock clock) {
        this(barman, runner, barmanBinary, barmanConfig, restore, clock, Map.of(), S3Store::new);
    }

    /** With the servers' offsite settings, for {@code source = "s3"}. */
    public RestoreTestService(BarmanClient barman, CommandRunner runner, Path barmanBinary, Optional<Path> barmanConfig,
                              Map<String, RestoreSettings> restore, Clock clock, Map<String, OffsiteSettings> offsite,
                              Function<OffsiteSettings, S3Store> stores) {
        this.offsite = offsite;
        this.stores = stores;
        this.barman = barman;
        this.runner = runner;
        this.barmanBinary = barmanBinary;
        this.barmanConfig = barmanConfig;
        this.restore = restore;
        this.clock = clock;
    }

    @Override
    public JobKind kind() {
        return JobKind.RESTORE_TEST;
    }

    /** {@code --target} and {@code --backup-id} are both for this job (RunOptions has checked their syntax). */
    @Override
    public void check(RunOptions options) {
    }

    /** What one test found; turned into the run's figures. */
    static final class Report {
        String backupId;
        Long sizeBytes;
        Long throughput;
        final List<String> failed = new ArrayList<>();
        final Facts.Builder facts = Facts.builder();
        String error;

        void fail(String check, String why) {
            failed.add(check);
            if (error == null) {
                error = check + ": " + why;
            } else {
                error = error + "; " + check + ": " + why;
            }
        }

        /** The figures; {@code detail} is the text of the facts (the runner's one formatter). */
        RunFigures figures() {
            Facts f = facts.build();
            return new RunFigures(backupId, sizeBytes, throughput, failed, error, f.isEmpty() ? null : f.toText(), f);
        }
    }

    @Override
    public Result execute(RunContext ctx) {
        String server = ctx.server();
        JobSettings js = ctx.settings();
        RestoreSettings rs = restore.get(server);
        if (rs == null) {
            throw new BarmandException(Category.CONFIG, "no restore-test settings for server " + server);
        }
        RunOptions req = ctx.options();
        if (req.target().isPresent() || req.backupId().isPresent()) {
            rs = rs.forRun(req.backupId().orElse(rs.backupId()), req.target().orElse(rs.target()));
        }
        long n0 = System.nanoTime();
        Instant started = clock.instant();
        Duration total = js.timeout();
        Report rep = new Report();
        rep.facts.text("target", rs.target().spec());
        Optional<Instant> targetTime = rs.target().timeAt(started);

        // 1. which backup
        String id = rs.backupId();
        long need;
        if (rs.source().equals("s3")) {
            rep.facts.text("source", "s3");
            S3Pick pick = s3Lookup(server, rs, targetTime, rep, total, n0);
            if (pick == null) {
                return Result.failed(rep.figures());
            }
            id = pick.manifest().backupId();
            rep.backupId = id;
            rep.sizeBytes = pick.manifest().originalBytes();
            need = pick.manifest().originalBytes() + pick.walBytes();
        } else {
            BackupDetails d = null;
            if (id.equals("latest") && targetTime.isEmpty()) {
                // one Barman call instead of two: Barman resolves "latest" itself; anything but DONE falls back to the list
                try {
                    BackupDetails latest = barman.showBackup(server, "latest", left(total, n0));
                    if ("DONE".equals(latest.status()) && latest.backupId() != null) {
                        d = latest;
                        id = latest.backupId();
                    }
                } catch (BarmandException e) {
                    if (e.category() != Category.JOB_FAILED) {
                        throw e;
                    }
                    // no backup at all, or Barman's latest is not DONE: the list below says which
                }
            }
            if (d == null && id.equals("latest")) {
                List<BackupSummary> l = barman.listBackups(server, left(total, n0));
                Optional<BackupSummary> newest = l.stream().filter(b -> "DONE".equals(b.status()))
                        .filter(b -> targetTime.isEmpty() || b.endTimeEpoch() <= targetTime.get().getEpochSecond())
                        .max(Comparator.comparing(BackupSummary::backupId));
                if (newest.isEmpty()) {
                    rep.fail("backup", "no DONE backup of " + server + (targetTime.isPresent() ? " ended before " + targetTime.get() : ""));
                    return Result.failed(rep.figures());
                }
                id = newest.get().backupId();
            }
            rep.backupId = id;
            if (d == null) {
                d = barman.showBackup(server, id, left(total, n0));
            }
            if (!"DONE".equals(d.status())) {
                rep.fail("backup", "backup " + id + " is " + d.status() + ", not DONE");
                return Result.failed(rep.figures());
            }
            rep.sizeBytes = d.sizeBytes();
            need = d.sizeWithWalsBytes();
        }
        rep.facts.seconds("lookup", (System.nanoTime() - n0) / 1e9);

        if (rs.scratchHost().isEmpty()) {
            for (String tool : List.of("pg_ctl", "pg_amcheck")) {
                if (!Files.isExecutable(rs.pgBinDir().resolve(tool))) {
                    rep.fail("binaries", rs.pgBinDir().resolve(tool) + " is missing (pg-bin-dir: install the PostgreSQL server package of the backup's major version)");
                    return Result.failed(rep.figures());
                }
            }
        }
        // 2. the scratch folder (refusals: not barmand's, port taken, disk short)
        Instance sc = rs.scratchHost().isPresent() ? new RemoteScratch(rs) : new Scratch(rs, runner);
        try {
            sc.prepare(need, Scratch.marker(server, started));
        } catch (BarmandException e) {
            sc.close();
            if (e.category() != Category.JOB_FAILED) {
                throw e;
            }
            rep.fail("refused", e.getMessage().replaceFirst("^refused: ", ""));
            return Result.failed(rep.figures());
        }
        rep.facts.count("port", sc.port());
        boolean passed = false;
        try {
            passed = run(server, rs, sc, id, total, n0, started, targetTime, rep);
        } finally {
            boolean interrupted = Thread.interrupted();
            if (!passed && rs.keepOnFailure()) {
                sc.stopInstance(STOP);
                log.warn("restore test of {} failed: keeping {} for debugging (keep-on-failure)", server, sc.dir());
            } else {
                long c0 = System.nanoTime();
                String c = sc.cleanup(STOP);
                rep.facts.seconds("cleanup", (System.nanoTime() - c0) / 1e9);
                if (c != null) {
                    rep.fail("cleanup", c);
                }
            }
            sc.close();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return passed ? Result.ok(rep.figures()) : Result.failed(rep.figures());
    }

    private boolean run(String server, RestoreSettings rs, Instance sc, String id, Duration total, long n0, Instant started,
                        Optional<Instant> targetTime, Report rep) {
        // 3. barman recover, or the copy in S3 downloaded, checked and unpacked, with its WAL
        double recoverSecs;
        if (rs.source().equals("s3")) {
            long r0 = System.nanoTime();
            if (!fromS3(server, id, rs, sc, targetTime, rep, total, n0)) {
                return false;
            }
            recoverSecs = (System.nanoTime() - r0) / 1e9;
            rep.facts.seconds("download", recoverSecs);
        } else {
            List<String> argv = new ArrayList<>();
            argv.add(barmanBinary.toString());
            barmanConfig.ifPresent(f -> {
                argv.add("-c");
                argv.add(f.toString());
            });
            argv.add("recover");
            if (rs.target().pointInTime()) {
                if (targetTime.isPresent()) {
                    argv.add("--target-time");
                    argv.add(BARMAN_TIME.format(targetTime.get().atOffset(java.time.ZoneOffset.UTC)));
                } else {
                    argv.add("--target-lsn");
                    argv.add(rs.target().lsn().orElseThrow());
                }
                argv.add("--target-action");
                argv.add("promote");
            }
            argv.addAll(sc.recoverOptions());
            argv.add(server);
            argv.add(id);
            argv.add(sc.dir().toString());
            long r0 = System.nanoTime();
            CommandResult rec = runner.run(argv, left(total, n0));
            check(rec, "barman recover", total);
            recoverSecs = (System.nanoTime() - r0) / 1e9;
            rep.facts.seconds("recover", recoverSecs);
            if (!rec.ok()) {
                rep.fail("recover", "barman recover exit code " + rec.exitCode() + ": " + lastLines(rec.stderrTail() + "\n" + rec.stdout(), 3));
                return false;
            }
        }
        if (rep.sizeBytes != null && recoverSecs > 0) {
            rep.throughput = (long) (rep.sizeBytes / recoverSecs);
        }
        sc.mark(Scratch.marker(server, started));
        // 4. same major version
        String version = sc.pgVersion();
        CommandResult v = sc.tool(List.of(rs.pgBinDir().resolve("pg_ctl").toString(), "--version"), Duration.ofSeconds(30));
        check(v, "pg_ctl --version", total);
        Matcher m = PG_CTL_VERSION.matcher(v.stdout());
        String binMajor = m.find() ? m.group(1) : "?";
        if (!binMajor.equals(version)) {
            rep.fail("version", "backup is PostgreSQL " + version + " but pg-bin-dir " + rs.pgBinDir() + " is " + binMajor);
            return false;
        }
        // 5. barmand's configuration, start; with hot_standby off the instance accepts connections only once recovered
        sc.configure();
        long s0 = System.nanoTime();
        CommandResult st = sc.start(left(total, n0));
        check(st, "pg_ctl start", total);
        if (!st.ok()) {
            rep.fail("start", "pg_ctl start exit code " + st.exitCode() + ": " + logTail(sc));
            return false;
        }
        rep.facts.seconds("start", (System.nanoTime() - s0) / 1e9);
        ScratchDb db = sc.db(rs.superuser());
        // JDBC calls do not answer a thread interrupt: they run on a worker, and the job's thread, interrupted
        // (daemon stopping) or past its timeout, stops the instance in its cleanup, which ends them
        java.util.concurrent.ExecutorService worker = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "restore-test-sql-" + server);
            t.setDaemon(true);
            return t;
        });
        java.util.concurrent.Future<Boolean> sql = worker.submit(() -> sqlChecks(rs, sc, db, total, n0, targetTime, rep));
        worker.shutdown();
        try {
            if (!sql.get(left(total, n0).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            sql.cancel(true);
            Thread.currentThread().interrupt();
            throw new BarmandException(Category.INTERRUPTED, "restore test interrupted (daemon stopping) while querying the scratch instance");
        } catch (java.util.concurrent.TimeoutException e) {
            sql.cancel(true);
            throw new BarmandException(Category.TIMEOUT, "restore test ran past its timeout of " + total + " while querying the scratch instance");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof BarmandException be) {
                throw be;
            }
            throw new BarmandException(Category.INTERNAL, "restore test SQL checks failed: " + e.getCause(), e.getCause());
        }
        checkInterrupted();
        // 6. pg_amcheck: heap and btree of every database
        if (rs.verify().amcheck()) {
            List<String> a = new ArrayList<>(List.of(rs.pgBinDir().resolve("pg_amcheck").toString(), "-h", sc.dir().toString(),
                    "-p", Integer.toString(sc.port()), "-U", rs.superuser(), "--all", "--install-missing", "--no-password"));
            a.addAll(rs.verify().amcheckOptions());
            long a0 = System.nanoTime();
            CommandResult ar = sc.tool(a, left(total, n0));
            check(ar, "pg_amcheck", total);
            rep.facts.seconds("amcheck", (System.nanoTime() - a0) / 1e9);
            if (!ar.ok()) {
                rep.fail("amcheck", amcheckFindings(ar));
            }
        }
        return rep.failed.isEmpty();
    }

    /** The copy to restore from S3 and the size of the WAL that goes with it. */
    record S3Pick(Manifest manifest, long walBytes) {
    }

    private OffsiteSettings offsiteOf(String server) {
        OffsiteSettings os = offsite.get(server);
        if (os == null || !os.enabled()) {
            throw new BarmandException(Category.CONFIG, "restore-test.source = \"s3\" but offsite is not enabled for server " + server
                    + " (barmand.servers." + server + ".offsite.enabled)");
        }
        return os;
    }

    /** The newest copy with a manifest (or the configured one), ended before a target time; null when there is none. */
    private S3Pick s3Lookup(String server, RestoreSettings rs, Optional<Instant> targetTime, Report rep, Duration total, long n0) {
        OffsiteSettings os = offsiteOf(server);
        left(total, n0);
        try (S3Store store = stores.apply(os)) {
            S3Download dl = new S3Download(store);
            boolean latest = rs.backupId().equals("latest");
            Optional<Manifest> m = dl.pick(server, rs.backupId(), latest ? targetTime : Optional.empty());
            if (m.isEmpty()) {
                rep.fail("backup", (latest ? "no copy of " + server + " with a manifest.json"
                        + (targetTime.isPresent() ? " ended before " + targetTime.get() : "")
                        : "backup " + rs.backupId() + " has no manifest.json (the copy is incomplete or absent)")
                        + " in s3://" + os.bucket() + "/" + new Layout(os.prefix()).base(server));
                return null;
            }
            long wal = dl.walObjects(server, m.get()).stream().mapToLong(o -> o.size()).sum();
            return new S3Pick(m.get(), wal);
        }
    }

    /**
     * Downloads the copy into the scratch folder, checking every object and file against the manifest as it
     * streams, then the WAL from the backup's begin WAL on (each against its sha256) into a folder beside it, and
     * writes the recovery settings: restore_command reading that folder, the target, recovery.signal.
     */
    private boolean fromS3(String server, String id, RestoreSettings rs, Instance sc, Optional<Instant> targetTime, Report rep,
                           Duration total, long n0) {
        OffsiteSettings os = offsiteOf(server);
        Path dir = sc.dir();
        Path walDir = dir.resolve(S3_WAL);
        List<String> problems = new ArrayList<>();
        long bytes = 0;
        int walFiles = 0;
        try (S3Store store = stores.apply(os)) {
            S3Download dl = new S3Download(store);
            Optional<Manifest> om = dl.pick(server, id, Optional.empty());
            if (om.isEmpty()) {
                rep.fail("download", "backup " + id + ": manifest.json is gone from s3://" + os.bucket());
                return false;
            }
            Manifest m = om.get();
            for (Manifest.ObjectEntry o : m.objects()) {
                checkInterrupted();
                left(total, n0);
                bytes += dl.object(m, o, dir, problems);
            }
            if (problems.isEmpty()) {
                Files.createDirectories(walDir);
                java.util.Set<String> names = new java.util.HashSet<>();
                for (software.amazon.awssdk.services.s3.model.S3Object o : dl.walObjects(server, m)) {
                    checkInterrupted();
                    left(total, n0);
                    String name = Layout.walName(o.key()).orElseThrow();
                    String p = dl.wal(o.key(), walDir.resolve(name));
                    if (p != null) {
                        problems.add(p);
                    }
                    names.add(name);
                    bytes += o.size();
                    walFiles++;
                }
                // the WAL the backup itself needs to be consistent
                if (m.beginWal() != null && m.endWal() != null) {
                    for (long i = Layout.segmentIndex(m.beginWal(), m.segmentSize()); i <= Layout.segmentIndex(m.endWal(), m.segmentSize()); i++) {
                        String n = Layout.segmentName(Layout.timeline(m.endWal()), i, m.segmentSize());
                        if (!names.contains(n)) {
                            problems.add("MISSING WAL " + n + " (needed by backup " + id + ")");
                        }
                    }
                }
            }
            rep.facts.bytes("downloaded", bytes);
            rep.facts.count("wal-files", walFiles);
            if (!problems.isEmpty()) {
                rep.fail("download", (problems.size() > 3 ? problems.size() + " problems: " : "")
                        + String.join(" | ", problems.subList(0, Math.min(3, problems.size()))));
                return false;
            }
            List<String> conf = new ArrayList<>();
            conf.add("# barmand restore test from S3: the WAL downloaded from s3://" + os.bucket());
            conf.add("restore_command = 'cp \"" + walDir.toString().replace("'", "''") + "/%f\" \"%p\"'");
            if (rs.target().pointInTime()) {
                if (targetTime.isPresent()) {
                    conf.add("recovery_target_time = '" + BARMAN_TIME.format(targetTime.get().atOffset(java.time.ZoneOffset.UTC)) + "'");
                } else {
                    conf.add("recovery_target_lsn = '" + rs.target().lsn().orElseThrow() + "'");
                }
                conf.add("recovery_target_action = 'promote'");
            }
            Files.write(dir.resolve("postgresql.auto.conf"), conf, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            Files.writeString(dir.resolve("recovery.signal"), "");
            if (sc instanceof Scratch local) {
                local.chownTree();
            }
            return true;
        } catch (IOException e) {
            rep.fail("download", "cannot write into " + dir + ": " + e.getMessage());
            return false;
        }
    }

    /** On the worker: waits for the promoted instance, records RTO and recovery point, runs the SQL checks. */
    private boolean sqlChecks(RestoreSettings rs, Instance sc, ScratchDb db, Duration total, long n0, Optional<Instant> targetTime,
                              Report rep) {
        try (Connection c = promoted(db, total, n0)) {
            double rto = (System.nanoTime() - n0) / 1e9;
            rep.facts.seconds("rto", rto);
            // recovery point reached
            String replay = ScratchDb.one(c, "SELECT pg_last_xact_replay_timestamp()");
            String lsn = ScratchDb.one(c, "SELECT pg_last_wal_replay_lsn()");
            if (replay != null) {
                rep.facts.instant("recovery-point", Instant.parse(ScratchDb.one(c,
                        "SELECT to_char(pg_last_xact_replay_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")));
            }
            if (lsn != null) {
                rep.facts.lsn("replay-lsn", lsn);
            }
            long v0 = System.nanoTime();
            verify(rs, db, c, rep, targetTime);
            rep.facts.seconds("sql", (System.nanoTime() - v0) / 1e9);
            return true;
        } catch (SQLException e) {
            rep.fail("connect", e.getMessage() + " (" + logTail(sc) + ")");
            return false;
        }
    }

    /** Waits until the instance answers and is out of recovery (promoted), within the job's time. */
    private Connection promoted(ScratchDb db, Duration total, long n0) throws SQLException {
        SQLException last = null;
        while (true) {
            checkInterrupted();
            if (left(total, n0).compareTo(Duration.ofSeconds(1)) <= 0) {
                throw new BarmandException(Category.TIMEOUT, "scratch instance not promoted within the timeout of " + total
                        + (last == null ? "" : ": " + last.getMessage()));
            }
            try {
                Connection c = db.connect("postgres", 10);
                if ("f".equals(ScratchDb.one(c, "SELECT pg_is_in_recovery()"))) {
                    return c;
                }
                c.close();
            } catch (SQLException e) {
                last = e;
            }
            sleep(50);
        }
    }

    private void verify(RestoreSettings rs, ScratchDb db, Connection c, Report rep, Optional<Instant> targetTime) throws SQLException {
        List<String> dbs = ScratchDb.column(c, "SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY 1");
        rep.facts.count("databases", dbs.size());
        long userTables = 0;
        for (String name : dbs) {
            try (Connection dc = db.connect(name, 10)) {
                userTables += Long.parseLong(ScratchDb.one(dc, "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                        + "ON n.oid = c.relnamespace WHERE c.relkind IN ('r','p') AND n.nspname NOT IN ('pg_catalog','information_schema') "
                        + "AND n.nspname NOT LIKE 'pg_toast%'"));
            }
        }
        rep.facts.count("user-tables", userTables);
        List<String> rows = new ArrayList<>();
        for (String t : rs.verify().tables()) {
            String dbName = t.substring(0, t.indexOf(':'));
            String[] q = t.substring(t.indexOf(':') + 1).split("\\.", 2);
            try (Connection dc = db.connect(dbName, 10)) {
                rows.add(t + "=" + ScratchDb.one(dc, "SELECT count(*) FROM \"" + q[0].replace("\"", "\"\"") + "\".\""
                        + q[1].replace("\"", "\"\"") + "\""));
            } catch (SQLException e) {
                rep.fail("table " + t, e.getMessage());
            }
        }
        if (!rows.isEmpty()) {
            rep.facts.text("rows", String.join(",", rows));
        }
        for (RestoreSettings.Assertion a : rs.verify().assertions()) {
            try (Connection dc = db.connect(a.database(), 10)) {
                String got = ScratchDb.one(dc, a.query());
                if (!a.expect().equals(got)) {
                    rep.fail("assertion " + a.name(), "expected " + a.expect() + ", got " + got);
                }
            } catch (SQLException e) {
                rep.fail("assertion " + a.name(), e.getMessage());
            }
        }
        if (rs.canary().enabled()) {
            canary(rs, db, rep, targetTime);
        }
    }

    private void canary(RestoreSettings rs, ScratchDb db, Report rep, Optional<Instant> targetTime) {
        RestoreSettings.Canary k = rs.canary();
        try (Connection dc = db.connect(k.database(), 10)) {
            Optional<Canary.Row> newest = Canary.lastAtOrBefore(dc, k, null);
            if (newest.isEmpty()) {
                rep.fail("canary", "no canary row in the restored " + k.database() + "." + k.schema() + "." + k.table());
                return;
            }
            Instant now = clock.instant();
            rep.facts.instant("canary-newest", newest.get().writtenAt());
            if (targetTime.isPresent()) {
                Instant t = targetTime.get();
                Optional<Canary.Row> expected = new Canary(k).lastOnPrimaryAtOrBefore(t);
                long after = Canary.countAfter(dc, k, t);
                if (expected.isPresent() && !Canary.exists(dc, k, expected.get().id())) {
                    rep.fail("canary", "the last canary before the target (id " + expected.get().id() + " at "
                            + expected.get().writtenAt() + ") is missing");
                }
                if (after > 0) {
                    rep.fail("canary", after + " canary row(s) written after the target " + t + " were restored");
                }
                rep.facts.seconds("canary-before-target", Duration.between(newest.get().writtenAt(), t));
            } else {
                rep.facts.seconds("canary-age", Duration.between(newest.get().writtenAt(), now));
            }
        } catch (SQLException e) {
            rep.fail("canary", e.getMessage());
        } catch (BarmandException e) {
            rep.fail("canary", e.getMessage());
        }
    }

    /** The relations and blocks pg_amcheck names, a few of them. */
    static String amcheckFindings(CommandResult r) {
        List<String> found = new ArrayList<>();
        String[] lines = (r.stdout() + "\n" + r.stderrTail()).split("\n");
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i].strip();
            if ((l.startsWith("heap table") || l.startsWith("btree index")) && l.endsWith(":") && i + 1 < lines.length
                    && lines[i + 1].startsWith(" ")) {
                // pg_amcheck names the relation (and block), then says what is wrong on the next, indented line
                l = l + " " + lines[++i].strip().replaceAll("\\s+", " ");
            }
            if (l.startsWith("heap table") || l.startsWith("btree index") || l.startsWith("pg_amcheck: error")) {
                if (!found.contains(l) && found.size() < 4) {
                    found.add(l);
                }
            }
        }
        if (found.isEmpty()) {
            found.add("exit code " + r.exitCode() + ": " + lastLines(r.stdout() + "\n" + r.stderrTail(), 3));
        }
        return String.join(" | ", found);
    }

    private static String logTail(Instance sc) {
        {
            String log = sc.log();
            // what went wrong is in the FATAL/PANIC/ERROR lines (with their CONTEXT), not in the shutdown that follows
            List<String> bad = new ArrayList<>();
            for (String l : log.split("\n")) {
                if (l.matches(".*\\b(FATAL|PANIC|ERROR|CONTEXT):.*") && !bad.contains(l.replaceFirst("^.*?\\] ", ""))) {
                    bad.add(l.replaceFirst("^.*?\\] ", ""));
                }
            }
            return log.isBlank() ? "no scratch.log" : bad.isEmpty() ? lastLines(log, 3) : lastLines(String.join("\n", bad), 3);
        }
    }

    private static void check(CommandResult r, String what, Duration total) {
        if (r.interrupted()) {
            throw new BarmandException(Category.INTERRUPTED, what + " interrupted (daemon stopping)");
        }
        if (r.timedOut()) {
            throw new BarmandException(Category.TIMEOUT, what + ": restore test ran past its timeout of " + total);
        }
    }

    private static void checkInterrupted() {
        if (Thread.currentThread().isInterrupted()) {
            throw new BarmandException(Category.INTERRUPTED, "restore test interrupted (daemon stopping)");
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BarmandException(Category.INTERRUPTED, "restore test interrupted (daemon stopping)");
        }
    }

    static String lastLines(String s, int n) {
        String[] l = s.strip().split("\n");
        List<String> out = new ArrayList<>();
        for (int i = Math.max(0, l.length - n); i < l.length; i++) {
            if (!l[i].isBlank()) {
                out.add(l[i].strip());
            }
        }
        return String.join(" / ", out);
    }

    private static Duration left(Duration total, long n0) {
        Duration d = total.minusNanos(System.nanoTime() - n0);
        if (d.isNegative() || d.isZero()) {
            throw new BarmandException(Category.TIMEOUT, "restore test ran past its timeout of " + total);
        }
        return d;
    }

    static Timestamp ts(Instant i) {
        return Timestamp.from(i);
    }
}
