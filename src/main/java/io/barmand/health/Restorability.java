package io.barmand.health;

import io.barmand.config.ReportSettings;
import io.barmand.vocabulary.Restorable;
import io.barmand.vocabulary.RestoreSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Can this server be restored, and to when: the newest point Barman can restore it to (its newest WAL), the newest
 * the offsite copy alone reaches, the restore test that last proved it, and the verdict ({@link Restorable}) with
 * the reasons for it. The rules are here, one small function each, applied to typed facts ({@link Facts}) that
 * {@link Health} gathers from Barman's files and the history:
 * <ul>
 *   <li>NOT restorable: no DONE backup ({@link #noBackup}); a WAL segment missing between the newest DONE backup's
 *   begin and the archive's newest ({@link #brokenChain}).</li>
 *   <li>at risk: never proven by a restore test ({@link #neverTested}); the newest restore test (of a source) failed
 *   ({@link #lastTestFailed}); the last passed one is older than {@code health.restore-test-max-age}
 *   ({@link #oldProof}); the newest WAL older than {@code health.wal-max-age} ({@link #oldWal}); the newest backup
 *   older than {@code health.backup-max-age} ({@link #oldBackup}); the offsite copy failed, has WAL gaps or is
 *   behind by more than {@code health.offsite-wal-max-age} ({@link #offsiteBehind}); the newest verify failed
 *   ({@link #verifyFailed}).</li>
 *   <li>restorable: none of these.</li>
 * </ul>
 *
 * @param restorableTo the newest point Barman can restore to (its newest WAL's archive time, else the backup's end)
 * @param rpo how old {@code restorableTo} was at the evaluation: the data lost if the server died then
 * @param offsiteRestorableTo the newest point the offsite copy alone reaches (its newest WAL in S3); empty when offsite
 *                            is off or has no WAL yet
 * @param backupId the newest DONE backup
 * @param proof the last passed restore test
 * @param reasons why the verdict is not "restorable", worst first
 */
public record Restorability(String server, Restorable verdict, Optional<Instant> restorableTo, Optional<Duration> rpo,
                            Optional<Instant> offsiteRestorableTo, Optional<String> backupId, Optional<Proof> proof,
                            List<Reason> reasons) {
    public Restorability {
        reasons = List.copyOf(reasons);
    }

    /** A passed restore test: when it ended, where it read the backup, how long the restore took. */
    public record Proof(long runId, Instant ended, RestoreSource source, Optional<Double> rtoSeconds) {
    }

    /** The newest ended restore test of one source (failed, interrupted or passed). */
    public record TestRun(long runId, Instant ended, RestoreSource source, boolean passed, String outcome) {
    }

    /**
     * The offsite copy as its newest runs recorded it (present only when offsite is on for the server).
     *
     * @param lastRun the newest ended offsite run: its id, whether it succeeded, when it ended (empty: none yet)
     * @param backupId the backup the newest successful run holds in S3
     * @param newestWalInS3 when the newest WAL in S3 was archived, as the newest successful run saw it
     * @param walGaps WAL segments missing in S3, as the newest successful run counted them
     */
    public record Offsite(Optional<TestRun> lastRun, Optional<String> backupId, Optional<Instant> newestWalInS3,
                          boolean walEnabled, long walGaps) {
    }

    /**
     * What the rules read.
     *
     * @param barmanKnown whether Barman's files were read; when not, {@code backupId}/{@code backupEnded} come from
     *                    the history's newest successful backup and the chain is not checked
     * @param firstMissingWal the first segment missing from the newest DONE backup's chain
     * @param tests the newest ended restore test of each source
     * @param lastVerifyFailed the newest ended verify run, when it failed
     */
    public record Facts(boolean barmanKnown, Optional<String> backupId, Optional<Instant> backupEnded,
                        Optional<Instant> newestWal, Optional<String> firstMissingWal, Optional<Proof> proof,
                        List<TestRun> tests, Optional<Offsite> offsite, Optional<Long> lastVerifyFailed) {
        public Facts {
            tests = List.copyOf(tests);
        }
    }

    /** One reason, its weight, and its words. */
    public record Reason(Restorable level, String text) {
    }

    /** A rule: a reason, or none. */
    interface Rule extends Function<Context, Optional<Reason>> {
    }

    /** What a rule sees: the facts, the thresholds and the instant of the evaluation. */
    record Context(Facts f, ReportSettings limits, Instant now) {
    }

    /** Every rule, in the order their reasons are told. */
    static final List<Rule> RULES = List.of(Restorability::noBackup, Restorability::brokenChain,
            Restorability::lastTestFailed, Restorability::neverTested, Restorability::oldProof, Restorability::oldWal,
            Restorability::oldBackup, Restorability::offsiteBehind, Restorability::verifyFailed);

    /** The verdict of one server at {@code now}. */
    public static Restorability judge(String server, Facts f, ReportSettings limits, Instant now) {
        Context c = new Context(f, limits, now);
        List<Reason> reasons = new ArrayList<>();
        for (Rule r : RULES) {
            r.apply(c).ifPresent(reasons::add);
        }
        reasons.sort(Comparator.comparingInt(r -> r.level().metric()));
        Restorable v = reasons.stream().map(Reason::level).reduce(Restorable.RESTORABLE, Restorable::worst);
        Optional<Instant> to = to(f);
        Optional<Instant> offsite = f.offsite().flatMap(Offsite::newestWalInS3);
        return new Restorability(server, v, to, to.map(t -> positive(Duration.between(t, now))), offsite, f.backupId(),
                f.proof(), reasons);
    }

    /** The newest point: the newest WAL when it is after the backup's end, else the backup's end. */
    static Optional<Instant> to(Facts f) {
        if (f.backupId().isEmpty()) {
            return Optional.empty();
        }
        Optional<Instant> end = f.backupEnded();
        if (f.firstMissingWal().isPresent()) {
            return end; // the chain stops before the newest WAL: at most the backup (and the WAL before the gap)
        }
        if (f.newestWal().isPresent() && (end.isEmpty() || f.newestWal().get().isAfter(end.get()))) {
            return f.newestWal();
        }
        return end;
    }

    static Optional<Reason> noBackup(Context c) {
        if (c.f().backupId().isPresent()) {
            return Optional.empty();
        }
        return Optional.of(new Reason(Restorable.NOT_RESTORABLE, c.f().barmanKnown() ? "no DONE backup in Barman"
                : "no successful backup recorded (Barman's catalogue not read)"));
    }

    static Optional<Reason> brokenChain(Context c) {
        return c.f().backupId().flatMap(id -> c.f().firstMissingWal().map(w -> new Reason(Restorable.NOT_RESTORABLE,
                "WAL chain broken after backup " + id + ": " + w + " missing from Barman's archive")));
    }

    static Optional<Reason> lastTestFailed(Context c) {
        List<String> failed = c.f().tests().stream().filter(t -> !t.passed())
                .map(t -> "last restore test" + (t.source() == RestoreSource.S3 ? " from S3 " : " ") + t.outcome() + " (run "
                        + t.runId() + ", " + Health.age(Duration.between(t.ended(), c.now())) + " ago)").toList();
        return failed.isEmpty() ? Optional.empty() : Optional.of(new Reason(Restorable.AT_RISK, String.join("; ", failed)));
    }

    static Optional<Reason> neverTested(Context c) {
        return c.f().proof().isPresent() || c.f().backupId().isEmpty() ? Optional.empty()
                : Optional.of(new Reason(Restorable.AT_RISK, "never proven by a restore test"));
    }

    static Optional<Reason> oldProof(Context c) {
        return older(c, c.f().proof().map(Proof::ended), c.limits().restoreTestMaxAge(), "last proven",
                "health.restore-test-max-age", " ago");
    }

    static Optional<Reason> oldWal(Context c) {
        if (c.f().backupId().isEmpty()) {
            return Optional.empty();
        }
        return older(c, c.f().newestWal(), c.limits().walMaxAge(), "newest WAL archived", "health.wal-max-age", " ago");
    }

    static Optional<Reason> oldBackup(Context c) {
        return older(c, c.f().backupEnded(), c.limits().backupMaxAge(), "newest backup ended", "health.backup-max-age",
                " ago");
    }

    static Optional<Reason> offsiteBehind(Context c) {
        if (c.f().offsite().isEmpty() || c.f().backupId().isEmpty()) {
            return Optional.empty();
        }
        Offsite o = c.f().offsite().get();
        List<String> p = new ArrayList<>();
        if (o.lastRun().isEmpty()) {
            p.add("no offsite copy yet");
        } else if (!o.lastRun().get().passed()) {
            p.add("offsite copy " + o.lastRun().get().outcome() + " (run " + o.lastRun().get().runId() + ")");
        }
        if (o.walGaps() > 0) {
            p.add("offsite copy misses " + o.walGaps() + " WAL segment(s)");
        }
        if (o.walEnabled() && o.newestWalInS3().isPresent() && c.limits().offsiteWalMaxAge().isPresent()
                && c.f().newestWal().map(w -> w.isAfter(o.newestWalInS3().get())).orElse(true)) {
            Duration behind = Duration.between(o.newestWalInS3().get(), c.now());
            if (behind.compareTo(c.limits().offsiteWalMaxAge().get()) > 0) {
                p.add("offsite WAL " + Health.age(behind) + " old (health.offsite-wal-max-age = "
                        + Health.age(c.limits().offsiteWalMaxAge().get()) + ")");
            }
        }
        return p.isEmpty() ? Optional.empty() : Optional.of(new Reason(Restorable.AT_RISK, String.join("; ", p)));
    }

    static Optional<Reason> verifyFailed(Context c) {
        return c.f().lastVerifyFailed().map(id -> new Reason(Restorable.AT_RISK, "last verify failed (run " + id + ")"));
    }

    /** "newest WAL archived 7h ago (health.wal-max-age = 6h)" when {@code at} is older than the threshold. */
    private static Optional<Reason> older(Context c, Optional<Instant> at, Optional<Duration> max, String what, String key,
                                          String suffix) {
        if (at.isEmpty() || max.isEmpty()) {
            return Optional.empty();
        }
        Duration age = Duration.between(at.get(), c.now());
        if (age.compareTo(max.get()) <= 0) {
            return Optional.empty();
        }
        return Optional.of(new Reason(Restorable.AT_RISK, what + " " + Health.age(age) + suffix + " (" + key + " = "
                + Health.age(max.get()) + ")"));
    }

    private static Duration positive(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }

    /** The reasons in one line, or "" when restorable. */
    public String why() {
        return String.join("; ", reasons.stream().map(Reason::text).toList());
    }
}
