package io.barmand.bucket;

import static org.assertj.core.api.Assertions.assertThat;

import io.barmand.config.RetentionPolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The retain-until arithmetic of Object Lock: window, tiers, never shortened, the WAL from the oldest locked copy. */
class LocksTest {
    static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    static RetentionPolicy policy(Duration window, int daily, int weekly, int monthly, int yearly) {
        return RetentionPolicy.of(Optional.ofNullable(window), daily, weekly, monthly, yearly, 1, 10, PARIS);
    }

    @Test
    void aCopyIsWrittenLockedUntilItsEndPlusTheWindowOrItsEndWithoutOne() {
        Instant end = Instant.parse("2026-12-07T01:10:00Z");
        assertThat(Locks.onWrite(policy(Duration.ofDays(7), 0, 0, 0, 0), end)).isEqualTo(Instant.parse("2026-12-14T01:10:00Z"));
        assertThat(Locks.onWrite(policy(null, 7, 0, 0, 0), end)).isEqualTo(end);
        assertThat(Locks.walOnWrite(policy(Duration.ofDays(7), 0, 0, 0, 0), end)).isEqualTo(Instant.parse("2026-12-14T01:10:00Z"));
    }

    @Test
    void theLongestTierThatClaimsAClosedPeriodSetsTheDayUntilItsNthPeriodBegins() {
        // nightly copies at 02:00 Paris (01:00 UTC); November ended: the newest copy of November is claimed by
        // keep-monthly 12 until 2027-11-01 00:00 Paris, by keep-weekly 4 until its ISO week + 4, by keep-daily 7
        RetentionPolicy p = policy(Duration.ofDays(7), 7, 4, 12, 0);
        Instant nov30 = Instant.parse("2026-11-30T01:00:00Z"); // a Monday
        Instant nov29 = Instant.parse("2026-11-29T01:00:00Z"); // a Sunday
        Instant dec1 = Instant.parse("2026-12-01T01:00:00Z");
        List<Instant> all = List.of(nov29, nov30, dec1);
        Instant now = Instant.parse("2026-12-07T12:00:00Z");
        assertThat(Locks.forCopy(p, nov30, all, now)).isEqualTo(Instant.parse("2027-10-31T23:00:00Z")); // 2027-11-01 Paris
        // Nov 29: not the newest of November, the newest of its ISO week (W48, Nov 23..29): until W52 begins
        assertThat(Locks.forCopy(p, nov29, all, now)).isEqualTo(Instant.parse("2026-12-20T23:00:00Z")); // Mon Dec 21 Paris
        // Dec 1: December is still open (a later copy may take it); its ISO week (Nov 30..Dec 6) has ended, and it is
        // that week's newest: keep-weekly 4 until Mon Dec 28 00:00 Paris
        assertThat(Locks.forCopy(p, dec1, all, now)).isEqualTo(Instant.parse("2026-12-27T23:00:00Z"));
        Instant dec1Day = Locks.forCopy(policy(Duration.ofHours(1), 7, 0, 0, 0), dec1, all, now);
        assertThat(dec1Day).isEqualTo(Instant.parse("2026-12-07T23:00:00Z")); // Dec 8 00:00 Paris
    }

    @Test
    void aCopyOfAnOpenPeriodIsOnlyClaimedByTheWindow() {
        RetentionPolicy p = policy(Duration.ofDays(2), 0, 0, 12, 0);
        Instant dec1 = Instant.parse("2026-12-01T01:00:00Z");
        assertThat(Locks.forCopy(p, dec1, List.of(dec1), Instant.parse("2026-12-02T00:00:00Z")))
                .isEqualTo(Instant.parse("2026-12-03T01:00:00Z"));
        // once December has ended, the monthly tier claims it for 12 months
        assertThat(Locks.forCopy(p, dec1, List.of(dec1), Instant.parse("2027-01-01T00:00:00Z")))
                .isEqualTo(Instant.parse("2027-11-30T23:00:00Z"));
    }

    @Test
    void aLockIsNeverShortened() {
        Instant a = Instant.parse("2027-01-01T00:00:00Z");
        Instant b = Instant.parse("2026-12-20T00:00:00Z");
        assertThat(Locks.extend(Optional.of(a), b)).isEqualTo(a);
        assertThat(Locks.extend(Optional.of(b), a)).isEqualTo(a);
        assertThat(Locks.extend(Optional.empty(), b)).isEqualTo(b);
    }

    @Test
    void aWalSegmentIsLockedUntilTheOldestLockedCopyThatNeedsItMayGo() {
        Instant t1 = Instant.parse("2026-11-01T01:00:00Z");
        Instant t2 = Instant.parse("2026-12-01T01:00:00Z");
        Instant t3 = Instant.parse("2026-12-06T01:00:00Z");
        // a monthly copy kept standalone (only its own WAL 10..12), two window copies from 20 and 30 on
        List<Locks.CopyLock> copies = List.of(
                new Locks.CopyLock("m", t1, "000000010000000000000010", "000000010000000000000012", true,
                        Instant.parse("2027-10-31T23:00:00Z")),
                new Locks.CopyLock("a", t2, "000000010000000000000020", "000000010000000000000021", false,
                        Instant.parse("2026-12-08T01:00:00Z")),
                new Locks.CopyLock("b", t3, "000000010000000000000030", "000000010000000000000031", false,
                        Instant.parse("2026-12-13T01:00:00Z")));
        assertThat(Locks.forWal("000000010000000000000011", copies)).contains(Instant.parse("2027-10-31T23:00:00Z"));
        // after the standalone copy's end, the oldest copy needing it is "a"
        assertThat(Locks.forWal("000000010000000000000013", copies)).isEmpty();
        assertThat(Locks.forWal("000000010000000000000025", copies)).contains(Instant.parse("2026-12-08T01:00:00Z"));
        assertThat(Locks.forWal("000000010000000000000035", copies)).contains(Instant.parse("2026-12-08T01:00:00Z"));
        assertThat(Locks.forWal("00000001000000000000000F", copies)).isEmpty();
    }
}
