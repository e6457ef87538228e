package io.barmand.retention;

import io.barmand.config.RetentionPolicy;
import static io.barmand.retention.Catalogue.PARIS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetentionPolicyTest {
    static final String BLOCK = """
            recovery-window = 7d, keep-daily = 7, keep-weekly = 4, keep-monthly = 12, keep-yearly = 2
            minimum-redundancy = 1, max-deletes-per-run = 10
            """;

    static BarmandException error(Runnable r) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(r::run);
        assertThat(t).isInstanceOf(BarmandException.class);
        assertThat(((BarmandException) t).category()).isEqualTo(Category.CONFIG);
        return (BarmandException) t;
    }

    @Test
    void aBadValueNamesItsKey() {
        assertThat(error(() -> RetentionPolicy.of(Optional.empty(), -1, 0, 1, 0, 0, 10, PARIS)).getMessage())
                .isEqualTo("keep-daily: must be 0 or more, is -1");
        assertThat(error(() -> RetentionPolicy.of(Optional.empty(), 1, 0, 0, 0, 0, 0, PARIS)).getMessage())
                .isEqualTo("max-deletes-per-run: must be 1 or more, is 0");
        assertThat(error(() -> RetentionPolicy.of(Optional.of(Duration.ofMinutes(1)), 1, 0, 0, 0, 0, 1, PARIS))
                .getMessage()).startsWith("recovery-window: must be at least 1h or \"off\", is 1m (in HOCON m means"
                + " minutes");
        assertThat(error(() -> RetentionPolicy.of(Optional.empty(), 1, -2, 0, 0, -1, 1, PARIS)).getMessage())
                .isEqualTo("keep-weekly: must be 0 or more, is -2\nminimum-redundancy: must be 0 or more, is -1");
    }

    @Test
    void aPolicyThatWouldKeepOnlyTheNewestBackupIsRefused() {
        assertThat(error(() -> RetentionPolicy.of(Optional.empty(), 0, 0, 0, 0, 1, 10, PARIS)).getMessage())
                .startsWith("recovery-window: is off, every keep-* is 0 and minimum-redundancy is 1: the policy would"
                        + " keep only the newest backup");
        // Barman's REDUNDANCY n: no window, no tier, the newest n
        assertThat(RetentionPolicy.of(Optional.empty(), 0, 0, 0, 0, 3, 10, PARIS).minimumRedundancy()).isEqualTo(3);
    }

    @Test
    void readsABlock() {
        List<String> problems = new ArrayList<>();
        RetentionPolicy p = RetentionPolicy.read(ConfigFactory.parseString(BLOCK), "barmand.servers.pg1.retention.local",
                PARIS, problems);
        assertThat(problems).isEmpty();
        assertThat(p).isEqualTo(RetentionPolicy.of(Optional.of(Duration.ofDays(7)), 7, 4, 12, 2, 1, 10, PARIS));
        assertThat(p.summary()).isEqualTo("recovery window 7d, keep-daily 7, keep-weekly 4, keep-monthly 12,"
                + " keep-yearly 2, minimum-redundancy 1, max-deletes-per-run 10 (periods in Europe/Paris)");
        RetentionPolicy off = RetentionPolicy.read(ConfigFactory.parseString(BLOCK + "recovery-window = off"), "",
                PARIS, problems);
        assertThat(problems).isEmpty();
        assertThat(off.recoveryWindow()).isEmpty();
        assertThat(off.windowText()).isEqualTo("off");
    }

    @Test
    void readsTheLayoutWithSharedKeysThroughAFallback() {
        Config retention = ConfigFactory.parseString("""
                local { recovery-window = 7d, keep-daily = 7, keep-weekly = 4, keep-monthly = 3, keep-yearly = 0 }
                s3 { recovery-window = 7d, keep-daily = 7, keep-weekly = 4, keep-monthly = 12, keep-yearly = 2 }
                minimum-redundancy = 2, max-deletes-per-run = 10
                """);
        List<String> problems = new ArrayList<>();
        RetentionPolicy local = RetentionPolicy.read(retention.getConfig("local").withFallback(retention), "r.local",
                PARIS, problems);
        RetentionPolicy s3 = RetentionPolicy.read(retention.getConfig("s3").withFallback(retention), "r.s3", PARIS,
                problems);
        assertThat(problems).isEmpty();
        assertThat(local.keepMonthly()).isEqualTo(3);
        assertThat(s3.keepMonthly()).isEqualTo(12);
        assertThat(s3.minimumRedundancy()).isEqualTo(2);
    }

    @Test
    void readingCollectsEveryProblemWithItsKeyAndLine() {
        List<String> problems = new ArrayList<>();
        RetentionPolicy p = RetentionPolicy.read(ConfigFactory.parseString("""
                recovery-window = "a week"
                keep-daily = -1
                keep-weekly = many
                keep-monthly = 12
                minimum-redundancy = 1
                max-deletes-per-run = 10
                """), "barmand.servers.pg1.retention.local", PARIS, problems);
        assertThat(p).isNull();
        assertThat(problems).containsExactly(
                "barmand.servers.pg1.retention.local.recovery-window: must be \"off\" or a duration such as 7d, is"
                        + " \"a week\" (line 1)",
                "barmand.servers.pg1.retention.local.keep-weekly: must be a whole number, is \"many\" (line 3)",
                "barmand.servers.pg1.retention.local.keep-yearly: missing (a whole number)",
                // the values that did read are checked as well: every problem at once
                "barmand.servers.pg1.retention.local.keep-daily: must be 0 or more, is -1 (line 2)");
        problems.clear();
        assertThat(RetentionPolicy.read(ConfigFactory.parseString(BLOCK + "keep-daily = -1\nrecovery-window = 1m"),
                "k", PARIS, problems)).isNull();
        assertThat(problems).hasSize(2);
        assertThat(problems.get(0)).startsWith("k.recovery-window: must be at least 1h or \"off\", is 1m").endsWith("(line 4)");
        assertThat(problems.get(1)).isEqualTo("k.keep-daily: must be 0 or more, is -1 (line 3)");
    }

    @Test
    void aBareNumberIsMillisecondsAndSaidSo() {
        List<String> problems = new ArrayList<>();
        RetentionPolicy.read(ConfigFactory.parseString(BLOCK + "recovery-window = 7"), "k", PARIS, problems);
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0)).contains("is 0.007s").contains("a bare number milliseconds");
    }

    @Test
    void withoutAZoneNothingIsBuiltAndNothingMoreIsSaid() {
        List<String> problems = new ArrayList<>();
        assertThat(RetentionPolicy.read(ConfigFactory.parseString(BLOCK), "k", null, problems)).isNull();
        assertThat(problems).isEmpty();
        assertThatThrownBy(() -> RetentionPolicy.of(Optional.empty(), 1, 0, 0, 0, 0, 1, null))
                .isInstanceOf(BarmandException.class).hasMessage("zone: missing (the zone in which periods are counted)");
    }
}
