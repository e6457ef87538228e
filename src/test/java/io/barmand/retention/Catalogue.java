package io.barmand.retention;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/** Generated catalogues: a nightly backup at 02:00 local time, with gaps and FAILED nights. */
final class Catalogue {
    static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    static final DateTimeFormatter ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss");

    private Catalogue() {
    }

    /** Barman's backup id: the begin time, local. */
    static String id(ZonedDateTime begin) {
        return ID.format(begin);
    }

    /** A DONE backup that began at {@code begin} (local) and took 14 minutes. */
    static Candidate done(ZonedDateTime begin) {
        return new Candidate(id(begin), begin.plusMinutes(14).toInstant(), Candidate.Status.DONE, false, false, true,
                Optional.empty());
    }

    static Candidate failed(ZonedDateTime begin) {
        return new Candidate(id(begin), begin.plusMinutes(3).toInstant(), Candidate.Status.FAILED, false, false, false,
                Optional.empty());
    }

    static Candidate status(ZonedDateTime begin, Candidate.Status s) {
        return new Candidate(id(begin), begin.toInstant(), s, false, false, false, Optional.empty());
    }

    /** 02:00 local of that day (on a spring-forward day 02:00 does not exist: 03:00, as the scheduler would). */
    static ZonedDateTime at2(LocalDate d, ZoneId zone) {
        return ZonedDateTime.of(d, LocalTime.of(2, 0), zone);
    }

    /**
     * One backup a night from {@code from} to {@code to} inclusive: none on {@code gaps}, a FAILED one on
     * {@code failed} (with a DONE retry at 09:30 on {@code retried}).
     */
    static List<Candidate> nightly(LocalDate from, LocalDate to, ZoneId zone, Set<LocalDate> gaps, Set<LocalDate> failed,
                                   Set<LocalDate> retried) {
        List<Candidate> out = new ArrayList<>();
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
            if (gaps.contains(d)) {
                continue;
            }
            if (failed.contains(d)) {
                out.add(failed(at2(d, zone)));
                if (retried.contains(d)) {
                    out.add(done(ZonedDateTime.of(d, LocalTime.of(9, 30), zone)));
                }
            } else {
                out.add(done(at2(d, zone)));
            }
        }
        return out;
    }

    static List<Candidate> nightly(LocalDate from, LocalDate to) {
        return nightly(from, to, PARIS, Set.of(), Set.of(), Set.of());
    }

    /** The gaps and failures of {@link #twoYears()}. */
    static final Set<LocalDate> GAPS = Set.of(LocalDate.of(2025, 2, 10), LocalDate.of(2025, 2, 11),
            LocalDate.of(2025, 2, 12), LocalDate.of(2025, 8, 15), LocalDate.of(2026, 5, 1), LocalDate.of(2026, 5, 2),
            LocalDate.of(2026, 5, 3), LocalDate.of(2026, 11, 27));
    static final Set<LocalDate> FAILED = Set.of(LocalDate.of(2025, 6, 6), LocalDate.of(2026, 3, 15),
            LocalDate.of(2026, 5, 31), LocalDate.of(2026, 11, 29));
    static final Set<LocalDate> RETRIED = Set.of(LocalDate.of(2026, 3, 15));

    /** Now for {@link #twoYears()}: the afternoon after the last backup. */
    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    /** Two years of nightly backups in Europe/Paris, 2024-12-02 to 2026-12-01, with gaps and FAILED nights. */
    static List<Candidate> twoYears() {
        return nightly(LocalDate.of(2024, 12, 2), LocalDate.of(2026, 12, 1), PARIS, GAPS, FAILED, RETRIED);
    }

    /** The catalogue with one backup changed. */
    static List<Candidate> with(List<Candidate> c, String id, UnaryOperator<Candidate> change) {
        List<Candidate> out = new ArrayList<>();
        boolean found = false;
        for (Candidate x : c) {
            if (x.backupId().equals(id)) {
                out.add(change.apply(x));
                found = true;
            } else {
                out.add(x);
            }
        }
        if (!found) {
            throw new IllegalArgumentException("no backup " + id);
        }
        return out;
    }

    static Candidate kept(Candidate c) {
        return new Candidate(c.backupId(), c.end(), c.status(), true, c.restoreTestPassed(), c.copiedOffsite(),
                c.inUseBy());
    }

    static Candidate unkept(Candidate c) {
        return new Candidate(c.backupId(), c.end(), c.status(), false, c.restoreTestPassed(), c.copiedOffsite(),
                c.inUseBy());
    }

    static Candidate passed(Candidate c) {
        return new Candidate(c.backupId(), c.end(), c.status(), c.keptByBarman(), true, c.copiedOffsite(), c.inUseBy());
    }

    static Candidate unverified(Candidate c) {
        return new Candidate(c.backupId(), c.end(), c.status(), c.keptByBarman(), c.restoreTestPassed(), false,
                c.inUseBy());
    }

    static Candidate inUse(Candidate c, String job) {
        return new Candidate(c.backupId(), c.end(), c.status(), c.keptByBarman(), c.restoreTestPassed(),
                c.copiedOffsite(), Optional.of(job));
    }

    static Duration days(int n) {
        return Duration.ofDays(n);
    }
}
