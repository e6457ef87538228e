package io.barmand.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.vocabulary.RestoreSource;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunOptionsTest {
    @Test
    void theSourceOfARunTravelsThroughTheControlSocketsForm() {
        RunOptions o = RunOptions.parse("latest", "ago:30m", "s3");
        assertThat(o.source()).contains(RestoreSource.S3);
        assertThat(o.toMap()).containsEntry("source", "s3").containsEntry("backupId", "latest");
        assertThat(RunOptions.fromMap(o.toMap())).isEqualTo(o);
        assertThat(RunOptions.source(RestoreSource.BARMAN).isEmpty()).isFalse();
        assertThat(RunOptions.parse(null, null, " ").source()).isEmpty();
        assertThat(RunOptions.NONE.withAllowMassDelete().withSource(RestoreSource.S3).allowMassDelete()).isTrue();
    }

    @Test
    void anUnknownSourceIsAUsageErrorNamingTheOption() {
        assertThatThrownBy(() -> RunOptions.parse(null, null, "tape")).isInstanceOf(BarmandException.class)
                .hasMessage("--from: must be \"barman\" or \"s3\", is \"tape\"")
                .satisfies(e -> assertThat(((BarmandException) e).category()).isEqualTo(Category.USAGE));
        assertThatThrownBy(() -> RunOptions.fromMap(Map.of("source", "ftp"))).isInstanceOf(BarmandException.class);
        // a source in a trigger's data is one barmand wrote: anything else is a bug, not a usage error
        assertThatThrownBy(() -> RestoreSource.named("x")).isInstanceOf(IllegalArgumentException.class);
    }
}
