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
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The window and the tiers over generated catalogues, before the guards (which would refuse a first run). */
class TiersTest {
    final List<Candidate> two = Catalogue.twoYears();

    static RetentionPolicy policy(Duration window, int d, int w, int m, int y) {
        return RetentionPolicy.of(Optional.ofNullable(window), d, w, m, y, 0, 1000, PARIS);
    }

    Plan propose(RetentionPolicy p, List<Candidate> c, Instant now) {
        return RetentionEngine.propose(p, c, now, false);
    }

    void tierAlone(RetentionPolicy p, Function<Candidate, Comparable<?>> period, int n, Reason.Rule rule) {
        Plan plan = propose(p, two, NOW);
        Set<String> expected = Expect.tierAlone(two, period, n);
        assertThat(expected).hasSize(n);
        assertThat(Expect.keptDone(plan)).containsExactlyInAnyOrderElementsOf(expected);
        String newest = Expect.newestPerPeriod(two, period).get(0).backupId();
        for (Decision d : plan.decisions()) {
            if (d.backupId().equals(newest)) {
                // the newest DONE backup is a rail too: kept, never marked standalone
                assertThat(d.verdict()).isEqualTo(Verdict.KEEP);
                assertThat(d.reasons()).extracting(Reason::rule).containsExactly(rule, Reason.Rule.NEWEST_DONE);
            } else if (expected.contains(d.backupId())) {
                assertThat(d.verdict()).isEqualTo(Verdict.KEEP_STANDALONE);
                assertThat(d.reason().rule()).isEqualTo(rule);
            } else {
                assertThat(d.verdict()).isEqualTo(Verdict.DELETE);
            }
        }
    }

    @Test
    void keepDailyAloneKeepsTheNewestOfEachOfTheLastSevenDaysWithABackup() {
        tierAlone(policy(null, 7, 0, 0, 0), Expect.day(PARIS), 7, Reason.Rule.KEEP_DAILY);
        // the gap of 2026-11-27 and the FAILED night of 2026-11-29 do not count as days
        assertThat(Expect.keptDone(propose(policy(null, 7, 0, 0, 0), two, NOW))).containsExactlyInAnyOrder(
                "20261201T020000", "20261130T020000", "20261128T020000", "20261126T020000", "20261125T020000",
                "20261124T020000", "20261123T020000");
    }

    @Test
    void keepWeeklyAlone() {
        tierAlone(policy(null, 0, 4, 0, 0), Expect.week(PARIS), 4, Reason.Rule.KEEP_WEEKLY);
        Plan p = propose(policy(null, 0, 4, 0, 0), two, NOW);
        assertThat(Expect.keptDone(p)).containsExactlyInAnyOrder(
                "20261201T020000", "20261128T020000", "20261122T020000",
                "20261115T020000");
        assertThat(p.decision("20261122T020000").reason().text()).isEqualTo("keep-weekly 2026-W47");
    }

    @Test
    void keepMonthlyAlone() {
        tierAlone(policy(null, 0, 0, 12, 0), Expect.month(PARIS), 12, Reason.Rule.KEEP_MONTHLY);
        Plan p = propose(policy(null, 0, 0, 12, 0), two, NOW);
        // May 2026 ended on a FAILED night: its newest DONE backup is the 30th
        assertThat(p.decision("20260530T020000").verdict()).isEqualTo(Verdict.KEEP_STANDALONE);
        assertThat(p.decision("20260530T020000").reason().text()).isEqualTo("keep-monthly 2026-05");
        assertThat(p.decision("20260531T020000").verdict()).isEqualTo(Verdict.DELETE);
        // twelve months: 2026-12 (the newest, a rail too) back to 2026-01; December 2025 is the thirteenth
        assertThat(p.decision("20260131T020000").verdict()).isEqualTo(Verdict.KEEP_STANDALONE);
        assertThat(p.decision("20251231T020000").verdict()).isEqualTo(Verdict.DELETE);
    }

    @Test
    void keepYearlyAlone() {
        tierAlone(policy(null, 0, 0, 0, 2), Expect.year(PARIS), 2, Reason.Rule.KEEP_YEARLY);
        Plan p = propose(policy(null, 0, 0, 0, 2), two, NOW);
        assertThat(Expect.keptDone(p)).containsExactlyInAnyOrder("20261201T020000", "20251231T020000");
    }

