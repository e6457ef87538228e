package io.barmand.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FactsTest {
    @TempDir
    Path tmp;
    static final Instant T = Instant.parse("2026-11-24T01:00:00.123456Z");

    static Facts sample() {
        return Facts.builder().text("target", "end-of-wal").seconds("rto", 1.714).bytes("downloaded", 31457280L)
                .count("wal-files", 3).instant("recovery-point", T).lsn("replay-lsn", "0/3A000000")
                .seconds("canary-age", Duration.ofSeconds(12)).bytes("absent", null).build();
    }

    @Test
    void typedValuesByNameAndUnit() {
        Facts f = sample();
        assertThat(f.seconds("rto")).contains(1.714);
        assertThat(f.bytes("downloaded")).contains(31457280L);
        assertThat(f.count("wal-files")).contains(3L);
        assertThat(f.instant("recovery-point")).contains(T);
        assertThat(f.lsn("replay-lsn")).contains("0/3A000000");
        assertThat(f.seconds("canary-age")).contains(12.0);
        // a name asked for with another unit, or never measured, is empty
        assertThat(f.bytes("rto")).isEmpty();
        assertThat(f.get("absent")).isEmpty();
        assertThat(f.all()).extracting(Facts.Fact::name).containsExactly("target", "rto", "downloaded", "wal-files",
                "recovery-point", "replay-lsn", "canary-age");
    }

    @Test
    void oneTextForPeople() {
        assertThat(sample().toText()).isEqualTo("target=end-of-wal rto=1.71s downloaded=30.0 MiB wal-files=3 "
                + "recovery-point=2026-11-24T01:00:00.123456Z replay-lsn=0/3A000000 canary-age=12.00s");
        assertThat(Facts.NONE.toText()).isEmpty();
    }

    @Test
    void jsonRoundTripKeepsUnitsAndOrder() {
        Facts f = sample();
        assertThat(f.toJson().path("rto").path("unit").asText()).isEqualTo("seconds");
        assertThat(f.toJson().path("rto").path("value").asDouble()).isEqualTo(1.714);
        assertThat(f.toJson().path("downloaded").path("value").isIntegralNumber()).isTrue();
        assertThat(Facts.fromStored(f.toStored())).isEqualTo(f);
        assertThat(Facts.fromStored(null)).isSameAs(Facts.NONE);
        assertThat(Facts.NONE.toStored()).isNull();
    }

    @Test
    void aValueThatDoesNotFitItsUnitIsRefusedNamingTheFact() {
        assertThatThrownBy(() -> new Facts.Fact("rto", Facts.Unit.SECONDS, "fast"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fact rto (seconds) is not a Double");
        assertThatThrownBy(() -> Facts.fromStored("{\"rto\":{\"unit\":\"parsecs\",\"value\":1}}"))
                .hasMessageContaining("unknown unit 'parsecs'");
        assertThatThrownBy(() -> Facts.fromStored("{\"at\":{\"unit\":\"instant\",\"value\":\"noon\"}}"))
                .hasMessageContaining("fact at: not an instant: noon");
    }

    @Test
    void theHistoryStoresFactsAsTheirOwnColumnAndMakesDetailFromThemWhenAJobGivesNone() {
        try (RunStore s = RunStore.open(tmp, true)) {
            long id = s.start("pg1", "restore-test", Trigger.SCHEDULED, T);
            RunFigures fig = new RunFigures("20261124T010000", 100L, 10L, List.of(), null, null, sample()).withDefaultDetail();
            s.finish(id, Outcome.SUCCESS, T.plusSeconds(5), 5000, fig);
            RunRecord r = s.get(id).orElseThrow();
            assertThat(r.facts()).isEqualTo(sample());
            assertThat(r.facts().seconds("rto")).contains(1.714);
            assertThat(r.detail()).isEqualTo(sample().toText());
            assertThat(RunJson.fromJson(RunJson.toJson(r))).isEqualTo(r);
            // last N restore tests' RTO: a trend, by query and unit, with no text parsed
            assertThat(s.lastN("pg1", "restore-test", Outcome.SUCCESS, 14)).map(x -> x.facts().seconds("rto").orElseThrow())
                    .containsExactly(1.714);
        }
    }
}
