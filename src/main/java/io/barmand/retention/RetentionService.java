package io.barmand.retention;

import io.barmand.history.FactNames;
import io.barmand.config.Names;
import io.barmand.barman.BarmanClient;
import io.barmand.barman.BarmanRecords.BackupSummary;
import io.barmand.barman.BackupInfo;
import io.barmand.bucket.Catalog;
import io.barmand.bucket.Layout;
import io.barmand.bucket.Manifest;
import io.barmand.bucket.S3Store;
import io.barmand.config.JobKind;
import io.barmand.config.OffsiteSettings;
import io.barmand.config.RetentionPolicy;
import io.barmand.config.RetentionSettings;
import io.barmand.config.ServerSettings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.history.Facts;
import io.barmand.history.Outcome;
import io.barmand.history.RunFigures;
import io.barmand.history.RunRecord;
import io.barmand.history.RunStore;
import io.barmand.job.JobService;
import io.barmand.job.RunContext;
import io.barmand.job.RunOptions;
import io.barmand.vocabulary.RestoreSource;
import io.barmand.vocabulary.KeepRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The retention job of a server: the plans of its Barman catalogue and of its copies in the bucket
 * ({@link RetentionEngine}), applied with Barman's own commands and explicit S3 deletes. The runner never runs it
 * beside a backup, copy, restore test or verify of the server (ConflictRules), so nothing reads a backup it deletes.
 * <p>
 * Local, in the order of the package documentation: {@code barman keep --target standalone} on the backups a tier
 * alone keeps (written down first in STATE-DIR/retention-keeps, so that barmand knows its own keeps from an
 * admin's), {@code barman keep --release} where no tier wants a keep of barmand's any more, then {@code barman
 * delete}, oldest first. In the bucket: each expired copy loses its manifest first (so that a half-deleted copy never
 * looks whole), then its objects; then the WAL objects older than the oldest copy the window or a rail keeps, except
 * those a copy kept by a tier alone needs; then every kept copy is checked (HEAD of each object against its manifest)
 * and the WAL from the oldest such copy on has no gap.
 */
public final class RetentionService implements JobService {
    private static final Logger log = LoggerFactory.getLogger(RetentionService.class);
    static final String KEEPS = "retention-keeps";
    /** The copies the S3 policy expired (STATE-DIR/offsite-expired/SERVER@ID.keep): copied, so no rail holds them. */
    static final String EXPIRED = "offsite-expired";
    private static final DateTimeFormatter BACKUP_ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss");
    /** The journal line with the time of Barman's annotation of barmand's keep. */
    static final String ANNOTATION = "barman-annotation-written: ";
    /** An older barmand's entry (no time noted): its keep's annotation is written at most this long after it. */
    static final Duration LEGACY_KEEP_WINDOW = Duration.ofMinutes(10);

    /** Checks one copy in the bucket without downloading it; its problems, empty when whole. */
    public interface CopyCheck {
        List<String> problems(String server, String backupId);
    }

    private final BarmanClient barman;
    private final RunStore store;
    private final Map<String, ServerSettings> servers;
    private final Function<OffsiteSettings, S3Store> stores;
    private final CopyCheck copyCheck;
    private final KeepRegistry underTest;
    private final Path stateDir;
    private final Clock clock;

    /** Without backups held by another capability (tests of retention alone). */
    public RetentionService(BarmanClient barman, RunStore store, Map<String, ServerSettings> servers,
                            Function<OffsiteSettings, S3Store> stores, CopyCheck copyCheck, Path stateDir, Clock clock) {
        this(barman, store, servers, stores, copyCheck, KeepRegistry.NONE, stateDir, clock);
    }

    /** @param underTest the backups restore tests hold now: kept, and their keeps barmand's (never an admin's rail) */
    public RetentionService(BarmanClient barman, RunStore store, Map<String, ServerSettings> servers,
                            Function<OffsiteSettings, S3Store> stores, CopyCheck copyCheck, KeepRegistry underTest,
                            Path stateDir, Clock clock) {
        this.underTest = underTest;
        this.barman = barman;
        this.store = store;
        this.servers = servers;
        this.stores = stores;
        this.copyCheck = copyCheck;
        this.stateDir = stateDir;
        this.clock = clock;
    }

    @Override
    public JobKind kind() {
        return JobKind.RETENTION;
    }

    /** A chained run carries the backup it follows (ignored); {@code --allow-mass-delete}; nothing else. */
    @Override
    public void check(RunOptions options) {
        if (options.target().isPresent()) {
            throw new BarmandException(Category.USAGE, "job 'retention' takes no --target");
        }
        if (options.source().isPresent()) {
            throw new BarmandException(Category.USAGE, "job 'retention' takes no --from");
        }
    }

    /** Whether the server has retention on (for the chain after its backups). */
    public boolean enabled(String server) {
        ServerSettings s = servers.get(server);
        return s != null && s.retention().isPresent();
    }

    /** Whether its run follows each new backup (retention on, after-backup): after its offsite copy when offsite is on. */
    public boolean followsBackups(String server) {
        ServerSettings s = servers.get(server);
        return s != null && s.retention().map(RetentionSettings::afterBackup).orElse(false);
    }

    /**
     * Both plans of a server, touching nothing.
     *
     * @param barmanPolicy Barman's own retention_policy when set (barmand then refuses to apply anything)
     * @param s3           the bucket's plan, when offsite is on
     * @param copies       the manifests of the copies in the bucket, by backup id
     * @param s3Error      why the bucket could not be read ("" when it was)
     * @param foreignKeeps the backups barmand's journal names whose keep in Barman is no longer barmand's, with why:
     *                     their entries are dropped by the run, their keeps are an admin's (a rail)
     */
    public record Plans(String server, Optional<String> barmanPolicy, Plan local, Optional<Plan> s3,
                        Map<String, Manifest> copies, String s3Error, Map<String, String> foreignKeeps) {
        public Plans {
            foreignKeeps = Map.copyOf(foreignKeeps);
        }
    }

    /** The plans of {@code server} at {@code now} ({@code retention plan}, and the first step of a run). */
    public Plans plans(String server, boolean allowMassDelete, Duration timeout) {
        ServerSettings ss = servers.get(server);
        if (ss == null) {
            throw new BarmandException(Category.USAGE, "unknown server '" + server + "' (servers: "
                    + String.join(", ", new TreeSet<>(servers.keySet())) + ")");
        }
        RetentionSettings rs = ss.retention().orElseThrow(() -> new BarmandException(Category.CONFIG,
                "retention is off for server " + server + ": set servers." + server + ".retention.enabled = true"));
        Instant now = clock.instant();
        Optional<String> barmanPolicy = barman.retentionPolicy(server, timeout);
        // the bucket first: the local plan needs to know which backups have a whole copy
        Map<String, Manifest> copies = new LinkedHashMap<>();
        String s3Error = "";
        boolean offsiteOn = ss.offsite().enabled();
        if (offsiteOn) {
            try (S3Store st = stores.apply(ss.offsite())) {
                Catalog cat = new Catalog(st);
                for (String id : cat.copiedBackups(server)) {
                    cat.manifest(server, id).ifPresent(m -> copies.put(id, m));
                }
            } catch (RuntimeException e) {
                s3Error = e.getMessage();
                log.warn("{}: the bucket cannot be read ({}): no backup counts as copied offsite", server, s3Error);
            }
        }
        List<RunRecord> tests = store == null ? List.of()
                : store.lastN(server, JobKind.RESTORE_TEST.id(), Outcome.SUCCESS, 10_000);
        Set<String> passedLocal = new HashSet<>();
        Set<String> passedS3 = new HashSet<>();
        for (RunRecord r : tests) {
            if (r.backupId() != null) {
                (r.facts().text(FactNames.SOURCE).filter(RestoreSource.S3::is).isPresent() ? passedS3 : passedLocal).add(r.backupId());
            }
        }
        // copied offsite: in the bucket now, expired from it by the S3 policy, or a copy run recorded for it
        Set<String> copied = new HashSet<>(copies.keySet());
        if (offsiteOn) {
            copied.addAll(journal(EXPIRED, server));
            if (store != null) {
                for (RunRecord r : store.lastN(server, JobKind.OFFSITE.id(), Outcome.SUCCESS, 10_000)) {
                    if (r.backupId() != null) {
                        copied.add(r.backupId());
                    }
                }
            }
        }
        Set<String> ours = journal(KEEPS, server);
        Set<String> underTest = this.underTest.keptBy(server);
        List<Candidate> local = new ArrayList<>();
        Map<String, String> foreign = new LinkedHashMap<>();
        for (BackupSummary b : barman.listBackups(server, timeout)) {
            BarmanClient.Keep keep = barman.keepOf(server, b.backupId(), timeout);
            boolean kept = keep.kept();
            boolean mine = false;
            if (ours.contains(b.backupId())) {
                String why = ownKeep(server, b.backupId(), keep);
                mine = why.isEmpty();
                if (!mine) {
                    foreign.put(b.backupId(), why);
                }
            }
            boolean barmands = kept && (mine || underTest.contains(b.backupId()));
            Instant end = backupTime(server, b, timeout);
            local.add(new Candidate(b.backupId(), end, Candidate.Status.of(b.status()), barmands,
                    passedLocal.contains(b.backupId()), copied.contains(b.backupId()),
                    underTest.contains(b.backupId()) ? Optional.of("restore test") : Optional.empty(), kept && !barmands));
        }
        // a clock that jumped forward shows the newest backup as old: both plans refused
        Optional<String> stale = RetentionEngine.staleNewest(local, now, rs.newestBackupMaxAge());
        Plan lp = RetentionEngine.refuseIf(RetentionEngine.plan(rs.local(), local, now, offsiteOn, allowMassDelete), stale);
        Optional<Plan> sp = Optional.empty();
        if (offsiteOn && rs.s3().isPresent() && s3Error.isEmpty()) {
            List<Candidate> remote = new ArrayList<>();
            for (Map.Entry<String, Manifest> e : copies.entrySet()) {
                remote.add(new Candidate(e.getKey(), copyEnd(e.getValue(), ss.timezone()), Candidate.Status.DONE, false,
                        passedS3.contains(e.getKey()), true, Optional.empty()));
            }
            sp = Optional.of(RetentionEngine.refuseIf(RetentionEngine.plan(rs.s3().get(), remote, now, false, allowMassDelete), stale));
        }
        return new Plans(server, barmanPolicy, lp, sp, copies, s3Error, foreign);
    }

    /**
     * Why barmand's journal entry of a backup no longer names Barman's keep of it, or "" when it still does: the keep
     * is barmand's only while Barman's target is {@code standalone} (the only one barmand takes) and Barman wrote it
     * when barmand took it. barmand notes the annotation's time after its own {@code barman keep}; a keep released
     * and taken again by hand (or re-taken with the same target) has a later one. An entry of an older barmand, with
     * no time noted, is matched against the time the entry was written (just before its keep): the annotation
     * must be from then to {@link #LEGACY_KEEP_WINDOW} later. When Barman's folders can't be read (the keep from
     * {@code barman keep --status}, without a time), a keep taken again by hand with the same target can't be told
     * apart: the entry is trusted.
     */
    String ownKeep(String server, String id, BarmanClient.Keep keep) {
        if (!keep.kept()) {
            return "Barman has no keep on it any more (released by hand)";
        }
        if (!keep.target().equals("standalone")) {
            return "Barman's keep is now --target " + keep.target() + ", not barmand's standalone one (an admin's)";
        }
        if (keep.since().isEmpty()) {
            return "";
        }
        Instant since = keep.since().get();
        Path entry = stateDir.resolve(KEEPS).resolve(server + "@" + id + ".keep");
        try {
            Optional<Instant> noted = Files.readAllLines(entry).stream().filter(l -> l.startsWith(ANNOTATION))
                    .map(l -> l.substring(ANNOTATION.length()).strip()).findFirst().map(Instant::parse);
            if (noted.isPresent()) {
                return Duration.between(noted.get(), since).abs().compareTo(Duration.ofMillis(1)) <= 0 ? ""
                        : "Barman's keep was written again at " + since + " (barmand's at " + noted.get()
                        + "): kept again by hand (an admin's)";
            }
            Instant written = Files.getLastModifiedTime(entry).toInstant();
            return !since.isBefore(written.minusSeconds(2)) && !since.isAfter(written.plus(LEGACY_KEEP_WINDOW)) ? ""
                    : "Barman's keep was written at " + since + ", not when barmand took it (" + written
                    + "): kept again by hand (an admin's)";
        } catch (IOException | java.time.format.DateTimeParseException e) {
            return "barmand's note of it can't be read (" + e.getMessage() + "): taken for an admin's";
        }
    }

    @Override
    public Result execute(RunContext ctx) {
        String server = ctx.server();
        Plans plans = plans(server, ctx.options().allowMassDelete(), ctx.left());
        Facts.Builder f = Facts.builder();
        List<String> failed = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        if (plans.barmanPolicy().isPresent()) {
            String why = "Barman's own retention_policy = " + plans.barmanPolicy().get() + " is set for " + server
                    + ": barman cron would delete the backups barmand's tiers keep; empty it in Barman's configuration"
                    + " of the server (the playbook does when barmand's retention is on): nothing done";
            return Result.failed(new RunFigures(null, null, null, List.of("barman-retention-policy"), why, why,
                    f.text(FactNames.REFUSED, why).build()));
        }
        // barmand's journal follows Barman: an entry whose keep is no longer barmand's is dropped (an admin's now)
        for (Map.Entry<String, String> e : plans.foreignKeeps().entrySet()) {
            forget(server, e.getKey());
            log.warn("{}: backup {}: barmand's note of its standalone keep dropped: {}", server, e.getKey(), e.getValue());
        }
        if (!plans.foreignKeeps().isEmpty()) {
            text(f, FactNames.KEEP_NOTES_DROPPED, List.copyOf(plans.foreignKeeps().keySet()));
        }
        // local
        Plan lp = plans.local();
        f.count(FactNames.BACKUPS, lp.decisions().size());
        Long walBefore = barman.archivedWalBytes(server).orElse(null);
        Applied la = new Applied();
        if (lp.refused()) {
            failed.add("refused");
            errors.add("local: " + lp.refusal());
            f.text(FactNames.REFUSED, lp.refusal());
        } else {
            try {
                applyLocal(server, lp, la, ctx);
            } catch (BarmandException e) {
                failed.add("local");
                errors.add("local: " + e.getMessage());
            }
        }
        f.count(FactNames.DELETED, la.deleted.size()).count(FactNames.STANDALONE, la.marked.size()).count(FactNames.RELEASED, la.released.size());
        text(f, FactNames.DELETED_BACKUPS, la.deleted);
        text(f, FactNames.STANDALONE_BACKUPS, la.marked);
        text(f, FactNames.RELEASED_BACKUPS, la.released);
        f.count(FactNames.KEPT, lp.decisions().size() - la.deleted.size());
        barman.archivedWalBytes(server).ifPresent(after -> {
            if (walBefore != null) {
                f.bytes(FactNames.WAL_BEFORE, walBefore).bytes(FactNames.WAL_AFTER, after);
            }
        });
        // the bucket
        ServerSettings ss = servers.get(server);
        if (ss.offsite().enabled()) {
            if (!plans.s3Error().isEmpty()) {
                failed.add("s3");
                errors.add("s3: the bucket cannot be read: " + plans.s3Error());
            } else if (plans.s3().isPresent()) {
                Plan sp = plans.s3().get();
                f.count(FactNames.S3_COPIES, sp.decisions().size());
                if (sp.refused()) {
                    failed.add("s3-refused");
                    errors.add("s3: " + sp.refusal());
                    f.text(FactNames.S3_REFUSED, sp.refusal());
                } else {
                    try (S3Store st = stores.apply(ss.offsite())) {
                        S3Applied sa = applyS3(server, st, sp, plans.copies(), ctx);
                        f.count(FactNames.S3_DELETED, sa.deleted.size()).count(FactNames.S3_WAL_DELETED, sa.walDeleted)
                                .bytes(FactNames.S3_FREED, sa.freed).count(FactNames.S3_VERIFIED, sa.verified);
                        text(f, FactNames.S3_DELETED_BACKUPS, sa.deleted);
                        if (!sa.problems.isEmpty()) {
                            failed.add("s3-verify");
                            errors.add("s3: after expiry: " + String.join("; ", sa.problems));
                        }
                    } catch (RuntimeException e) {
                        failed.add("s3");
                        errors.add("s3: " + e.getMessage());
                    }
                }
            }
        }
        Facts facts = f.build();
        String detail = RetentionText.detail(facts);
        if (!errors.isEmpty()) {
            String error = String.join(" | ", errors);
            return Result.failed(new RunFigures(null, null, null, failed, error, detail, facts));
        }
        return Result.ok(new RunFigures(null, null, null, List.of(), null, detail, facts));
    }

    private static void text(Facts.Builder f, String name, List<String> ids) {
        if (!ids.isEmpty()) {
            f.text(name, String.join(",", ids));
        }
    }

    /** What a local run did, as it went (kept when it stops half-way). */
    static final class Applied {
        final List<String> marked = new ArrayList<>();
        final List<String> released = new ArrayList<>();
        final List<String> deleted = new ArrayList<>();
    }

    private void applyLocal(String server, Plan plan, Applied a, RunContext ctx) {
        // 1. mark: adding protection first can only make a run cut short delete less
        for (Decision d : plan.keepsStandalone()) {
            ctx.checkCancelled();
            if (barman.keepStatus(server, d.backupId(), ctx.left()).equals("nokeep")) {
                note(server, d.backupId(), d.reason().text());
                barman.keep(server, d.backupId(), "standalone", ctx.left());
                barman.keepOf(server, d.backupId(), ctx.left()).since().ifPresent(t -> noteAnnotation(server, d.backupId(), t));
                log.info("{}: backup {} kept standalone ({})", server, d.backupId(), d.reason().text());
                a.marked.add(d.backupId());
            }
        }
        // 2. release the keeps no tier wants, the backup staying
        for (Decision d : plan.decisions()) {
            if (d.verdict() == Verdict.RELEASE_AND_KEEP) {
                ctx.checkCancelled();
                release(server, d.backupId(), ctx);
                a.released.add(d.backupId());
            }
        }
        // 3. delete, oldest first (the WAL each one held goes as Barman deletes it)
        List<Decision> deletes = new ArrayList<>(plan.deletes());
        Collections.reverse(deletes);
        for (Decision d : deletes) {
            ctx.checkCancelled();
            if (d.verdict() == Verdict.RELEASE_AND_DELETE) {
                release(server, d.backupId(), ctx);
                a.released.add(d.backupId());
            }
            barman.delete(server, d.backupId(), ctx.left());
            log.info("{}: backup {} deleted ({})", server, d.backupId(), d.reason().text());
            a.deleted.add(d.backupId());
        }
        // keeps written down that Barman no longer has (released by hand): forgotten
        for (String id : journal(KEEPS, server)) {
            Decision d = plan.decision(id);
            if (d == null || d.verdict().deletes()) {
                forget(server, id);
            }
        }
        // expired copies of backups Barman no longer has: nothing left to judge
        for (String id : journal(EXPIRED, server)) {
            Decision d = plan.decision(id);
            if (d == null || d.verdict().deletes()) {
                forget(EXPIRED, server, id);
            }
        }
    }

    private void release(String server, String id, RunContext ctx) {
        barman.releaseKeep(server, id, ctx.left());
        forget(server, id);
        log.info("{}: keep of backup {} released (no tier wants it)", server, id);
    }

    /** What an S3 run did. */
    static final class S3Applied {
        final List<String> deleted = new ArrayList<>();
        int walDeleted;
        long freed;
        int verified;
        final List<String> problems = new ArrayList<>();
    }

    private S3Applied applyS3(String server, S3Store st, Plan plan, Map<String, Manifest> copies, RunContext ctx) {
        Layout layout = new Layout(st.settings().prefix());
        S3Applied a = new S3Applied();
        List<Decision> deletes = new ArrayList<>(plan.deletes());
        Collections.reverse(deletes);
        for (Decision d : deletes) {
            ctx.checkCancelled();
            // noted first: the local backup was copied, its copy expired; no rail holds it for want of a copy
            note(EXPIRED, server, d.backupId(), "offsite copy expired by the S3 policy at " + clock.instant() + ": "
                    + d.reason().text());
            // the manifest first: from now on the copy is incomplete to every reader, never taken for whole
            st.delete(layout.manifest(server, d.backupId()));
            for (S3Object o : st.list(layout.backup(server, d.backupId()))) {
                st.delete(o.key());
                a.freed += o.size();
            }
            log.info("{}: offsite copy {} deleted ({})", server, d.backupId(), d.reason().text());
            a.deleted.add(d.backupId());
        }
        // the WAL: everything from the oldest copy the window or a rail keeps on, and each tier-only copy's own range
        Long base = null;
        long segmentSize = 16L * 1024 * 1024;
        Set<String> needed = new HashSet<>();
        List<String> kept = new ArrayList<>();
        for (Decision d : plan.decisions()) {
            if (d.verdict().deletes()) {
                continue;
            }
            Manifest m = copies.get(d.backupId());
            kept.add(d.backupId());
            if (m == null || m.beginWal() == null) {
                base = Long.MIN_VALUE; // a copy whose WAL is unknown: keep every WAL
                continue;
            }
            segmentSize = m.segmentSize() > 0 ? m.segmentSize() : segmentSize;
            if (d.verdict() == Verdict.KEEP_STANDALONE) {
                needed.addAll(m.neededWal());
                // marked before its later WAL goes, so that a verify knows the gap after it is by design
                String mark = layout.standalone(server, d.backupId());
                if (st.head(mark).isEmpty()) {
                    st.put(mark, ("kept by " + d.reason().text() + " (barmand retention, " + clock.instant()
                            + "): only its own WAL " + m.beginWal() + ".." + m.endWal() + " is kept\n")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8), "text/plain", Map.of());
                }
            } else {
                long b = Layout.segmentIndex(m.beginWal(), segmentSize);
                base = base == null ? b : Math.min(base, b);
            }
        }
        List<String> remaining = new ArrayList<>();
        if (base == null) {
            base = Long.MAX_VALUE; // every kept copy is a tier's alone: only their own WAL stays
        }
        for (S3Object o : st.list(layout.wals(server))) {
            // the whole key must be barmand's (PREFIX/SERVER/wals/TTTTTTTTLLLLLLLL/NAME[.zst|.gz]): another tool's
            // object whose last component looks like a WAL name (wals/other-tool/0000...) is left
            Optional<String> name = layout.walOf(server, o.key());
            if (name.isEmpty() || name.get().length() < 24 || !Layout.isSegment(name.get().substring(0, 24))) {
                continue; // history files, and anything not barmand's: left
            }
            String seg = name.get().substring(0, 24);
            long idx = Layout.segmentIndex(seg, segmentSize);
            if (idx < base && !needed.contains(seg)) {
                ctx.checkCancelled();
                st.delete(o.key());
                a.walDeleted++;
                a.freed += o.size();
            } else if (idx >= base && name.get().length() == 24) {
                remaining.add(seg);
            }
        }
        // verified afterwards: every kept copy whole, no gap in the WAL the window needs
        for (String id : kept) {
            ctx.checkCancelled();
            List<String> p = copyCheck.problems(server, id);
            if (p.isEmpty()) {
                a.verified++;
            } else {
                p.forEach(x -> a.problems.add("copy " + id + ": " + x));
            }
        }
        List<String> gaps = Layout.gaps(remaining, segmentSize);
        if (!gaps.isEmpty()) {
            a.problems.add("WAL gap in the bucket after expiry: " + String.join(", ", gaps.subList(0, Math.min(5, gaps.size())))
                    + (gaps.size() > 5 ? " (" + gaps.size() + " in all)" : ""));
        }
        if (a.walDeleted > 0) {
            log.info("{}: {} WAL object(s) older than the oldest kept copy deleted from the bucket", server, a.walDeleted);
        }
        return a;
    }

    /**
     * The time of a local backup as Barman gives it, never read from its id (Barman names backups in its host's
     * zone, barmand's {@code timezone} is the schedules'): {@code end_time_timestamp} of {@code list-backups}; for a
     * backup without an end (in progress, most FAILED ones) its begin ({@link BarmanClient#beginTime}); else the
     * epoch (oldest of all: such a backup is never in progress long enough to matter to the window, the tiers or the
     * clock guards, and it sorts last).
     */
    private Instant backupTime(String server, BackupSummary b, Duration timeout) {
        if (b.endTimeEpoch() > 0) {
            return Instant.ofEpochSecond(b.endTimeEpoch());
        }
        return barman.beginTime(server, b.backupId(), timeout).orElse(Instant.EPOCH);
    }

    /**
     * The end of a copy: end_time of the backup.info it carries (with its offset), else its begin_time; the time of
     * its id, read in the server's {@code timezone}, only for a copy without backup.info (none of barmand's).
     */
    static Instant copyEnd(Manifest m, ZoneId zone) {
        if (m.backupInfo() != null) {
            BackupInfo info = BackupInfo.parse(m.backupInfo());
            for (String t : new String[] {info.endTime(), info.beginTime()}) {
                if (t != null && !t.isBlank() && !t.equals("None")) {
                    try {
                        return BackupInfo.time(t);
                    } catch (DateTimeParseException e) {
                        // the next
                    }
                }
            }
        }
        return idTime(m.backupId(), zone);
    }

    /** A Barman backup id read as a time in {@code zone}: the last resort of {@link #copyEnd}, never for local backups. */
    static Instant idTime(String id, ZoneId zone) {
        try {
            return LocalDateTime.parse(id, BACKUP_ID).atZone(zone).toInstant();
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    /** The backup ids of a journal folder (STATE-DIR/NAME/SERVER@ID.keep) of this server. */
    private Set<String> journal(String name, String server) {
        return io.barmand.state.Journal.ids(stateDir.resolve(name), server);
    }

    private void note(String server, String id, String why) {
        note(KEEPS, server, id, "barman keep --target standalone by barmand's retention at " + clock.instant() + ": " + why);
    }

    /** Writes STATE-DIR/NAME/SERVER@ID.keep with {@code text}; a failure stops the run (nothing done after it). */
    private void note(String name, String server, String id, String text) {
        Names.backupId(id, "barmand's journal " + name);
        Path dir = stateDir.resolve(name);
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(server + "@" + id + ".keep"), text + "\n");
        } catch (IOException e) {
            throw new BarmandException(Category.IO, dir + ": cannot write down backup " + id + ": " + e.getMessage(), e);
        }
    }

    private void noteAnnotation(String server, String id, Instant written) {
        Path f = stateDir.resolve(KEEPS).resolve(server + "@" + id + ".keep");
        try {
            Files.writeString(f, ANNOTATION + written + "\n", java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the entry stays, matched by its own time (as an older barmand's)
            log.warn("{}: cannot note when Barman wrote the keep of backup {}: {}", f, id, e.getMessage());
        }
    }

    private void forget(String server, String id) {
        forget(KEEPS, server, id);
    }

    private void forget(String name, String server, String id) {
        if (!Names.isBackupId(id)) {
            return;
        }
        try {
            Files.deleteIfExists(stateDir.resolve(name).resolve(server + "@" + id + ".keep"));
        } catch (IOException e) {
            log.warn("{}: {}", stateDir.resolve(name), e.getMessage());
        }
    }

    /** The policies in one line each, for the plan's heading. */
    static String policies(ServerSettings ss) {
        RetentionSettings rs = ss.retention().orElseThrow();
        return "local: " + rs.local().summary() + rs.s3().map(RetentionPolicy::summary).map(x -> "\ns3: " + x).orElse("");
    }
}
