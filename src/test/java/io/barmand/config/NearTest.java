package io.barmand.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NearTest {
    final List<String> keys = List.of("shutdown-timeout", "kill-grace", "state-dir", "part-size", "backup", "check");

    @Test
    void distanceCountsEditsAndSwaps() {
        assertThat(Near.distance("shutdown-timout", "shutdown-timeout")).isEqualTo(1); // a letter missing
        assertThat(Near.distance("shutdown-timoeut", "shutdown-timeout")).isEqualTo(1); // two letters swapped
        assertThat(Near.distance("kill-grase", "kill-grace")).isEqualTo(1);
        assertThat(Near.distance("stat-dirr", "state-dir")).isEqualTo(2);
        assertThat(Near.distance("", "abc")).isEqualTo(3);
        assertThat(Near.distance("abc", "abc")).isZero();
    }

    @Test
    void nearestWithinTwoEdits() {
        assertThat(Near.nearest("shutdown-timout", keys)).contains("shutdown-timeout");
        assertThat(Near.nearest("stat-dirr", keys)).contains("state-dir");
        assertThat(Near.nearest("partsize", keys)).contains("part-size");
        assertThat(Near.nearest("colour", keys)).isEmpty();
        assertThat(Near.nearest("bakup", keys)).contains("backup");
        // a short word is near anything: only one edit
        assertThat(Near.nearest("chk", keys)).isEmpty();
        assertThat(Near.suggestion("kill-grase", keys)).isEqualTo(" (did you mean kill-grace?)");
        assertThat(Near.suggestion("state-dir", keys)).isEmpty();
    }
}
