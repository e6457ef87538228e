package io.barmand.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.barmand.config.ReportSettings;
import io.barmand.health.Restorability.Facts;
import io.barmand.health.Restorability.Offsite;
import io.barmand.health.Restorability.Proof;
import io.barmand.health.Restorability.TestRun;
import io.barmand.vocabulary.Restorable;
import io.barmand.vocabulary.RestoreSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every rule of {@link Restorability}, one row each, from a server that is restorable with nothing to say. */
class RestorabilityTest {
    static final Instant NOW = Instant.parse("2026-12-07T07:00:00Z");
    /** health's defaults: backup 26h, WAL 6h, offsite WAL 6h, restore test 8d. */
    static final ReportSettings LIMITS = ReportSettings.defaults("test");

    static Instant ago(Duration d) {
        return NOW.minus(d);
    }

    /** A backup of 5h ago, WAL of 2 min ago, a restore test passed 23h ago (RTO 41 s), offsite 3 min behind. */
    static Facts good() {
        return new Facts(true, Optional.of("20261207T020000"), Optional.of(ago(Duration.ofHours(5))),
                Optional.of(ago(Duration.ofMinutes(2))), Optional.empty(),
                Optional.of(new Proof(7, ago(Duration.ofHours(23)), RestoreSource.BARMAN, Optional.of(41.0))),
                List.of(new TestRun(7, ago(Duration.ofHours(23)), RestoreSource.BARMAN, true, "success")),
                Optional.of(new Offsite(Optional.of(new TestRun(9, ago(Duration.ofMinutes(3)), RestoreSource.S3, true, "success")),
                        Optional.of("20261207T020000"), Optional.of(ago(Duration.ofMinutes(3))), true, 0)),
                Optional.empty());
    }

    static Facts with(UnaryOperator<Facts> change) {
        return change.apply(good());
    }

    static Facts copy(Facts f, Optional<String> backupId, Optional<Instant> backupEnded, Optional<Instant> wal,
                      Optional<String> gap, Optional<Proof> proof, List<TestRun> tests, Optional<Offsite> offsite,
                      Optional<Long> verify, boolean known) {
        return new Facts(known, backupId, backupEnded, wal, gap, proof, tests, offsite, verify);
    }

    static Arguments row(String name, Facts f, Restorable verdict, String reason) {
        return Arguments.of(name, f, verdict, reason);
    }

