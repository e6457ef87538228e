package io.barmand.retention;

import io.barmand.config.RetentionPolicy;
import static io.barmand.retention.Catalogue.NOW;
import static io.barmand.retention.Catalogue.PARIS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Each rail turns a DELETE into a KEEP, with its reason. Catalogue: nightly backups of November 2026 and a 7-day
 * window: 20261110T020000 is outside it and kept by nothing, so deleted, unless a rail holds it.
 */
class RailsTest {
    static final String OLD = "20261110T020000";
    final List<Candidate> nov = Catalogue.nightly(LocalDate.of(2026, 11, 1), LocalDate.of(2026, 12, 1));

    static RetentionPolicy window(int minimumRedundancy) {
        return RetentionPolicy.of(Optional.of(Duration.ofDays(7)), 0, 0, 0, 0, minimumRedundancy, 100, PARIS);
    }

    Plan plan(List<Candidate> c, boolean offsiteOn) {
        return RetentionEngine.propose(window(0), c, NOW, offsiteOn);
    }

    @Test
    void withoutARailTheOldBackupIsDeleted() {
        Decision d = plan(nov, true).decision(OLD);
        assertThat(d.verdict()).isEqualTo(Verdict.DELETE);
        assertThat(d.reasons()).extracting(Reason::rule).containsExactly(Reason.Rule.NOT_KEPT);
    }

    @Test
    void theNewestPassedRestoreTestIsKept() {
        Decision d = plan(Catalogue.with(nov, OLD, Catalogue::passed), false).decision(OLD);
        assertThat(d.verdict()).isEqualTo(Verdict.KEEP);
        assertThat(d.reason().text()).isEqualTo("newest passed restore test");
        // a newer passed restore test takes the rail over
        List<Candidate> newer = Catalogue.with(Catalogue.with(nov, OLD, Catalogue::passed), "20261112T020000",
                Catalogue::passed);
        Plan p = plan(newer, false);
        assertThat(p.decision(OLD).verdict()).isEqualTo(Verdict.DELETE);
        assertThat(p.decision("20261112T020000").reason().text()).isEqualTo("newest passed restore test");
    }

    @Test
    void anUnverifiedOffsiteCopyKeepsTheBackupWhenOffsiteIsOn() {
        List<Candidate> c = Catalogue.with(nov, OLD, Catalogue::unverified);
        Decision on = plan(c, true).decision(OLD);
        assertThat(on.verdict()).isEqualTo(Verdict.KEEP);
        assertThat(on.reason().text()).isEqualTo("not copied offsite yet");
        assertThat(plan(c, false).decision(OLD).verdict()).isEqualTo(Verdict.DELETE);
    }

    @Test
    void aBackupARunningJobReadsIsKept() {
        Decision d = plan(Catalogue.with(nov, OLD, x -> Catalogue.inUse(x, "restore test")), false).decision(OLD);
        assertThat(d.verdict()).isEqualTo(Verdict.KEEP);
        assertThat(d.reason().text()).isEqualTo("in use by a running restore test");
        Decision copy = plan(Catalogue.with(nov, OLD, x -> Catalogue.inUse(x, "offsite copy")), false).decision(OLD);
        assertThat(copy.reason().text()).isEqualTo("in use by a running offsite copy");
    }

    @Test
    void minimumRedundancyKeepsTheNewestN() {
        // backups stopped on 2026-11-10: the window holds none, its base is the newest; redundancy 3 keeps two more
        List<Candidate> c = Catalogue.nightly(LocalDate.of(2026, 11, 1), LocalDate.of(2026, 11, 10));
        Plan p = RetentionEngine.propose(window(3), c, NOW, false);
        assertThat(Expect.keptDone(p)).containsExactlyInAnyOrder(OLD, "20261109T020000", "20261108T020000");
        assertThat(p.decision(OLD).reasons()).extracting(Reason::text).containsExactly(
                "recovery window 7d (base backup for its start)", "newest DONE backup", "minimum-redundancy 3");
        assertThat(p.decision("20261108T020000").reasons()).extracting(Reason::text)
                .containsExactly("minimum-redundancy 3");
        assertThat(p.decision("20261107T020000").verdict()).isEqualTo(Verdict.DELETE);
    }

