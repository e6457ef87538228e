package io.barmand.retention;

import io.barmand.config.RetentionPolicy;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.temporal.WeekFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Expected retention, computed independently of the engine: DONE backups grouped by period with java.time
 * (LocalDate, WeekFields.ISO, YearMonth, Year), the newest of each group, periods newest first.
 */
final class Expect {
    private Expect() {
    }

    static Function<Candidate, Comparable<?>> day(ZoneId z) {
        return c -> c.end().atZone(z).toLocalDate();
    }

    static Function<Candidate, Comparable<?>> week(ZoneId z) {
        return c -> {
            LocalDate d = c.end().atZone(z).toLocalDate();
            return d.get(WeekFields.ISO.weekBasedYear()) * 100 + d.get(WeekFields.ISO.weekOfWeekBasedYear());
        };
    }

    static Function<Candidate, Comparable<?>> month(ZoneId z) {
        return c -> YearMonth.from(c.end().atZone(z));
    }

    static Function<Candidate, Comparable<?>> year(ZoneId z) {
        return c -> Year.from(c.end().atZone(z));
    }

    /** The newest DONE backup of each period, periods newest first. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static List<Candidate> newestPerPeriod(List<Candidate> all, Function<Candidate, Comparable<?>> period) {
        Map<Comparable, Candidate> newest = new TreeMap<>(Comparator.reverseOrder());
        for (Candidate c : all) {
            if (c.done()) {
                newest.merge(period.apply(c), c, (a, b) -> a.end().isAfter(b.end()) ? a : b);
            }
        }
        return new ArrayList<>(newest.values());
    }

    /** The ids one tier alone keeps (no window, no other tier): the newest of the N newest periods, else the oldest too. */
    static Set<String> tierAlone(List<Candidate> all, Function<Candidate, Comparable<?>> period, int n) {
        return tier(all, period, n, new LinkedHashSet<>());
    }

    /**
     * borg's rule over groups: periods newest first; a period whose newest backup is already kept is skipped and not
     * counted; N counted; if fewer, the oldest DONE backup too. Adds to and returns {@code kept}.
     */
    static Set<String> tier(List<Candidate> all, Function<Candidate, Comparable<?>> period, int n, Set<String> kept) {
        int counted = 0;
        for (Candidate c : newestPerPeriod(all, period)) {
            if (counted == n) {
                return kept;
            }
            if (kept.add(c.backupId())) {
                counted++;
            }
        }
        if (counted < n) {
            all.stream().filter(Candidate::done).min(Comparator.comparing(Candidate::end))
                    .ifPresent(o -> kept.add(o.backupId()));
        }
        return kept;
    }

    /** The ids a recovery window keeps: DONE ending at or after now - window, and the newest DONE before that. */
    static Set<String> window(List<Candidate> all, Instant start) {
        Set<String> kept = all.stream().filter(c -> c.done() && !c.end().isBefore(start)).map(Candidate::backupId)
                .collect(Collectors.toCollection(LinkedHashSet::new));
        all.stream().filter(c -> c.done() && c.end().isBefore(start)).max(Comparator.comparing(Candidate::end))
                .ifPresent(b -> kept.add(b.backupId()));
        return kept;
    }

    /** Everything a full policy keeps (window, then daily, weekly, monthly, yearly), rails aside. */
    static Set<String> policy(List<Candidate> all, RetentionPolicy p, Instant now) {
        ZoneId z = p.zone();
        Set<String> kept = p.recoveryWindow().map(w -> window(all, now.minus(w))).orElseGet(LinkedHashSet::new);
        tier(all, day(z), p.keepDaily(), kept);
        tier(all, week(z), p.keepWeekly(), kept);
        tier(all, month(z), p.keepMonthly(), kept);
        tier(all, year(z), p.keepYearly(), kept);
        return kept;
    }

    static Set<String> ids(List<Decision> ds) {
        return ds.stream().map(Decision::backupId).collect(Collectors.toSet());
    }

    static Set<String> kept(Plan p) {
        return p.decisions().stream().filter(d -> !d.verdict().deletes()).map(Decision::backupId)
                .collect(Collectors.toSet());
    }

    static Set<String> keptDone(Plan p) {
        return p.decisions().stream().filter(d -> !d.verdict().deletes() && d.status() == Candidate.Status.DONE)
                .map(Decision::backupId).collect(Collectors.toSet());
    }
}
