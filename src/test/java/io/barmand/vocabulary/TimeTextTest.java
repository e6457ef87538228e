package io.barmand.vocabulary;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class TimeTextTest {
    @Test
    void anInstantIsShownInTheZoneToTheSecondWithTheZone() {
        Instant i = Instant.parse("2026-12-08T02:30:00Z");
        assertThat(TimeText.at(i, ZoneId.of("Europe/Paris"))).isEqualTo("2026-12-08 03:30:00 CET");
        assertThat(TimeText.at(Instant.parse("2026-07-08T02:30:05Z"), ZoneId.of("Europe/Paris"))).isEqualTo("2026-07-08 04:30:05 CEST");
        assertThat(TimeText.at(i, ZoneId.of("UTC"))).isEqualTo("2026-12-08 02:30:00 UTC");
        assertThat(TimeText.at(null, ZoneId.of("UTC"))).isEqualTo("-");
    }

    @Test
    void durationsAreWrittenAsPeopleWriteThem() {
        assertThat(TimeText.duration(Duration.ofHours(6))).isEqualTo("6h");
        assertThat(TimeText.duration(Duration.ofSeconds(150))).isEqualTo("2m 30s");
        assertThat(TimeText.duration(Duration.ofSeconds(45))).isEqualTo("45s");
        assertThat(TimeText.duration(Duration.ofMinutes(185).plusSeconds(7))).isEqualTo("3h 5m");
        assertThat(TimeText.duration(Duration.ofHours(52))).isEqualTo("2d 4h");
        assertThat(TimeText.duration(Duration.ofDays(3))).isEqualTo("3d");
        assertThat(TimeText.duration(Duration.ofMillis(400))).isEqualTo("0.4s");
        assertThat(TimeText.duration(Duration.ZERO)).isEqualTo("0s");
        assertThat(TimeText.millis(9000L)).isEqualTo("9s");
    }

    @Test
    void relativeTimesSayAgoOrIn() {
        Instant now = Instant.parse("2026-12-08T02:30:00Z");
        assertThat(TimeText.relative(now.minusSeconds(3900), now)).isEqualTo("1h 5m ago");
        assertThat(TimeText.relative(now.plusSeconds(300), now)).isEqualTo("in 5m");
        assertThat(TimeText.relative(null, now)).isEqualTo("-");
    }
}
