package io.barmand.bucket;

import io.barmand.config.RetentionPolicy;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.List;
import java.util.Optional;

/**
 * The retain-until of what barmand writes under Object Lock, from the server's S3 retention policy: pure arithmetic,
 * {@code now} passed in. Every day it gives is one before which the S3 plan cannot let the object go (a lower bound
 * of the plan), so that a lock never keeps retention from a delete it plans, only delays none.
 * <ul>
 *   <li>A copy when written: its end plus the recovery window (the window keeps every copy ending inside it); without
 *       a window, its end (retention locks it once a tier claims it).</li>
 *   <li>A copy a tier claims: borg's counting keeps the newest copy of a period P for as long as fewer than N newer
 *       periods are counted; at most one period is counted per period that has begun, so the copy stays at least
 *       until period P+N begins. Claimed only once P has ended (a later copy of the same period would take the
 *       claim). The longest of the window and every claiming tier.</li>
 *   <li>A WAL object when written: the write plus the window (no copy needing it leaves the window sooner).</li>
 *   <li>A WAL object at retention: at least until the oldest locked copy that needs it (its own begin..end range,
 *       or every WAL from its begin on when it is not kept standalone) may go.</li>
 *   <li>Never shortened: {@link #extend} keeps the later of the two.</li>
 * </ul>
 */
public final class Locks {
    private Locks() {
    }

    /** The lock of a copy when it is written: its end plus the window (its end when there is none). */
    public static Instant onWrite(RetentionPolicy p, Instant end) {
        return p.recoveryWindow().map(end::plus).orElse(end);
    }

    /** The lock of a WAL object written at {@code written}. */
    public static Instant walOnWrite(RetentionPolicy p, Instant written) {
        return p.recoveryWindow().map(written::plus).orElse(written);
    }

    /**
     * The day the S3 plan would first let a copy ending at {@code end} go, as known at {@code now}: the longest of
     * the window and each tier that claims it among the copies ending at {@code allEnds} (itself included).
     */
    public static Instant forCopy(RetentionPolicy p, Instant end, List<Instant> allEnds, Instant now) {
        Instant until = onWrite(p, end);
        int[] counts = {p.keepDaily(), p.keepWeekly(), p.keepMonthly(), p.keepYearly()};
        for (int t = 0; t < 4; t++) {
            if (counts[t] == 0) {
                continue;
            }
            LocalDate start = periodStart(t, end, p.zone());
            Instant next = plus(t, start, 1).atStartOfDay(p.zone()).toInstant();
            if (now.isBefore(next)) {
                continue; // the period is still open: a later copy may take its claim
            }
            Instant s = start.atStartOfDay(p.zone()).toInstant();
            boolean newest = allEnds.stream().noneMatch(e -> e.isAfter(end) && !e.isBefore(s) && e.isBefore(next));
            if (newest) {
                Instant tierEnd = plus(t, start, counts[t]).atStartOfDay(p.zone()).toInstant();
                until = tierEnd.isAfter(until) ? tierEnd : until;
            }
        }
        return until;
    }

    /** The later of the lock an object has and the one wanted: a lock is never shortened. */
    public static Instant extend(Optional<Instant> current, Instant wanted) {
        return current.filter(c -> c.isAfter(wanted)).orElse(wanted);
    }

    /** One locked copy as the WAL sees it. */
    public record CopyLock(String backupId, Instant end, String beginWal, String endWal, boolean standalone,
                           Instant until) {
    }

    /**
     * How long a WAL segment must stay locked: until the oldest locked copy that needs it may go (a copy needs its own
     * begin..end segments, and every segment from its begin on unless it is kept standalone); empty when none does.
     * Segment names of one timeline compare as strings; {@code copies} in any order.
     */
    public static Optional<Instant> forWal(String segment, List<CopyLock> copies) {
        return copies.stream()
                .filter(c -> c.beginWal() != null && c.beginWal().substring(8).compareTo(segment.substring(8)) <= 0
                        && (!c.standalone() || c.endWal() != null && segment.substring(8).compareTo(c.endWal().substring(8)) <= 0))
                .min(java.util.Comparator.comparing(CopyLock::end))
                .map(CopyLock::until);
    }

    /** The first day of the period (0 day, 1 ISO week, 2 month, 3 year) holding {@code t} in {@code zone}. */
    static LocalDate periodStart(int tier, Instant t, ZoneId zone) {
        LocalDate d = t.atZone(zone).toLocalDate();
        return switch (tier) {
            case 0 -> d;
            case 1 -> d.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case 2 -> d.withDayOfMonth(1);
            default -> d.withDayOfYear(1);
        };
    }

    static LocalDate plus(int tier, LocalDate start, int n) {
        return switch (tier) {
            case 0 -> start.plusDays(n);
            case 1 -> start.plusWeeks(n);
            case 2 -> start.plusMonths(n);
            default -> start.plusYears(n);
        };
    }
}
