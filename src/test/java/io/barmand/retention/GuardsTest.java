package io.barmand.retention;

import io.barmand.config.RetentionPolicy;
import static io.barmand.retention.Catalogue.NOW;
import static io.barmand.retention.Catalogue.PARIS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The guards: a clock that looks wrong, and mass deletes. A refused plan keeps everything. */
class GuardsTest {
    final List<Candidate> nov = Catalogue.nightly(LocalDate.of(2026, 11, 20), LocalDate.of(2026, 12, 1));

    static RetentionPolicy window(int days, int maxDeletes) {
        return RetentionPolicy.of(Optional.of(Duration.ofDays(days)), 0, 0, 0, 0, 1, maxDeletes, PARIS);
    }

    static void assertKeepsEverything(Plan p) {
        assertThat(p.refused()).isTrue();
        assertThat(p.deletes()).isEmpty();
        assertThat(p.keepsStandalone()).isEmpty();
        assertThat(p.releases()).isEmpty();
        for (Decision d : p.decisions()) {
            assertThat(d.verdict()).isEqualTo(Verdict.KEEP);
            assertThat(d.reasons().get(0).rule()).isEqualTo(Reason.Rule.REFUSED);
            assertThat(d.reasons().get(0).text()).isEqualTo("refused: " + p.refusal());
            assertThat(d.reasons().get(1).rule()).isEqualTo(Reason.Rule.PLANNED);
        }
    }

    @Test
    void aBackupEndingInTheFutureRefusesThePlan() {
        List<Candidate> c = new ArrayList<>(nov);
        c.add(new Candidate("20300101T000000", Instant.parse("2030-01-01T00:00:00Z"), Candidate.Status.DONE, false,
                false, true, Optional.empty()));
        Plan p = RetentionEngine.plan(window(7, 100), c, NOW, false);
        assertKeepsEverything(p);
        assertThat(p.refusal()).isEqualTo("newest backup 20300101T000000 ends in the future (2030-01-01T00:00:00Z > now"
                + " 2026-12-01T12:00:00Z): the clock looks wrong, nothing deleted");
        // what would have happened is still said
        assertThat(p.decision("20261120T020000").reasons()).extracting(Reason::text)
                .contains("planned: delete", "kept by no tier, older than the recovery window 7d");
    }

    @Test
    void aBackupEndingAFewMinutesAheadIsClockSkewNotAJump() {
        Instant end = nov.get(nov.size() - 1).end();
        assertThat(RetentionEngine.plan(window(7, 100), nov, end.minus(Duration.ofMinutes(4)), false).refused())
                .isFalse();
        Plan p = RetentionEngine.plan(window(7, 100), nov, end.minus(Duration.ofMinutes(6)), false);
        assertThat(p.refused()).isTrue();
        assertThat(p.refusal()).contains("the clock looks wrong");
    }

    @Test
    void nowJumpingBackwardsNeverDeletesMoreAndPastTheNewestBackupIsRefused() {
        RetentionPolicy full = RetentionPolicy.of(Optional.of(Duration.ofDays(7)), 7, 4, 12, 2, 1, 1000, PARIS);
        // a steady catalogue: yesterday's plan applied
        List<Candidate> c = Simulation.survivors(Catalogue.twoYears(), full, NOW);
        Plan today = RetentionEngine.plan(full, c, NOW, false);
        assertThat(today.refused()).isFalse();
        assertThat(today.deletes()).isEmpty();
        // the clock steps back by hours, then by 9 hours (still after the newest backup): nothing more is deleted
        for (Duration back : List.of(Duration.ofHours(1), Duration.ofHours(6), Duration.ofHours(9))) {
            Plan earlier = RetentionEngine.plan(full, c, NOW.minus(back), false);
            assertThat(earlier.refused()).as("back %s", back).isFalse();
            assertThat(earlier.deletes()).as("back %s", back).isEmpty();
        }
        // on the raw catalogue, an earlier now deletes a subset of what now deletes
        List<Candidate> raw = Catalogue.twoYears();
        Set<String> atNow = Expect.ids(RetentionEngine.propose(full, raw, NOW, false).deletes());
        for (int h = 1; h <= 48; h += 7) {
            Set<String> before = Expect.ids(RetentionEngine.propose(full, raw, NOW.minus(Duration.ofHours(h)), false)
                    .deletes());
            assertThat(atNow).as("%dh back", h).containsAll(before);
        }
        // back three days: the newest backups now end "in the future": refused, nothing deleted
        Plan jumped = RetentionEngine.plan(full, c, NOW.minus(Duration.ofDays(3)), false);
        assertKeepsEverything(jumped);
        assertThat(jumped.refusal()).startsWith("newest backup 20261201T020000 ends in the future (2026-12-01T01:14:00Z"
                + " > now 2026-11-28T12:00:00Z)");
    }

    @Test
    void moreDeletesThanMaxDeletesPerRunRefusesThePlan() {
        // 12 backups, a 7-day window keeps 8 (the 24th's is the base): 4 deletes, not more than half
        Plan open = RetentionEngine.plan(window(7, 4), nov, NOW, false);
        assertThat(open.refused()).isFalse();
        assertThat(open.deletes()).hasSize(4);
        Plan p = RetentionEngine.plan(window(7, 3), nov, NOW, false);
        assertKeepsEverything(p);
        assertThat(p.refusal()).isEqualTo("would delete 4 backups, more than max-deletes-per-run 3: nothing deleted");
    }