    @Test
    void theNewestDoneBackupIsKeptEvenWhenEverythingAfterItFailed() {
        List<Candidate> c = Catalogue.nightly(LocalDate.of(2026, 10, 1), LocalDate.of(2026, 12, 1), PARIS, Set.of(),
                dates(LocalDate.of(2026, 11, 1), LocalDate.of(2026, 12, 1)), Set.of());
        Plan p = RetentionEngine.propose(RetentionPolicy.of(Optional.empty(), 0, 0, 1, 0, 0, 100, PARIS), c, NOW, false);
        Decision newest = p.decision("20261031T020000");
        assertThat(newest.verdict()).isEqualTo(Verdict.KEEP);
        assertThat(newest.reasons()).extracting(Reason::text).containsExactly("keep-monthly 2026-10",
                "newest DONE backup");
        assertThat(p.deletes()).hasSize(30 + 31); // the rest of October, and every FAILED night of November
    }

    @Test
    void aRailOnATierBackupKeepsItWithoutAStandaloneMark() {
        RetentionPolicy p = RetentionPolicy.of(Optional.of(Duration.ofDays(7)), 7, 0, 0, 0, 0, 100, PARIS);
        String tierOnly = "20261120T020000";
        assertThat(RetentionEngine.propose(p, nov, NOW, false).decision(tierOnly).verdict())
                .isEqualTo(Verdict.KEEP_STANDALONE);
        Decision d = RetentionEngine.propose(p, Catalogue.with(nov, tierOnly, x -> Catalogue.inUse(x, "offsite copy")),
                NOW, false).decision(tierOnly);
        assertThat(d.verdict()).isEqualTo(Verdict.KEEP);
        assertThat(d.reasons()).extracting(Reason::text).containsExactly("keep-daily 2026-11-20",
                "in use by a running offsite copy");
    }

    @Test
    void failedBackupsAreDeletedUnlessInUseAndBackupsInProgressNeverAre() {
        List<Candidate> c = new ArrayList<>(nov);
        c.add(Catalogue.failed(Catalogue.at2(LocalDate.of(2026, 11, 2), PARIS).plusHours(5)));
        c.add(Catalogue.inUse(Catalogue.failed(Catalogue.at2(LocalDate.of(2026, 11, 3), PARIS).plusHours(5)),
                "restore test"));
        c.add(Catalogue.status(Catalogue.at2(LocalDate.of(2026, 11, 4), PARIS).plusHours(5),
                Candidate.Status.WAITING_FOR_WALS));
        c.add(Catalogue.status(Catalogue.at2(LocalDate.of(2026, 12, 1), PARIS).plusHours(9), Candidate.Status.STARTED));
        c.add(Catalogue.status(Catalogue.at2(LocalDate.of(2026, 11, 5), PARIS).plusHours(5), Candidate.Status.of("WEIRD")));
        Plan p = plan(c, true);
        assertThat(p.decision("20261102T070000").verdict()).isEqualTo(Verdict.DELETE);
        assertThat(p.decision("20261102T070000").reason().text()).isEqualTo("failed backup");
        Decision used = p.decision("20261103T070000");
        assertThat(used.verdict()).isEqualTo(Verdict.KEEP);
        assertThat(used.reasons()).extracting(Reason::text).containsExactly("in use by a running restore test",
                "failed backup: deleted once nothing keeps it");
        assertThat(p.decision("20261104T070000").verdict()).isEqualTo(Verdict.KEEP);
        assertThat(p.decision("20261104T070000").reason().text())
                .isEqualTo("in progress (WAITING_FOR_WALS): never deleted");
        assertThat(p.decision("20261201T110000").reason().rule()).isEqualTo(Reason.Rule.IN_PROGRESS);
        assertThat(p.decision("20261105T070000").reason().text()).isEqualTo("in progress (UNKNOWN): never deleted");
        // a FAILED backup has no offsite copy to wait for
        assertThat(p.decision("20261102T070000").has(Reason.Rule.OFFSITE_UNVERIFIED)).isFalse();
        // the in-progress STARTED backup is the newest by time, but the newest DONE rail is the 1st's 02:00 one
        assertThat(p.decision("20261201T020000").has(Reason.Rule.NEWEST_DONE)).isTrue();
    }