    static Stream<Arguments> rules() {
        Facts g = good();
        TestRun failed = new TestRun(8, ago(Duration.ofHours(1)), RestoreSource.BARMAN, false, "failed");
        return Stream.of(
                row("everything fresh and proven", g, Restorable.RESTORABLE, null),
                row("no DONE backup in Barman", copy(g, Optional.empty(), Optional.empty(), g.newestWal(), Optional.empty(),
                        Optional.empty(), List.of(), g.offsite(), Optional.empty(), true), Restorable.NOT_RESTORABLE,
                        "no DONE backup in Barman"),
                row("Barman unread and no backup recorded", copy(g, Optional.empty(), Optional.empty(), Optional.empty(),
                        Optional.empty(), Optional.empty(), List.of(), Optional.empty(), Optional.empty(), false),
                        Restorable.NOT_RESTORABLE, "no successful backup recorded (Barman's catalogue not read)"),
                row("a WAL segment missing after the backup", copy(g, g.backupId(), g.backupEnded(), g.newestWal(),
                        Optional.of("00000001000000000000000A"), g.proof(), g.tests(), g.offsite(), Optional.empty(), true),
                        Restorable.NOT_RESTORABLE, "WAL chain broken after backup 20261207T020000: 00000001000000000000000A "
                                + "missing from Barman's archive"),
                row("never restore-tested", copy(g, g.backupId(), g.backupEnded(), g.newestWal(), Optional.empty(),
                        Optional.empty(), List.of(), g.offsite(), Optional.empty(), true), Restorable.AT_RISK,
                        "never proven by a restore test"),
                row("the newest restore test failed", copy(g, g.backupId(), g.backupEnded(), g.newestWal(), Optional.empty(),
                        g.proof(), List.of(failed), g.offsite(), Optional.empty(), true), Restorable.AT_RISK,
                        "last restore test failed (run 8, 60m ago)"),
                row("the last proof is 9 days old", copy(g, g.backupId(), g.backupEnded(), g.newestWal(), Optional.empty(),
                        Optional.of(new Proof(7, ago(Duration.ofDays(9)), RestoreSource.S3, Optional.empty())), List.of(),
                        g.offsite(), Optional.empty(), true), Restorable.AT_RISK,
                        "last proven 9d ago (health.restore-test-max-age = 8d)"),
                row("the newest WAL is 7h old", copy(g, g.backupId(), g.backupEnded(), Optional.of(ago(Duration.ofHours(7))),
                        Optional.empty(), g.proof(), g.tests(), Optional.empty(), Optional.empty(), true), Restorable.AT_RISK,
                        "newest WAL archived 7h ago (health.wal-max-age = 6h)"),
                row("the newest backup is 30h old", copy(g, g.backupId(), Optional.of(ago(Duration.ofHours(30))), g.newestWal(),
                        Optional.empty(), g.proof(), g.tests(), g.offsite(), Optional.empty(), true), Restorable.AT_RISK,
                        "newest backup ended 30h ago (health.backup-max-age = 26h)"),
                row("offsite on, never copied", copy(g, g.backupId(), g.backupEnded(), g.newestWal(), Optional.empty(), g.proof(),
                        g.tests(), Optional.of(new Offsite(Optional.empty(), Optional.empty(), Optional.empty(), true, 0)),
                        Optional.empty(), true), Restorable.AT_RISK, "no offsite copy yet"),
                row("offsite copy failed", copy(g, g.backupId(), g.backupEnded(), g.newestWal(), Optional.empty(), g.proof(),
                        g.tests(), Optional.of(new Offsite(Optional.of(new TestRun(10, ago(Duration.ofMinutes(1)), RestoreSource.S3,
                                false, "failed")), g.backupId(), Optional.of(ago(Duration.ofMinutes(3))), true, 0)),
                        Optional.empty(), true), Restorable.AT_RISK, "offsite copy failed (run 10)"),
                row("offsite WAL 7h behind", copy(g, g.backupId(), g.backupEnded(), g.newestWal(), Optional.empty(), g.proof(),
                        g.tests(), Optional.of(new Offsite(g.offsite().get().lastRun(), g.backupId(),
                                Optional.of(ago(Duration.ofHours(7))), true, 0)), Optional.empty(), true), Restorable.AT_RISK,
                        "offsite WAL 7h old (health.offsite-wal-max-age = 6h)"),
                row("offsite copy with WAL gaps", copy(g, g.backupId(), g.backupEnded(), g.newestWal(), Optional.empty(), g.proof(),
                        g.tests(), Optional.of(new Offsite(g.offsite().get().lastRun(), g.backupId(), g.offsite().get().newestWalInS3(),
                                true, 2)), Optional.empty(), true), Restorable.AT_RISK,
                        "offsite copy misses 2 WAL segment(s)"),
                row("the newest verify failed", copy(g, g.backupId(), g.backupEnded(), g.newestWal(), Optional.empty(), g.proof(),
                        g.tests(), g.offsite(), Optional.of(12L), true), Restorable.AT_RISK, "last verify failed (run 12)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void eachRuleGivesItsVerdictAndItsWords(String name, Facts f, Restorable verdict, String reason) {
        Restorability r = Restorability.judge("pg1", f, LIMITS, NOW);
        assertThat(r.verdict()).as(name).isEqualTo(verdict);
        if (reason == null) {
            assertThat(r.reasons()).isEmpty();
        } else {
            assertThat(r.reasons()).extracting(Restorability.Reason::text).containsExactly(reason);
        }
    }

    @Test
    void restorableToIsTheNewestWalItsAgeTheRpoAndTheOffsiteCopyItsOwn() {
        Restorability r = Restorability.judge("pg1", good(), LIMITS, NOW);
        assertThat(r.restorableTo()).contains(ago(Duration.ofMinutes(2)));
        assertThat(r.rpo()).contains(Duration.ofMinutes(2));
        assertThat(r.offsiteRestorableTo()).contains(ago(Duration.ofMinutes(3)));
        assertThat(r.proof()).map(Proof::rtoSeconds).contains(Optional.of(41.0));
    }

    @Test
    void aBrokenChainStopsAtTheBackupAndNotRestorableComesBeforeAtRisk() {
        Facts g = good();
        Facts f = copy(g, g.backupId(), g.backupEnded(), g.newestWal(), Optional.of("00000001000000000000000A"), Optional.empty(),
                List.of(), g.offsite(), Optional.empty(), true);
        Restorability r = Restorability.judge("pg1", f, LIMITS, NOW);
        assertThat(r.restorableTo()).isEqualTo(g.backupEnded());
        assertThat(r.reasons()).extracting(Restorability.Reason::level)
                .containsExactly(Restorable.NOT_RESTORABLE, Restorable.AT_RISK);
    }

    @Test
    void withoutThresholdsAgesAreNoReason() {
        ReportSettings none = new ReportSettings(LIMITS.window(), LIMITS.trendDays(), LIMITS.hostName(), LIMITS.keep(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), LIMITS.alertsEnabled(),
                LIMITS.alertsInterval(), LIMITS.alertsMaxPerHour());
        Facts g = good();
        Facts old = copy(g, g.backupId(), Optional.of(ago(Duration.ofDays(40))), Optional.of(ago(Duration.ofDays(40))),
                Optional.empty(), Optional.of(new Proof(7, ago(Duration.ofDays(40)), RestoreSource.BARMAN, Optional.empty())),
                List.of(), Optional.empty(), Optional.empty(), true);
        assertThat(Restorability.judge("pg1", old, none, NOW).verdict()).isEqualTo(Restorable.RESTORABLE);
    }

    @Test
    void theVerdictWordsAndMetricValues() {
        assertThat(Restorable.RESTORABLE.words()).isEqualTo("restorable");
        assertThat(Restorable.AT_RISK.words()).isEqualTo("at risk");
        assertThat(Restorable.NOT_RESTORABLE.words()).isEqualTo("NOT restorable");
        assertThat(List.of(Restorable.NOT_RESTORABLE, Restorable.AT_RISK, Restorable.RESTORABLE))
                .extracting(Restorable::metric).containsExactly(0, 1, 2);
        assertThat(Restorable.AT_RISK.id()).isEqualTo("at-risk");
        assertThat(Restorable.AT_RISK.worst(Restorable.NOT_RESTORABLE)).isEqualTo(Restorable.NOT_RESTORABLE);
    }
}
