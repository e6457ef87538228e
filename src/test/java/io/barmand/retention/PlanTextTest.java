package io.barmand.retention;

import io.barmand.config.RetentionPolicy;
import static io.barmand.retention.Catalogue.NOW;
import static io.barmand.retention.Catalogue.PARIS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlanTextTest {
    final RetentionPolicy policy = RetentionPolicy.of(Optional.of(Duration.ofDays(7)), 7, 4, 12, 2, 1, 10, PARIS);

    Plan plan() {
        List<Candidate> c = Catalogue.nightly(LocalDate.of(2026, 9, 1), LocalDate.of(2026, 12, 1));
        c = Catalogue.with(c, "20261124T020000", Catalogue::kept);
        c = Catalogue.with(c, "20261020T020000", Catalogue::kept);
        return RetentionEngine.plan(policy, Simulation.survivors(c, policy, NOW).stream()
                .map(x -> x.backupId().equals("20261031T020000") ? Catalogue.unkept(x) : x).toList(), NOW, false);
    }

    @Test
    void aTableLineABackup() {
        List<Candidate> c = Catalogue.nightly(LocalDate.of(2026, 11, 20), LocalDate.of(2026, 12, 1));
        c = Catalogue.with(c, "20261121T020000", Catalogue::kept);
        Plan p = RetentionEngine.plan(RetentionPolicy.of(Optional.of(Duration.ofDays(7)), 1, 0, 0, 0, 1, 10, PARIS), c,
                NOW, false);
        List<String> t = PlanText.table(p);
        assertThat(t.get(0)).isEqualTo("policy: recovery window 7d, keep-daily 1, keep-weekly 0, keep-monthly 0,"
                + " keep-yearly 0, minimum-redundancy 1, max-deletes-per-run 10 (periods in Europe/Paris)");
        assertThat(t).contains(
                "20261201T020000  2026-12-01 02:14  DONE  keep                  recovery window 7d; newest DONE backup;"
                        + " minimum-redundancy 1",
                "20261123T020000  2026-11-23 02:14  DONE  keep (standalone)     keep-daily 2026-11-23",
                "20261122T020000  2026-11-22 02:14  DONE  delete                kept by no tier, older than the"
                        + " recovery window 7d",
                "20261121T020000  2026-11-21 02:14  DONE  release keep, delete  kept by no tier, older than the"
                        + " recovery window 7d; barman keep that no tier wants: release, then delete");
        assertThat(t.get(t.size() - 1)).isEqualTo("12 backups: 8 keep, 1 keep (standalone), 2 delete, 0 release and"
                + " keep, 1 release and delete");
    }

    @Test
    void aRefusedTableSaysSoFirst() {
        List<Candidate> c = Catalogue.nightly(LocalDate.of(2026, 11, 1), LocalDate.of(2026, 12, 1));
        List<String> t = PlanText.table(RetentionEngine.plan(policy, c, NOW, false));
        assertThat(t.get(1)).startsWith("REFUSED: would delete ");
        assertThat(t.get(t.size() - 1)).endsWith("(refused: nothing is done)");
        assertThat(t.get(2)).contains("  keep  planned: keep; recovery window 7d").doesNotContain("refused");
    }

    @Test
    void json() {
        Plan p = plan();
        ObjectNode o = PlanText.json(p);
        assertThat(o.path("now").asText()).isEqualTo("2026-12-01T12:00:00Z");
        assertThat(o.path("zone").asText()).isEqualTo("Europe/Paris");
        assertThat(o.path("policy").path("recoveryWindow").asText()).isEqualTo("7d");
        assertThat(o.path("policy").path("recoveryWindowSeconds").asLong()).isEqualTo(604_800);
        assertThat(o.path("policy").path("keepMonthly").asInt()).isEqualTo(12);
        assertThat(o.path("refused").asBoolean()).isFalse();
        assertThat(o.path("refusal").isNull()).isTrue();
        JsonNode b = o.path("backups");
        assertThat(b.size()).isEqualTo(p.decisions().size());
        assertThat(b.get(0).path("backupId").asText()).isEqualTo("20261201T020000");
        assertThat(b.get(0).path("end").asText()).isEqualTo("2026-12-01T01:14:00Z");
        assertThat(b.get(0).path("endLocal").asText()).isEqualTo("2026-12-01T02:14+01:00");
        assertThat(b.get(0).path("status").asText()).isEqualTo("DONE");
        assertThat(b.get(0).path("verdict").asText()).isEqualTo("keep");
        assertThat(b.get(0).path("reasons").get(0).path("rule").asText()).isEqualTo("recovery-window");
        assertThat(b.get(0).path("reasons").get(0).path("text").asText()).isEqualTo("recovery window 7d");
        JsonNode standalone = find(b, "20261031T020000");
        assertThat(standalone.path("verdict").asText()).isEqualTo("keep-standalone");
        assertThat(standalone.path("reasons").get(0).path("text").asText()).isEqualTo("keep-monthly 2026-10");
        assertThat(o.path("counts").path("keepStandalone").asLong()).isEqualTo(p.keepsStandalone().size());
        assertThat(o.path("counts").path("keep").asLong() + o.path("counts").path("keepStandalone").asLong()
                + o.path("counts").path("delete").asLong() + o.path("counts").path("releaseAndKeep").asLong()
                + o.path("counts").path("releaseAndDelete").asLong()).isEqualTo(b.size());
        Plan refused = RetentionEngine.plan(policy, Catalogue.nightly(LocalDate.of(2026, 11, 1),
                LocalDate.of(2026, 12, 1)), NOW, false);
        ObjectNode r = PlanText.json(refused);
        assertThat(r.path("refused").asBoolean()).isTrue();
        assertThat(r.path("refusal").asText()).isEqualTo(refused.refusal());
        assertThat(r.path("backups").get(0).path("reasons").get(0).path("rule").asText()).isEqualTo("refused");
        assertThat(r.path("backups").get(0).path("reasons").get(1).path("text").asText()).isEqualTo("planned: keep");
    }

    static JsonNode find(JsonNode backups, String id) {
        for (JsonNode b : backups) {
            if (b.path("backupId").asText().equals(id)) {
                return b;
            }
        }
        throw new AssertionError("no " + id);
    }
}
