package io.barmand.restore;

import io.barmand.config.RestoreSettings;
import io.barmand.barman.BarmanClient;
import io.barmand.config.JobKind;
import io.barmand.config.JobSettings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.config.OffsiteSettings;
import io.barmand.bucket.S3Store;
import io.barmand.process.CommandResult;
import io.barmand.process.CommandRunner;
import io.barmand.job.JobService;
import io.barmand.job.RunContext;
import io.barmand.job.RunOptions;
import io.barmand.vocabulary.RestoreSource;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static io.barmand.restore.Steps.checkInterrupted;
import static io.barmand.restore.Steps.left;
import static io.barmand.restore.Steps.logTail;

/**
 * The orchestrator of a restore test ({@link BackupSource}: Barman or S3 -> a scratch folder; {@link Verifier}:
 * SQL, canary, amcheck -> facts): `barman recover` of the newest DONE backup (or a configured one) into a scratch folder, a
 * scratch instance started with barmand's configuration and recovered to the end of the WAL or to a point in
 * time, then verified through pgjdbc (databases, user tables, row counts, SQL assertions, the RPO canary) and
 * pg_amcheck. The instance is stopped and its folder removed afterwards, also on failure, timeout or interrupt
 * (daemon stopping), unless {@code keep-on-failure}.
 */
