package io.barmand.retention;

import io.barmand.config.RetentionPolicy;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The retention policy applied to one catalogue: pure, deterministic, no clock inside (the caller passes now).
 *
 * <h2>Order</h2>
 * <ol>
 *   <li><b>Recovery window</b> (Barman's {@code RECOVERY WINDOW OF ...} semantics): every DONE backup needed to
 *       recover to any point of [now - window, now] is kept: all DONE backups ending at or after now - window, and
 *       the newest DONE backup ending before it, the base for the window's first moments (so daily backups and a
 *       7-day window keep 8). Like borg's {@code --keep-within}, the backups it keeps do not count for the tiers.</li>
 *   <li><b>Tiers</b>, counted exactly as {@code borg prune} counts (borg {@code prune_split},
 *       src/borg/archiver/prune_cmd.py; the same in 1.2's helpers/misc.py): daily, then weekly, monthly, yearly.
 *       Each walks the DONE backups newest first; at each new period (the backup's end in the policy's zone) it
 *       looks at the newest backup of that period: if an earlier rule (the window, an earlier tier) already keeps
 *       it, the period is used up but not counted (borg: "backups selected by previous rules do not count towards
 *       those of later rules"); else the tier keeps it and counts it, until N are counted. If a tier counts fewer
 *       than N, it keeps the oldest DONE backup as well (borg 1.2+, "[oldest]"), so that the first backup ages until
 *       a newer one meets the target. So keep-daily 7 with a 7-day window keeps 7 days beyond the window, as
 *       {@code borg prune --keep-within 10d --keep-weekly 4} keeps "4 additional end of week archives".
 *       Non-DONE backups take no part: they never fill a period.</li>
 *   <li><b>Rails</b>, after the window and the tiers, which they do not influence: they only turn a DELETE into a
 *       KEEP: the newest DONE backup; the newest DONE backup whose restore test passed; a DONE backup not copied
 *       offsite yet, when offsite is on (a copy the S3 policy expired counts as copied: the local policy alone
 *       judges that backup); anything a running job reads; the newest minimum-redundancy DONE
 *       backups; anything in progress (neither DONE nor FAILED). FAILED backups are deleted unless in use.</li>
 *   <li><b>Marks</b>: a DONE backup kept by a tier and by nothing else (neither window nor rail) is
 *       {@link Verdict#KEEP_STANDALONE}: a standalone keep lets Barman drop the WAL after its end, which must never be
 *       said of a backup the window or a rail needs. A backup carrying a Barman keep that no tier wants is released:
 *       {@link Verdict#RELEASE_AND_KEEP} when the window or a rail keeps it, else {@link Verdict#RELEASE_AND_DELETE};
 *       except while a running job reads it (a restore test takes {@code barman keep --target full} on its backup):
 *       then the keep is left alone (KEEP).</li>
 *   <li><b>Guards</b>, on the whole plan: the newest backup ending after now + {@link #CLOCK_TOLERANCE} (the clock
 *       looks wrong); the newest DONE local backup ending before now - newest-backup-max-age ({@link #staleNewest},
 *       applied by the caller to both plans of a server: a clock that jumped forward); more deletes (any status) than max-deletes-per-run; more DONE deletes than half the DONE
 *       backups. A guarded plan is refused: every verdict becomes KEEP, with the refusal as first reason.</li>
 * </ol>
 * For the bucket's copies, the same engine runs with the S3 policy: pass {@code keptByBarman = false},
 * {@code offsiteOn = false} (the copies are the offsite ones), a copy still uploading as not DONE, and
 * {@code inUseBy} for an upload or a restore test reading it.
 */
public final class RetentionEngine {
    /** How far in the future the newest backup may end before the clock is taken to be wrong. */
    public static final Duration CLOCK_TOLERANCE = Duration.ofMinutes(5);

    /** Newest first; ties by backup id, newest id first. */
    static final Comparator<Candidate> NEWEST_FIRST =
            Comparator.comparing(Candidate::end).thenComparing(Candidate::backupId).reversed();

    private RetentionEngine() {
    }

    /** The plan for this catalogue at {@code now}, guards applied. */
    public static Plan plan(RetentionPolicy policy, List<Candidate> candidates, Instant now, boolean offsiteOn) {
        return plan(policy, candidates, now, offsiteOn, false);
    }

    /**
     * The plan, guards applied; {@code allowMassDelete} lifts the two count guards (max-deletes-per-run, more than
     * half) for this plan only, for a first run over a large catalogue. The clock guard always applies.
     */
    public static Plan plan(RetentionPolicy policy, List<Candidate> candidates, Instant now, boolean offsiteOn,
                            boolean allowMassDelete) {
        Plan p = propose(policy, candidates, now, offsiteOn);
        String refusal = refusal(policy, p, candidates, now, allowMassDelete);
        return refusal.isEmpty() ? p : refuse(p, refusal);
    }

    /** The plan before the guards (for tests of the tiers over catalogues no guard would let through). */
    static Plan propose(RetentionPolicy policy, List<Candidate> candidates, Instant now, boolean offsiteOn) {
        if (policy == null || candidates == null || now == null) {
            throw new BarmandException(Category.INTERNAL, "retention plan without a policy, candidates or now");
        }
        Set<String> ids = new HashSet<>();
        for (Candidate c : candidates) {
            if (!ids.add(c.backupId())) {
                throw new BarmandException(Category.INTERNAL, "retention: backup " + c.backupId() + " listed twice");
            }
        }
        List<Candidate> all = candidates.stream().sorted(NEWEST_FIRST).toList();
        List<Candidate> done = all.stream().filter(Candidate::done).toList();

        // what the policy keeps (window, tiers), in the order the rules kept them; at most one reason each
        Map<String, Reason> policyKeeps = new LinkedHashMap<>();
        policy.recoveryWindow().ifPresent(w -> window(w, policy.windowText(), done, now, policyKeeps));
        for (Tier t : Tier.values()) {
            tier(t, t.count(policy), policy, done, policyKeeps);
        }
        Map<String, List<Reason>> rails = rails(policy, all, done, offsiteOn);

        List<Decision> out = new ArrayList<>(all.size());
        for (Candidate c : all) {
            out.add(decide(c, policyKeeps.get(c.backupId()), rails.getOrDefault(c.backupId(), List.of()), policy));
        }
        return new Plan(policy, now, out, false, "");
    }

    private static void window(Duration w, String text, List<Candidate> done, Instant now, Map<String, Reason> keeps) {
        Instant start = now.minus(w);
        boolean base = false;
        for (Candidate c : done) {
            if (!c.end().isBefore(start)) {
                keeps.put(c.backupId(), new Reason(Reason.Rule.RECOVERY_WINDOW, "recovery window " + text));
            } else if (!base) {
                base = true;
                keeps.put(c.backupId(), new Reason(Reason.Rule.RECOVERY_WINDOW_BASE,
                        "recovery window " + text + " (base backup for its start)"));
            }
        }
    }

    /** borg's prune_split: newest of each period not already kept, N counted, then the oldest if short. */
    private static void tier(Tier t, int n, RetentionPolicy policy, List<Candidate> done, Map<String, Reason> keeps) {
        if (n == 0 || done.isEmpty()) {
            return;
        }
        String last = null;
        int counted = 0;
        for (Candidate c : done) {
            String period = t.period(c.end(), policy.zone());
            if (period.equals(last)) {
                continue;
            }
            last = period;
            if (!keeps.containsKey(c.backupId())) {
                keeps.put(c.backupId(), new Reason(t.rule(), t.key() + " " + period));
                if (++counted == n) {
                    return;
                }
            }
        }
        Candidate oldest = done.get(done.size() - 1);
        if (!keeps.containsKey(oldest.backupId())) {
            keeps.put(oldest.backupId(), new Reason(t.rule(), t.key() + " " + t.period(oldest.end(), policy.zone())
                    + " (oldest backup: " + counted + " of " + n + " " + t.periods() + " counted)"));
        }
    }

    private static Map<String, List<Reason>> rails(RetentionPolicy policy, List<Candidate> all, List<Candidate> done,
                                                   boolean offsiteOn) {
        Map<String, List<Reason>> r = new HashMap<>();
        if (!done.isEmpty()) {
            add(r, done.get(0), Reason.Rule.NEWEST_DONE, "newest DONE backup");
        }
        done.stream().filter(Candidate::restoreTestPassed).findFirst()
                .ifPresent(c -> add(r, c, Reason.Rule.NEWEST_RESTORE_TESTED, "newest passed restore test"));
        for (Candidate c : all) {
            if (offsiteOn && c.done() && !c.copiedOffsite()) {
                add(r, c, Reason.Rule.OFFSITE_UNVERIFIED, "not copied offsite yet");
            }
            c.inUseBy().ifPresent(job -> add(r, c, Reason.Rule.IN_USE, "in use by a running " + job));
            if (c.keptByAdmin()) {
                add(r, c, Reason.Rule.ADMIN_KEEP, "barman keep not taken by barmand (an admin's): left alone");
            }
        }
        for (int i = 0; i < Math.min(policy.minimumRedundancy(), done.size()); i++) {
            add(r, done.get(i), Reason.Rule.MINIMUM_REDUNDANCY, "minimum-redundancy " + policy.minimumRedundancy());
        }
        for (Candidate c : all) {
            if (c.status().inProgress()) {
                add(r, c, Reason.Rule.IN_PROGRESS, "in progress (" + c.status() + "): never deleted");
            }
        }
        return r;
    }

    private static void add(Map<String, List<Reason>> r, Candidate c, Reason.Rule rule, String text) {
        r.computeIfAbsent(c.backupId(), k -> new ArrayList<>()).add(new Reason(rule, text));
    }

    private static Decision decide(Candidate c, Reason policyKeep, List<Reason> rails, RetentionPolicy policy) {
        List<Reason> reasons = new ArrayList<>();
        Verdict v;
        boolean byTier = policyKeep != null && policyKeep.rule() != Reason.Rule.RECOVERY_WINDOW
                && policyKeep.rule() != Reason.Rule.RECOVERY_WINDOW_BASE;
        if (c.status() == Candidate.Status.FAILED) {
            reasons.addAll(rails);
            reasons.add(new Reason(Reason.Rule.FAILED, rails.isEmpty() ? "failed backup"
                    : "failed backup: deleted once nothing keeps it"));
            v = rails.isEmpty() ? Verdict.DELETE : Verdict.KEEP;
        } else if (!c.done()) {
            reasons.addAll(rails); // IN_PROGRESS is always there
            v = Verdict.KEEP;
        } else if (policyKeep == null && rails.isEmpty()) {
            reasons.add(new Reason(Reason.Rule.NOT_KEPT, policy.recoveryWindow().isPresent()
                    ? "kept by no tier, older than the recovery window " + policy.windowText()
                    : "kept by no tier"));
            v = Verdict.DELETE;
        } else {
            if (policyKeep != null) {
                reasons.add(policyKeep);
            }
            reasons.addAll(rails);
            v = byTier && rails.isEmpty() ? Verdict.KEEP_STANDALONE : Verdict.KEEP;
        }
        if (c.keptByBarman() && !byTier && c.inUse()) {
            // the running job may have taken that keep itself (a restore test keeps its backup): leave it
            reasons.add(new Reason(Reason.Rule.BARMAN_KEEP_HELD, "barman keep that no tier wants: left while a running "
                    + c.inUseBy().get() + " reads it"));
        } else if (c.keptByBarman() && !byTier) {
            reasons.add(new Reason(Reason.Rule.BARMAN_KEEP_RELEASED, v.deletes()
                    ? "barman keep that no tier wants: release, then delete"
                    : "barman keep that no tier wants: release"));
            v = v.deletes() ? Verdict.RELEASE_AND_DELETE : Verdict.RELEASE_AND_KEEP;
        }
        return new Decision(c.backupId(), c.end(), c.status(), v, reasons);
    }

    /** Why the whole plan must be refused, or "". */
    static String refusal(RetentionPolicy policy, Plan p, List<Candidate> candidates, Instant now) {
        return refusal(policy, p, candidates, now, false);
    }

    static String refusal(RetentionPolicy policy, Plan p, List<Candidate> candidates, Instant now, boolean allowMassDelete) {
        Candidate newest = candidates.stream().max(Comparator.comparing(Candidate::end)).orElse(null);
        if (newest != null && newest.end().isAfter(now.plus(CLOCK_TOLERANCE))) {
            return "newest backup " + newest.backupId() + " ends in the future (" + newest.end() + " > now " + now
                    + "): the clock looks wrong, nothing deleted";
        }
        List<String> why = new ArrayList<>();
        if (allowMassDelete) {
            return "";
        }
        long deletes = p.deletes().size();
        if (deletes > policy.maxDeletesPerRun()) {
            why.add("would delete " + deletes + " backups, more than max-deletes-per-run " + policy.maxDeletesPerRun());
        }
        long done = p.decisions().stream().filter(d -> d.status() == Candidate.Status.DONE).count();
        long doneDeletes = p.deletes().stream().filter(d -> d.status() == Candidate.Status.DONE).count();
        if (doneDeletes * 2 > done) {
            why.add("would delete " + doneDeletes + " of " + done + " DONE backups, more than half");
        }
        return why.isEmpty() ? "" : String.join("; ", why) + ": nothing deleted";
    }

    /**
     * The guard against a clock that jumped forward (and backups that stopped): why nothing may be deleted when the
     * newest DONE backup of {@code local} (Barman's catalogue) ended longer ago than {@code maxAge}, or empty. Both
     * plans of the server are refused with it ({@link #refuseIf}); {@code --allow-mass-delete} does not lift it.
     */
    public static Optional<String> staleNewest(List<Candidate> local, Instant now, Optional<Duration> maxAge) {
        if (maxAge.isEmpty()) {
            return Optional.empty();
        }
        Optional<Candidate> newest = local.stream().filter(Candidate::done).max(Comparator.comparing(Candidate::end));
        if (newest.isEmpty() || !newest.get().end().isBefore(now.minus(maxAge.get()))) {
            return Optional.empty();
        }
        Duration age = Duration.between(newest.get().end(), now);
        return Optional.of("newest DONE backup " + newest.get().backupId() + " ended " + newest.get().end() + ", "
                + RetentionPolicy.words(Duration.ofHours(Math.max(1, age.toHours()))) + " before now " + now
                + ", longer ago than newest-backup-max-age " + RetentionPolicy.words(maxAge.get())
                + ": the clock looks wrong (or backups stopped), nothing deleted");
    }

    /** The plan refused for {@code why} when present (a plan already refused keeps its own refusal, then this one). */
    public static Plan refuseIf(Plan p, Optional<String> why) {
        if (why.isEmpty()) {
            return p;
        }
        if (!p.refused()) {
            return refuse(p, why.get());
        }
        List<Decision> kept = new ArrayList<>(p.decisions().size());
        String both = p.refusal() + "; " + why.get();
        for (Decision d : p.decisions()) {
            List<Reason> reasons = new ArrayList<>(d.reasons());
            reasons.set(0, new Reason(Reason.Rule.REFUSED, "refused: " + both));
            kept.add(new Decision(d.backupId(), d.end(), d.status(), d.verdict(), reasons));
        }
        return new Plan(p.policy(), p.now(), kept, true, both);
    }

    private static Plan refuse(Plan p, String refusal) {
        List<Decision> kept = new ArrayList<>(p.decisions().size());
        for (Decision d : p.decisions()) {
            List<Reason> reasons = new ArrayList<>();
            reasons.add(new Reason(Reason.Rule.REFUSED, "refused: " + refusal));
            reasons.add(new Reason(Reason.Rule.PLANNED, "planned: " + d.verdict().text()));
            reasons.addAll(d.reasons());
            kept.add(new Decision(d.backupId(), d.end(), d.status(), Verdict.KEEP, reasons));
        }
        return new Plan(p.policy(), p.now(), kept, true, refusal);
    }
}