    @Test
    void aTierShortOfItsCountKeepsTheOldestBackupAsBorgDoes() {
        // 2024, 2025, 2026: three years of five
        Plan p = propose(policy(null, 0, 0, 0, 5), two, NOW);
        assertThat(Expect.keptDone(p)).containsExactlyInAnyOrder("20261201T020000", "20251231T020000",
                "20241231T020000", "20241202T020000");
        assertThat(p.decision("20241202T020000").reason().text())
                .isEqualTo("keep-yearly 2024 (oldest backup: 3 of 5 years counted)");
    }

    @Test
    void backupsKeptByAnEarlierRuleDoNotCountForALaterOneAsInBorg() {
        // three weeks, Mon 2026-11-02 to Sun 2026-11-22 (ISO weeks 45, 46, 47)
        List<Candidate> c = Catalogue.nightly(LocalDate.of(2026, 11, 2), LocalDate.of(2026, 11, 22));
        Instant now = Instant.parse("2026-11-22T12:00:00Z");
        Plan p = propose(policy(null, 3, 2, 0, 0), c, now);
        // daily: 22, 21, 20; weekly: W47's newest (22) is kept by daily, so W47 is used up uncounted: W46, W45
        assertThat(Expect.keptDone(p)).containsExactlyInAnyOrder("20261122T020000", "20261121T020000",
                "20261120T020000", "20261115T020000", "20261108T020000");
        assertThat(p.decision("20261115T020000").reason().text()).isEqualTo("keep-weekly 2026-W46");
        assertThat(p.decision("20261108T020000").reason().text()).isEqualTo("keep-weekly 2026-W45");
        // weekly 3: only two weeks count, so the oldest backup is kept too
        Plan p3 = propose(policy(null, 3, 3, 0, 0), c, now);
        assertThat(p3.decision("20261102T020000").verdict()).isEqualTo(Verdict.KEEP_STANDALONE);
        assertThat(p3.decision("20261102T020000").reason().text())
                .isEqualTo("keep-weekly 2026-W45 (oldest backup: 2 of 3 weeks counted)");
    }

    @Test
    void recoveryWindowKeepsEveryBackupEndingInsideItAndTheOneBaseBeforeIt() {
        Plan p = propose(policy(Duration.ofDays(7), 0, 0, 0, 0), two, NOW);
        // start 2026-11-24T12:00Z: the 24th's backup (01:14Z) ends before it and is the base
        assertThat(Expect.keptDone(p)).containsExactlyInAnyOrder("20261201T020000", "20261130T020000",
                "20261128T020000", "20261126T020000", "20261125T020000", "20261124T020000");
        assertThat(Expect.keptDone(p)).isEqualTo(Expect.window(two, NOW.minus(Duration.ofDays(7))));
        assertThat(p.decision("20261125T020000").reason().text()).isEqualTo("recovery window 7d");
        assertThat(p.decision("20261124T020000").reason().text())
                .isEqualTo("recovery window 7d (base backup for its start)");
        assertThat(p.decision("20261124T020000").verdict()).isEqualTo(Verdict.KEEP);
        assertThat(p.decision("20261123T020000").verdict()).isEqualTo(Verdict.DELETE);
        assertThat(p.decision("20261123T020000").reason().text())
                .isEqualTo("kept by no tier, older than the recovery window 7d");
        assertThat(p.keepsStandalone()).isEmpty();
    }

    @Test
    void theWindowBaseIsTheNewestBackupBeforeTheStartEvenAcrossAGap() {
        // nothing from 2026-11-20 to 2026-11-26: the base is the 19th's backup, days before the window's start
        List<Candidate> c = Catalogue.nightly(LocalDate.of(2026, 11, 1), LocalDate.of(2026, 12, 1), PARIS,
                Set.of(LocalDate.of(2026, 11, 20), LocalDate.of(2026, 11, 21), LocalDate.of(2026, 11, 22),
                        LocalDate.of(2026, 11, 23), LocalDate.of(2026, 11, 24), LocalDate.of(2026, 11, 25),
                        LocalDate.of(2026, 11, 26)), Set.of(), Set.of());
        Plan p = propose(policy(Duration.ofDays(7), 0, 0, 0, 0), c, NOW);
        assertThat(Expect.keptDone(p)).containsExactlyInAnyOrder("20261201T020000", "20261130T020000",
                "20261129T020000", "20261128T020000", "20261127T020000", "20261119T020000");
        assertThat(p.decision("20261119T020000").reason().rule()).isEqualTo(Reason.Rule.RECOVERY_WINDOW_BASE);
    }

