package io.barmand.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.barmand.history.Outcome;
import io.barmand.history.RunRecord;
import io.barmand.history.Trigger;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;
import org.quartz.CronExpression;

class CatchUpTest {
    static final Instant FIRE = Instant.parse("2026-11-24T02:00:00Z");

    static io.barmand.config.Schedule nightly() {
        return new io.barmand.config.Schedule("0 0 2 * * ?", java.time.ZoneOffset.UTC);
    }

    static RunRecord run(Instant started, Outcome o) {
        return new RunRecord(1, "pg1", "backup", Trigger.SCHEDULED, started, started.plusSeconds(60), o, 60000L, null,
                null, null, List.of(), null, null, started, 0L, 1, null);
    }

    @Test
    void getTimeBeforeWorksInQuartz251() throws Exception {
        assertThat(nightly().cron().getTimeBefore(java.util.Date.from(Instant.parse("2026-11-24T08:00:00Z"))).toInstant())
                .isEqualTo(FIRE);
        // the parsed schedule gives the same, and the next one
        assertThat(nightly().previous(Instant.parse("2026-11-24T08:00:00Z"))).contains(FIRE);
        assertThat(nightly().next(Instant.parse("2026-11-24T08:00:00Z"))).contains(FIRE.plus(java.time.Duration.ofDays(1)));
        io.barmand.config.Schedule paris = new io.barmand.config.Schedule("0 0 2 * * ?", java.time.ZoneId.of("Europe/Paris"));
        assertThat(paris.previous(Instant.parse("2026-11-24T08:00:00Z"))).contains(Instant.parse("2026-11-24T01:00:00Z"));
        assertThat(new io.barmand.config.Schedule("30 15 10 24 11 ? 2026", java.time.ZoneOffset.UTC)
                .next(Instant.parse("2026-11-24T10:20:00Z"))).isEmpty();
        CronExpression inParis = new CronExpression("0 0 2 * * ?");
        inParis.setTimeZone(TimeZone.getTimeZone("Europe/Paris"));
        assertThat(inParis.getTimeBefore(java.util.Date.from(Instant.parse("2026-11-24T08:00:00Z"))).toInstant())
                .isEqualTo(Instant.parse("2026-11-24T01:00:00Z"));
        CronExpression once = new CronExpression("30 15 10 24 11 ? 2026");
        assertThat(once.getTimeBefore(java.util.Date.from(Instant.parse("2026-11-24T10:20:00Z"))).toInstant())
                .isEqualTo(Instant.parse("2026-11-24T10:15:30Z"));
    }

    @Test
    void missedWhileStoppedIsCaughtUp() throws Exception {
        Instant now = Instant.parse("2026-11-24T08:00:00Z");
        Optional<Instant> installed = Optional.of(Instant.parse("2026-11-20T00:00:00Z"));
        assertThat(CatchUp.missedFire(nightly(), now, installed, List.of())).contains(FIRE);
    }

    @Test
    void notBeforeTheDaemonWasEverStarted() throws Exception {
        Instant now = Instant.parse("2026-11-24T08:00:00Z");
        assertThat(CatchUp.missedFire(nightly(), now, Optional.empty(), List.of())).isEmpty();
        assertThat(CatchUp.missedFire(nightly(), now, Optional.of(Instant.parse("2026-11-24T03:00:00Z")), List.of())).isEmpty();
    }

    @Test
    void notWhenTheRunHappened() throws Exception {
        Instant now = Instant.parse("2026-11-24T08:00:00Z");
        Optional<Instant> installed = Optional.of(Instant.parse("2026-11-20T00:00:00Z"));
        assertThat(CatchUp.missedFire(nightly(), now, installed, List.of(run(FIRE.plusMillis(3), Outcome.SUCCESS)))).isEmpty();
        assertThat(CatchUp.missedFire(nightly(), now, installed, List.of(run(FIRE.plusMillis(3), Outcome.FAILED)))).isEmpty();
        // a catch-up after an earlier restart counts too: it runs once, also across a second restart
        assertThat(CatchUp.missedFire(nightly(), now, installed, List.of(run(FIRE.plusSeconds(3600), Outcome.SUCCESS)))).isEmpty();
    }

    @Test
    void anInterruptedOrSkippedRunDoesNotCount() throws Exception {
        Instant now = Instant.parse("2026-11-24T08:00:00Z");
        Optional<Instant> installed = Optional.of(Instant.parse("2026-11-20T00:00:00Z"));
        assertThat(CatchUp.missedFire(nightly(), now, installed,
                List.of(run(FIRE.plusSeconds(10), Outcome.INTERRUPTED), run(FIRE.plusSeconds(5), Outcome.SKIPPED)))).contains(FIRE);
    }

    @Test
    void aRunBeforeTheFireTimeDoesNotCount() throws Exception {
        Instant now = Instant.parse("2026-11-24T08:00:00Z");
        Optional<Instant> installed = Optional.of(Instant.parse("2026-11-20T00:00:00Z"));
        assertThat(CatchUp.missedFire(nightly(), now, installed, List.of(run(FIRE.minusSeconds(86400), Outcome.SUCCESS))))
                .contains(FIRE);
    }
}