    @Test
    void deletingMoreThanHalfTheDoneBackupsRefusesThePlan() {
        // 20 backups, a 3-day window keeps 4: 16 of 20
        List<Candidate> c = Catalogue.nightly(LocalDate.of(2026, 11, 12), LocalDate.of(2026, 12, 1));
        Plan p = RetentionEngine.plan(window(3, 100), c, NOW, false);
        assertKeepsEverything(p);
        assertThat(p.refusal()).isEqualTo("would delete 16 of 20 DONE backups, more than half: nothing deleted");
        // exactly half is allowed: 10 of 20
        Plan half = RetentionEngine.plan(RetentionPolicy.of(Optional.of(Duration.ofDays(9)), 0, 0, 0, 0, 1, 100, PARIS),
                c, NOW, false);
        assertThat(half.refused()).isFalse();
        assertThat(half.deletes()).hasSize(10);
    }

    @Test
    void bothGuardsAreNamedWithTheirNumbers() {
        List<Candidate> raw = Catalogue.twoYears();
        RetentionPolicy full = RetentionPolicy.of(Optional.of(Duration.ofDays(7)), 7, 4, 12, 2, 1, 50, PARIS);
        Plan p = RetentionEngine.plan(full, raw, NOW, false);
        assertKeepsEverything(p);
        long done = raw.stream().filter(Candidate::done).count();
        long failed = raw.size() - done;
        long doneDeletes = done - Expect.policy(raw, full, NOW).size();
        assertThat(p.refusal()).isEqualTo("would delete " + (doneDeletes + failed) + " backups, more than"
                + " max-deletes-per-run 50; would delete " + doneDeletes + " of " + done + " DONE backups, more than"
                + " half: nothing deleted");
    }

    @Test
    void failedBackupsCountAgainstMaxDeletesButNotAgainstHalf() {
        List<Candidate> c = new ArrayList<>(nov);
        for (int i = 1; i <= 6; i++) {
            c.add(Catalogue.failed(ZonedDateTime.of(2026, 11, 30, 3 + i, 0, 0, 0, PARIS)));
        }
        Plan p = RetentionEngine.plan(window(7, 100), c, NOW, false);
        assertThat(p.refused()).isFalse();
        assertThat(p.deletes()).hasSize(4 + 6);
        Plan capped = RetentionEngine.plan(window(7, 9), c, NOW, false);
        assertThat(capped.refusal()).isEqualTo("would delete 10 backups, more than max-deletes-per-run 9: nothing deleted");
    }

    @Test
    void anEmptyCatalogueIsAnEmptyPlan() {
        Plan p = RetentionEngine.plan(window(7, 1), List.of(), NOW, true);
        assertThat(p.refused()).isFalse();
        assertThat(p.decisions()).isEmpty();
    }

    @Test
    void aCatalogueListingABackupTwiceIsABugNotAPlan() {
        List<Candidate> c = new ArrayList<>(nov);
        c.add(nov.get(0));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RetentionEngine.plan(window(7, 100), c, NOW, false))
                .isInstanceOf(io.barmand.error.BarmandException.class)
                .hasMessage("retention: backup 20261120T020000 listed twice");
    }

    @Test
    void aNewestBackupOlderThanTheMaxAgeRefusesBothPlans() {
        Instant lastEnd = nov.get(nov.size() - 1).end();
        Optional<Duration> maxAge = Optional.of(Duration.ofDays(3));
        assertThat(RetentionEngine.staleNewest(nov, lastEnd.plus(Duration.ofDays(2)), maxAge)).isEmpty();
        assertThat(RetentionEngine.staleNewest(nov, lastEnd.plus(Duration.ofDays(365)), Optional.empty())).isEmpty();
        Instant yearLater = lastEnd.plus(Duration.ofDays(365));
        Optional<String> why = RetentionEngine.staleNewest(nov, yearLater, maxAge);
        assertThat(why).hasValueSatisfying(w -> assertThat(w).contains("longer ago than newest-backup-max-age 3d")
                .contains("the clock looks wrong"));
        // without the guard, a year-old catalogue would be mostly deleted
        Plan unguarded = RetentionEngine.plan(window(7, 100), nov, yearLater, false, true);
        assertThat(unguarded.deletes()).isNotEmpty();
        Plan p = RetentionEngine.refuseIf(unguarded, why);
        assertKeepsEverything(p);
        // a FAILED backup that is newer does not hide how old the newest DONE one is
        List<Candidate> c = new ArrayList<>(nov);
        c.add(new Candidate("20271201T020000", yearLater.minusSeconds(60), Candidate.Status.FAILED, false, false, false,
                Optional.empty()));
        assertThat(RetentionEngine.staleNewest(c, yearLater, maxAge)).isPresent();
        // a plan refused already keeps its own refusal first
        Plan both = RetentionEngine.refuseIf(RetentionEngine.plan(window(7, 1), nov, lastEnd.plus(Duration.ofDays(1)), false), why);
        assertThat(both.refusal()).startsWith("would delete").endsWith(why.get());
        assertKeepsEverything(both);
    }
}