    @Test
    void aBackupEndingExactlyAtTheWindowStartIsInside() {
        List<Candidate> c = Catalogue.nightly(LocalDate.of(2026, 11, 20), LocalDate.of(2026, 12, 1));
        Instant now = c.stream().filter(x -> x.backupId().equals("20261124T020000")).findFirst().orElseThrow().end()
                .plus(Duration.ofDays(7));
        Plan p = propose(policy(Duration.ofDays(7), 0, 0, 0, 0), c, now);
        assertThat(p.decision("20261124T020000").reason().rule()).isEqualTo(Reason.Rule.RECOVERY_WINDOW);
        assertThat(p.decision("20261123T020000").reason().rule()).isEqualTo(Reason.Rule.RECOVERY_WINDOW_BASE);
        assertThat(p.decision("20261122T020000").verdict()).isEqualTo(Verdict.DELETE);
    }

    @Test
    void withAWindowTheDailyTierKeepsSevenDaysBeyondIt() {
        Plan p = propose(policy(Duration.ofDays(7), 7, 0, 0, 0), two, NOW);
        Set<String> window = Expect.window(two, NOW.minus(Duration.ofDays(7)));
        assertThat(Expect.keptDone(p)).hasSize(window.size() + 7);
        assertThat(p.keepsStandalone()).extracting(Decision::backupId).containsExactly("20261123T020000",
                "20261122T020000", "20261121T020000", "20261120T020000", "20261119T020000", "20261118T020000",
                "20261117T020000");
    }

    @Test
    void theFullPolicyOverTwoYearsKeepsWhatGroupingByPeriodKeeps() {
        RetentionPolicy full = policy(Duration.ofDays(7), 7, 4, 12, 2);
        Plan p = propose(full, two, NOW);
        Set<String> expected = Expect.policy(two, full, NOW);
        assertThat(Expect.keptDone(p)).containsExactlyInAnyOrderElementsOf(expected);
        Set<String> window = Expect.window(two, NOW.minus(Duration.ofDays(7)));
        for (Decision d : p.decisions()) {
            if (d.status() != Candidate.Status.DONE) {
                continue;
            }
            if (window.contains(d.backupId())) {
                assertThat(d.verdict()).as(d.backupId()).isEqualTo(Verdict.KEEP);
            } else if (expected.contains(d.backupId())) {
                assertThat(d.verdict()).as(d.backupId()).isEqualTo(Verdict.KEEP_STANDALONE);
            } else {
                assertThat(d.verdict()).as(d.backupId()).isEqualTo(Verdict.DELETE);
            }
        }
        // 6 in the window, 7 daily, 4 weekly, 12 monthly (2026-10 to 2025-11); yearly: 2026 and 2025 are kept
        // already, 2024 counts, and one year short the oldest backup is kept
        assertThat(expected).hasSize(6 + 7 + 4 + 12 + 1 + 1);
        assertThat(p.decision("20241231T020000").reason().text()).isEqualTo("keep-yearly 2024");
        assertThat(p.decision("20241202T020000").reason().rule()).isEqualTo(Reason.Rule.KEEP_YEARLY);
        assertThat(p.decision("20251231T020000").reason().text()).isEqualTo("keep-monthly 2025-12");
        assertThat(p.decisions()).extracting(Decision::end).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        assertThat(p.decisions().get(0).backupId()).isEqualTo("20261201T020000");
        assertThat(p.decisions().get(p.decisions().size() - 1).backupId()).isEqualTo("20241202T020000");
    }