public class RestoreTestService implements JobService {
    private static final Logger log = LoggerFactory.getLogger(RestoreTestService.class);
    private static final Pattern PG_CTL_VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+)");
    private static final Duration STOP = Duration.ofSeconds(20);

    private final CommandRunner runner;
    private final Map<String, RestoreSettings> restore;
    private final Clock clock;
    private final BackupSource fromBarman;
    private final BackupSource fromS3;
    private final Verifier verifier;
    private final KeepGuard keeps;

    public RestoreTestService(BarmanClient barman, CommandRunner runner, Map<String, RestoreSettings> restore, Clock clock) {
        this(barman, runner, restore, clock, Map.of(), S3Store::new);
    }

    /** With the servers' offsite settings, for a restore test from S3. */
    public RestoreTestService(BarmanClient barman, CommandRunner runner, Map<String, RestoreSettings> restore, Clock clock,
                              Map<String, OffsiteSettings> offsite, Function<OffsiteSettings, S3Store> stores) {
        this(barman, runner, restore, clock, offsite, stores, null);
    }

    /**
     * @param keepJournal where the Barman keeps taken for running tests are written down ({@link RestoreKeeps}, the
     *                    registry retention reads), so that {@link #releaseLeftoverKeeps()} releases those of a killed
     *                    barmand; null = nowhere
     */
    public RestoreTestService(BarmanClient barman, CommandRunner runner, Map<String, RestoreSettings> restore, Clock clock,
                              Map<String, OffsiteSettings> offsite, Function<OffsiteSettings, S3Store> stores,
                              RestoreKeeps keepJournal) {
        this.keeps = new KeepGuard(barman, keepJournal == null ? null : keepJournal.journal());
        this.fromBarman = new FromBarman(barman);
        this.fromS3 = new FromS3(offsite, stores);
        this.verifier = new Verifier(clock);
        this.runner = runner;
        this.restore = restore;
        this.clock = clock;
    }

    @Override
    public JobKind kind() {
        return JobKind.RESTORE_TEST;
    }

    /** At start: releases the keeps that tests of a killed barmand took; returns how many. */
    public int releaseLeftoverKeeps() {
        return keeps.releaseLeftovers();
    }

    /** {@code --target}, {@code --backup-id} and {@code --from} are all for this job (RunOptions has checked their syntax). */
    @Override
    public void check(RunOptions options) {
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
        if (req.source().isPresent() && !req.source().get().equals(rs.source())) {
            rs = rs.withSource(req.source().get());
        }
        Instant started = clock.instant();
        Duration total = js.timeout();
        Report rep = new Report();
        // the source is a fact of every run (health, the report and retention tell the tests from S3 by it)
        rep.facts.text(io.barmand.history.FactNames.SOURCE, rs.source().id());
        rep.facts.text(io.barmand.history.FactNames.TARGET, rs.target().spec());
        if (rs.source() == RestoreSource.S3 && rs.scratchHost().isPresent()) {
            rep.fail("source", "a restore test from S3 runs on this host only, not on scratch-host " + rs.scratchHost().get().host());
            return Result.failed(rep.figures());
        }
        Optional<Instant> targetTime = rs.target().timeAt(started);

        // 1. which backup
        BackupSource source = rs.source() == RestoreSource.S3 ? fromS3 : fromBarman;
        BackupSource.Pick pick = source.lookup(server, rs, targetTime, rep, total, ctx);
        if (pick == null) {
            return Result.failed(rep.figures());
        }
        String id = pick.backupId();
        rep.backupId = id;
        io.barmand.log.LogFields.backupId(id);
        rep.sizeBytes = pick.sizeBytes();
        long need = pick.neededBytes();
        rep.facts.seconds(io.barmand.history.FactNames.LOOKUP, Steps.elapsed(total, ctx));

        if (rs.scratchHost().isEmpty()) {
            List<String> tools = new ArrayList<>(List.of("pg_ctl", "pg_amcheck"));
            if (rs.verify().manifest()) {
                tools.add("pg_verifybackup");
            }
            if (rs.verify().checksums()) {
                tools.addAll(List.of("pg_checksums", "pg_controldata"));
            }
            for (String tool : tools) {
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
        rep.facts.count(io.barmand.history.FactNames.PORT, sc.port());
        boolean passed = false;
        KeepGuard.Release release = () -> { };
        try {
            // a backup read from Barman is kept from Barman's retention until the test is over
            if (source == fromBarman) {
                release = keeps.protect(server, id, rep);
            }
            passed = run(source, server, rs, sc, id, total, ctx, started, targetTime, rep, release);
        } finally {
            // the keep is released while the scratch folder is removed (both take a moment)
            KeepGuard.Release r = release;
            java.util.concurrent.CompletableFuture<Void> released = java.util.concurrent.CompletableFuture.runAsync(io.barmand.log.LogFields.carry(r::close));
            boolean interrupted = Thread.interrupted();
            if (!passed && rs.keepOnFailure()) {
                sc.stopInstance(STOP);
                log.warn("restore test of {} failed: keeping {} for debugging (keep-on-failure)", server, sc.dir());
            } else {
                long c0 = System.nanoTime();
                String c = sc.cleanup(STOP);
                rep.facts.seconds(io.barmand.history.FactNames.CLEANUP, (System.nanoTime() - c0) / 1e9);
                if (c != null) {
                    rep.fail("cleanup", c);
                }
            }
            sc.close();
            released.join();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return passed ? Result.ok(rep.figures()) : Result.failed(rep.figures());
    }

    private boolean run(BackupSource source, String server, RestoreSettings rs, Instance sc, String id, Duration total, RunContext ctx,
                        Instant started,
                        Optional<Instant> targetTime, Report rep, KeepGuard.Release keep) {
        // 3. barman recover, or the copy in S3 downloaded, checked and unpacked, with its WAL
        Double recoverSecs = source.restore(server, id, rs, sc, targetTime, rep, total, ctx);
        if (recoverSecs == null) {
            return false;
        }
        keep.taken();
        if (rep.sizeBytes != null && recoverSecs > 0) {
            rep.throughput = (long) (rep.sizeBytes / recoverSecs);
        }
        sc.mark(Scratch.marker(server, started));
        // 4. same major version
        String version = sc.pgVersion();
        CommandResult v = sc.tool(List.of(rs.pgBinDir().resolve("pg_ctl").toString(), "--version"), Duration.ofSeconds(30));
        Steps.check(v, "pg_ctl --version", total);
        Matcher m = PG_CTL_VERSION.matcher(v.stdout());
        String binMajor = m.find() ? m.group(1) : "?";
        if (!binMajor.equals(version)) {
            rep.fail("version", "backup is PostgreSQL " + version + " but pg-bin-dir " + rs.pgBinDir() + " is " + binMajor);
            return false;
        }
        // 4b. every file against the backup's manifest, before anything changes them
        if (!verifier.manifest(rs, sc, id, rep, total, ctx)) {
            return false;
        }
        checkInterrupted();
        // 5. barmand's configuration, start; with hot_standby off the instance accepts connections only once recovered
        sc.configure();
        long s0 = System.nanoTime();
        CommandResult st = sc.start(left(total, ctx));
        Steps.check(st, "pg_ctl start", total);
        if (!st.ok()) {
            rep.fail("start", "pg_ctl start exit code " + st.exitCode() + ": " + logTail(sc));
            return false;
        }
        rep.facts.seconds(io.barmand.history.FactNames.START, (System.nanoTime() - s0) / 1e9);
        ScratchDb db = sc.db(rs.superuser());
        // JDBC calls do not answer a thread interrupt: they run on a worker, and the job's thread, interrupted
        // (daemon stopping) or past its timeout, stops the instance in its cleanup, which ends them
        java.util.concurrent.ExecutorService worker = java.util.concurrent.Executors.newSingleThreadExecutor(
                io.barmand.log.LogFields.carrying(r -> {
                    Thread t = new Thread(r, "restore-test-sql-" + server);
                    t.setDaemon(true);
                    return t;
                }));
        java.util.concurrent.Future<Boolean> sql = worker.submit(() -> verifier.sqlChecks(rs, sc, db, total, ctx, targetTime, rep));
        worker.shutdown();
        try {
            if (!sql.get(left(total, ctx).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
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
        verifier.amcheck(rs, sc, rep, total, ctx);
        if (!rep.failed.isEmpty()) {
            return false;
        }
        // 7. every page's checksum, the instance stopped cleanly
        checkInterrupted();
        verifier.checksums(rs, sc, rep, total, ctx);
        return rep.failed.isEmpty();
    }



    /** The newest copy with a manifest (or the configured one), ended before a target time; null when there is none. */


    /** On the worker: waits for the promoted instance, records RTO and recovery point, runs the SQL checks. */

    /** Waits until the instance answers and is out of recovery (promoted), within the job's time. */



    /** The relations and blocks pg_amcheck names, a few of them. */
}
