package io.barmand.retention;

import io.barmand.config.RetentionPolicy;
import static io.barmand.retention.Catalogue.NOW;
import static io.barmand.retention.Catalogue.PARIS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Two years of nights, one plan a morning (guards on), applied as the daemon would; and the bucket's policy, which
 * keeps more, over the same catalogue.
 */
class SteadyStateTest {
    static final RetentionPolicy LOCAL = RetentionPolicy.of(Optional.of(Duration.ofDays(7)), 7, 4, 3, 0, 1, 5, PARIS);
    static final RetentionPolicy S3 = RetentionPolicy.of(Optional.of(Duration.ofDays(7)), 7, 4, 12, 2, 1, 5, PARIS);

    @Test
    void aMorningRunAfterEveryNightNeverTripsAGuardAndEndsWhereOneRunWould() {
        List<Candidate> all = Catalogue.twoYears();
        List<Candidate> catalogue = new ArrayList<>();
        int i = 0;
        long marks = 0;
        for (LocalDate d = LocalDate.of(2024, 12, 2); !d.isAfter(LocalDate.of(2026, 12, 1)); d = d.plusDays(1)) {
            Instant morning = ZonedDateTime.of(d, LocalTime.of(11, 0), PARIS).toInstant();
            while (i < all.size() && all.get(i).end().isBefore(morning)) {
                catalogue.add(all.get(i++));
            }
            Plan p = RetentionEngine.plan(S3, catalogue, morning, false);
            assertThat(p.refused()).as("%s: %s", d, p.refusal()).isFalse();
            assertThat(p.deletes().size()).as(d.toString()).isLessThanOrEqualTo(3);
            Set<String> window = Expect.window(catalogue, morning.minus(Duration.ofDays(7)));
            // a standalone mark never lands on a backup the window needs
            assertThat(Expect.ids(p.keepsStandalone())).as(d.toString()).doesNotContainAnyElementsOf(window);
            List<Candidate> before = catalogue;
            marks += p.keepsStandalone().stream().filter(x -> !find(before, x.backupId()).keptByBarman()).count();
            catalogue = Simulation.apply(catalogue, p);
        }
        Instant end = ZonedDateTime.of(LocalDate.of(2026, 12, 1), LocalTime.of(11, 0), PARIS).toInstant();
        Set<String> survivors = catalogue.stream().map(Candidate::backupId).collect(Collectors.toSet());
        assertThat(survivors).isEqualTo(Expect.policy(all, S3, end));
        // every survivor outside the window carries the standalone mark; none inside does
        Set<String> window = Expect.window(all, end.minus(Duration.ofDays(7)));
        for (Candidate c : catalogue) {
            assertThat(c.keptByBarman()).as(c.backupId()).isEqualTo(!window.contains(c.backupId()));
        }
        assertThat(marks).isGreaterThan(30);
    }

    @Test
    void theBucketKeepsTwelveMonthlyWhereTheLocalCatalogueKeepsThree() {
        List<Candidate> two = Catalogue.twoYears();
        Plan local = RetentionEngine.propose(LOCAL, two, NOW, false);
        Plan s3 = RetentionEngine.propose(S3, two, NOW, false);
        List<String> localMonthly = tier(local, Reason.Rule.KEEP_MONTHLY);
        List<String> s3Monthly = tier(s3, Reason.Rule.KEEP_MONTHLY);
        assertThat(localMonthly).containsExactly("20261031T020000", "20260930T020000", "20260831T020000");
        assertThat(s3Monthly).hasSize(12).startsWith("20261031T020000", "20260930T020000", "20260831T020000")
                .endsWith("20251130T020000");
        assertThat(Expect.kept(s3)).containsAll(Expect.kept(local));
        assertThat(Expect.keptDone(s3)).isEqualTo(Expect.policy(two, S3, NOW));
        assertThat(Expect.keptDone(local)).isEqualTo(Expect.policy(two, LOCAL, NOW));

        // a catalogue pruned to the bucket's policy: the bucket deletes nothing more, the local policy the nine
        // older months and the two yearly backups, guards on
        List<Candidate> pruned = Simulation.apply(two, s3).stream().map(Catalogue::unkept).toList();
        assertThat(RetentionEngine.plan(S3, pruned, NOW, false).deletes()).isEmpty();
        RetentionPolicy local20 = RetentionPolicy.of(LOCAL.recoveryWindow(), 7, 4, 3, 0, 1, 20, PARIS);
        Plan p = RetentionEngine.plan(local20, pruned, NOW, false);
        assertThat(p.refused()).isFalse();
        List<String> gone = new ArrayList<>(s3Monthly.subList(3, 12));
        gone.addAll(List.of("20241231T020000", "20241202T020000"));
        assertThat(p.deletes()).extracting(Decision::backupId).containsExactlyInAnyOrderElementsOf(gone);
        assertThat(p.deletes()).allMatch(d -> d.verdict() == Verdict.DELETE);
    }

    static Candidate find(List<Candidate> c, String id) {
        return c.stream().filter(x -> x.backupId().equals(id)).findFirst().orElseThrow();
    }

    static List<String> tier(Plan p, Reason.Rule rule) {
        return p.decisions().stream().filter(d -> d.reason().rule() == rule)
                .sorted(Comparator.comparing(Decision::end).reversed()).map(Decision::backupId).toList();
    }
}