    @Test
    void aBarmanKeepNoTierWantsIsReleasedThenDeleted() {
        Plan p = plan(Catalogue.with(nov, OLD, Catalogue::kept), false);
        Decision d = p.decision(OLD);
        assertThat(d.verdict()).isEqualTo(Verdict.RELEASE_AND_DELETE);
        assertThat(d.reasons()).extracting(Reason::text).containsExactly(
                "kept by no tier, older than the recovery window 7d",
                "barman keep that no tier wants: release, then delete");
        assertThat(p.deletes()).extracting(Decision::backupId).contains(OLD);
        assertThat(p.releases()).extracting(Decision::backupId).containsExactly(OLD);
    }

    @Test
    void aBarmanKeepInsideTheWindowOrUnderARailIsReleasedAndKept() {
        String inWindow = "20261128T020000";
        List<Candidate> c = Catalogue.with(Catalogue.with(nov, inWindow, Catalogue::kept), OLD,
                x -> Catalogue.unverified(Catalogue.kept(x)));
        Plan p = plan(c, true);
        assertThat(p.decision(inWindow).verdict()).isEqualTo(Verdict.RELEASE_AND_KEEP);
        assertThat(p.decision(inWindow).reasons()).extracting(Reason::text).containsExactly("recovery window 7d",
                "barman keep that no tier wants: release");
        assertThat(p.decision(OLD).verdict()).isEqualTo(Verdict.RELEASE_AND_KEEP);
        assertThat(p.decision(OLD).reason().text()).isEqualTo("not copied offsite yet");
        assertThat(p.releases()).extracting(Decision::backupId).containsExactly(inWindow, OLD);
        assertThat(p.deletes()).extracting(Decision::backupId).doesNotContain(inWindow, OLD);
    }

    @Test
    void aBarmanKeepOnABackupARunningJobReadsIsLeftAlone() {
        // a restore test takes barman keep --target full on its backup and releases it when done: not ours to release
        List<Candidate> c = Catalogue.with(nov, OLD, x -> Catalogue.inUse(Catalogue.kept(x), "restore test"));
        Decision d = plan(c, false).decision(OLD);
        assertThat(d.verdict()).isEqualTo(Verdict.KEEP);
        assertThat(d.reasons()).extracting(Reason::text).containsExactly("in use by a running restore test",
                "barman keep that no tier wants: left while a running restore test reads it");
        assertThat(plan(c, false).releases()).isEmpty();
        // also in the window
        String inWindow = "20261128T020000";
        Decision w = plan(Catalogue.with(nov, inWindow, x -> Catalogue.inUse(Catalogue.kept(x), "restore test")), false)
                .decision(inWindow);
        assertThat(w.verdict()).isEqualTo(Verdict.KEEP);
        assertThat(w.has(Reason.Rule.BARMAN_KEEP_HELD)).isTrue();
    }

    @Test
    void aBarmanKeepATierStillWantsStays() {
        RetentionPolicy p = RetentionPolicy.of(Optional.of(Duration.ofDays(7)), 0, 0, 3, 0, 0, 100, PARIS);
        List<Candidate> c = Catalogue.nightly(LocalDate.of(2026, 8, 1), LocalDate.of(2026, 12, 1));
        Plan plan = RetentionEngine.propose(p, Catalogue.with(Catalogue.with(c, "20261031T020000", Catalogue::kept),
                "20260831T020000", Catalogue::kept), NOW, false);
        assertThat(plan.decision("20261031T020000").verdict()).isEqualTo(Verdict.KEEP_STANDALONE);
        assertThat(plan.decision("20261031T020000").reason().text()).isEqualTo("keep-monthly 2026-10");
        // three months: 2026-10, 09, 08; August's kept backup is still wanted
        assertThat(plan.decision("20260831T020000").verdict()).isEqualTo(Verdict.KEEP_STANDALONE);
        assertThat(plan.releases()).isEmpty();
    }

    static Set<LocalDate> dates(LocalDate from, LocalDate to) {
        Set<LocalDate> s = new java.util.HashSet<>();
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
            s.add(d);
        }
        return s;
    }
}
