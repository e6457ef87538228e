package io.barmand.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RunOptionsTest {
    @Test
    void theSourceOfARunTravelsThroughTheControlSocketsForm() {
        RunOptions o = RunOptions.parse("latest", "ago:30m", "s3");
        assertThat(o.source()).contains("s3");
        assertThat(o.toMap()).containsEntry("source", "s3").containsEntry("backupId", "latest");
        assertThat(RunOptions.fromMap(o.toMap())).isEqualTo(o);
        assertThat(RunOptions.source("barman").isEmpty()).isFalse();
        assertThat(RunOptions.parse(null, null, " ").source()).isEmpty();
        assertThat(RunOptions.NONE.withAllowMassDelete().withSource("s3").allowMassDelete()).isTrue();
    }

    @Test
    void anUnknownSourceIsAUsageErrorNamingTheOption() {
        assertThatThrownBy(() -> RunOptions.parse(null, null, "tape")).isInstanceOf(BarmandException.class)
                .hasMessage("--from: must be \"barman\" or \"s3\", is \"tape\"")
                .satisfies(e -> assertThat(((BarmandException) e).category()).isEqualTo(Category.USAGE));
        assertThatThrownBy(() -> RunOptions.fromMap(Map.of("source", "ftp"))).isInstanceOf(BarmandException.class);
        assertThatThrownBy(() -> new RunOptions(Optional.empty(), Optional.empty(), false, Optional.of("x")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