    @Test
    void periodsAreCountedInTheZoneAcrossDstChanges() {
        List<Candidate> c = new ArrayList<>(Catalogue.nightly(LocalDate.of(2026, 3, 26), LocalDate.of(2026, 3, 31)));
        // spring forward, 2026-03-29: 02:00 does not exist, the backup begins at 03:00 CEST
        assertThat(c).extracting(Candidate::backupId).contains("20260329T030000");
        // fall back, 2026-10-25: 02:30 happens twice, a backup each time (00:30Z and 01:30Z)
        ZonedDateTime first = ZonedDateTime.of(LocalDate.of(2026, 10, 25), LocalTime.of(2, 30), PARIS)
                .withEarlierOffsetAtOverlap();
        ZonedDateTime second = first.withLaterOffsetAtOverlap();
        assertThat(first.toInstant()).isEqualTo(Instant.parse("2026-10-25T00:30:00Z"));
        c.add(new Candidate("20261025T023000a", first.plusMinutes(10).toInstant(), Candidate.Status.DONE, false, false,
                true, Optional.empty()));
        c.add(new Candidate("20261025T023000b", second.plusMinutes(10).toInstant(), Candidate.Status.DONE, false, false,
                true, Optional.empty()));
        // 00:30 local on 1 July is still 30 June in UTC: it belongs to July
        c.add(Catalogue.done(ZonedDateTime.of(LocalDate.of(2026, 7, 1), LocalTime.of(0, 30), PARIS)));
        c.add(Catalogue.done(ZonedDateTime.of(LocalDate.of(2026, 6, 30), LocalTime.of(2, 0), PARIS)));
        Instant now = Instant.parse("2026-10-26T12:00:00Z");
        Plan daily = propose(policy(null, 20, 0, 0, 0), c, now);
        assertThat(daily.decision("20261025T023000b").reason().text()).isEqualTo("keep-daily 2026-10-25");
        assertThat(daily.decision("20261025T023000a").verdict()).isEqualTo(Verdict.DELETE);
        assertThat(daily.decision("20260329T030000").reason().text()).isEqualTo("keep-daily 2026-03-29");
        assertThat(daily.decision("20260701T003000").reason().text()).isEqualTo("keep-daily 2026-07-01");
        assertThat(Expect.keptDone(daily)).containsExactlyInAnyOrderElementsOf(Expect.tierAlone(c, Expect.day(PARIS), 20));
        Plan monthly = propose(policy(null, 0, 0, 12, 0), c, now);
        assertThat(monthly.decision("20260701T003000").reason().text()).isEqualTo("keep-monthly 2026-07");
        assertThat(monthly.decision("20260630T020000").reason().text()).isEqualTo("keep-monthly 2026-06");
        assertThat(monthly.decision("20260331T020000").reason().text()).isEqualTo("keep-monthly 2026-03");
    }

    @Test
    void theIsoWeekYearBoundaryKeepsDecember31AndJanuary1InOneWeek() {
        // 2026 has 53 ISO weeks: Mon 2026-12-28 to Sun 2027-01-03 is 2026-W53
        List<Candidate> c = Catalogue.nightly(LocalDate.of(2026, 12, 14), LocalDate.of(2027, 1, 10));
        Instant now = Instant.parse("2027-01-10T12:00:00Z");
        Plan weekly = propose(policy(null, 0, 3, 0, 0), c, now);
        assertThat(Expect.keptDone(weekly)).containsExactlyInAnyOrder("20270110T020000", "20270103T020000",
                "20261227T020000");
        assertThat(weekly.decision("20270103T020000").reason().text()).isEqualTo("keep-weekly 2026-W53");
        assertThat(weekly.decision("20261227T020000").reason().text()).isEqualTo("keep-weekly 2026-W52");
        assertThat(weekly.decision("20261231T020000").verdict()).isEqualTo(Verdict.DELETE);
        assertThat(weekly.decision("20270101T020000").verdict()).isEqualTo(Verdict.DELETE);
        assertThat(Expect.keptDone(weekly)).containsExactlyInAnyOrderElementsOf(Expect.tierAlone(c, Expect.week(PARIS), 3));
        Plan yearly = propose(policy(null, 0, 0, 0, 2), c, now);
        assertThat(Expect.keptDone(yearly)).containsExactlyInAnyOrder("20270110T020000", "20261231T020000");
        assertThat(yearly.decision("20261231T020000").reason().text()).isEqualTo("keep-yearly 2026");
        Plan monthly = propose(policy(null, 0, 0, 2, 0), c, now);
        assertThat(Expect.keptDone(monthly)).containsExactlyInAnyOrder("20270110T020000", "20261231T020000");
    }

    @Test
    void nonDoneBackupsFillNoPeriod() {
        // today's backup is still running and yesterday's failed: keep-daily 2 keeps the two newest DONE days
        List<Candidate> c = new ArrayList<>(Catalogue.nightly(LocalDate.of(2026, 11, 20), LocalDate.of(2026, 11, 29),
                PARIS, Set.of(), Set.of(LocalDate.of(2026, 11, 29)), Set.of()));
        c.add(Catalogue.status(Catalogue.at2(LocalDate.of(2026, 11, 30), PARIS), Candidate.Status.STARTED));
        Plan p = propose(policy(null, 2, 0, 0, 0), c, Instant.parse("2026-11-30T01:30:00Z"));
        assertThat(Expect.keptDone(p)).containsExactlyInAnyOrder("20261128T020000", "20261127T020000");
        assertThat(p.decision("20261130T020000").verdict()).isEqualTo(Verdict.KEEP);
        assertThat(p.decision("20261130T020000").reason().text()).isEqualTo("in progress (STARTED): never deleted");
        assertThat(p.decision("20261129T020000").verdict()).isEqualTo(Verdict.DELETE);
        assertThat(p.decision("20261129T020000").reason().text()).isEqualTo("failed backup");
    }
}
