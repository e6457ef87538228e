package io.barmand.fleet.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barmand.fleet.watch.Finding.Kind;
import io.barmand.fleet.watch.Watch.Beat;
import io.barmand.fleet.watch.Watch.Server;
import io.barmand.fleet.watch.Watch.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WatchTest {
    static final Instant NOW = Instant.parse("2026-12-08T03:00:00Z");
    static final Duration SILENT = Duration.ofMinutes(10);
    final Watch watch = new Watch(SILENT);

    static Beat beat(String node, Duration ago, String... servers) {
        return new Beat(node, NOW.minus(ago), Set.of(servers));
    }

    /** A server with a backup and WAL of the given ages, watched at 26 h and 1 h. */
    static Server server(String name, Duration backupAgo, Duration walAgo) {
        return new Server(name, Optional.of(NOW.minus(backupAgo)), Optional.of(NOW.minus(walAgo)),
                Optional.of(Duration.ofHours(26)), Optional.of(Duration.ofHours(1)));
    }

    static final Server PG1_FINE = server("pg1", Duration.ofHours(3), Duration.ofMinutes(2));

    @Test
    void aSilentNodeIsAlertedOnceWithItsServersThenRecoveredOnce() {
        List<Server> servers = List.of(PG1_FINE, server("pg2", Duration.ofHours(3), Duration.ofMinutes(2)));
        Beat live = beat("b2", Duration.ofSeconds(30), "pg2");
        Verdict first = watch.judge(List.of(beat("b1", Duration.ofMinutes(12), "pg1"), live), servers, Set.of(), NOW);
        assertThat(first.raised()).extracting(Alert::finding).containsExactly(new Finding(Kind.NODE_SILENT, "b1"));
        assertThat(first.raised().get(0).text())
                .isEqualTo("node silent: b1, last heartbeat 12 min ago (limit 10 min); owns pg1");
        assertThat(first.recovered()).isEmpty();

        Verdict second = watch.judge(List.of(beat("b1", Duration.ofMinutes(13), "pg1"), live), servers, first.open(),
                NOW.plusSeconds(60));
        assertThat(second.raised()).as("told once per episode").isEmpty();
        assertThat(second.open()).containsExactly(new Finding(Kind.NODE_SILENT, "b1"));

        Verdict back = watch.judge(List.of(beat("b1", Duration.ofSeconds(5), "pg1"), live), servers, second.open(), NOW);
        assertThat(back.raised()).isEmpty();
        assertThat(back.recovered()).containsExactly(new Finding(Kind.NODE_SILENT, "b1"));
        assertThat(back.open()).isEmpty();
    }

    @Test
    void aHeartbeatExactlyAtTheLimitIsNotSilent() {
        Verdict v = watch.judge(List.of(beat("b1", SILENT, "pg1")), List.of(PG1_FINE), Set.of(), NOW);
        assertThat(v.raised()).isEmpty();
        assertThat(watch.judge(List.of(beat("b1", SILENT.plusSeconds(1), "pg1")), List.of(PG1_FINE), Set.of(), NOW)
                .raised()).hasSize(1);
    }

    @Test
    void anOldBackupAndAnOldWalAreTwoFindingsOfTheServer() {
        Server pg1 = server("pg1", Duration.ofHours(30), Duration.ofMinutes(90));
        Verdict v = watch.judge(List.of(beat("b1", Duration.ZERO, "pg1")), List.of(pg1), Set.of(), NOW);
        assertThat(v.raised()).extracting(Alert::text).containsExactly(
                "backup too old: pg1, newest good backup 30 h 0 min ago (limit 26 h 0 min)",
                "WAL too old: pg1, newest WAL 90 min ago (limit 60 min)");
        // a new backup clears one episode, the other stays open and is not told again
        Server backedUp = server("pg1", Duration.ofMinutes(5), Duration.ofMinutes(90));
        Verdict next = watch.judge(List.of(beat("b1", Duration.ZERO, "pg1")), List.of(backedUp), v.open(), NOW);
        assertThat(next.raised()).isEmpty();
        assertThat(next.recovered()).containsExactly(new Finding(Kind.BACKUP_OLD, "pg1"));
        assertThat(next.open()).containsExactly(new Finding(Kind.WAL_OLD, "pg1"));
    }

    @Test
    void aServerNeverBackedUpIsAFindingAndAnUnwatchedAgeIsNone() {
        Server never = new Server("pg9", Optional.empty(), Optional.empty(), Optional.of(Duration.ofHours(26)), Optional.empty());
        Verdict v = watch.judge(List.of(beat("b1", Duration.ZERO, "pg9")), List.of(never), Set.of(), NOW);
        assertThat(v.raised()).extracting(Alert::text).containsExactly(
                "backup too old: pg9, newest good backup: none recorded (limit 26 h 0 min)");
    }

    @Test
    void aServerNoNodeClaimsIsUnownedButTheServersOfASilentNodeAreToldByItsAlert() {
        List<Beat> beats = List.of(beat("b1", Duration.ofHours(1), "pg1"), beat("b2", Duration.ZERO, "pg2"));
        List<Server> servers = List.of(PG1_FINE, server("pg2", Duration.ofHours(1), Duration.ofMinutes(1)),
                server("pg3", Duration.ofHours(1), Duration.ofMinutes(1)));
        Verdict v = watch.judge(beats, servers, Set.of(), NOW);
        assertThat(v.raised()).extracting(Alert::finding).containsExactly(new Finding(Kind.NODE_SILENT, "b1"),
                new Finding(Kind.UNOWNED, "pg3"));
        assertThat(v.raised().get(1).text()).isEqualTo("server owned by no node: pg3");
    }

    @Test
    void aQuietFleetRaisesNothing() {
        Verdict v = watch.judge(List.of(beat("b1", Duration.ofSeconds(40), "pg1")), List.of(PG1_FINE), Set.of(), NOW);
        assertThat(v.raised()).isEmpty();
        assertThat(v.recovered()).isEmpty();
        assertThat(v.open()).isEmpty();
    }

    @Test
    void theSilenceLimitMustBePositive() {
        assertThatThrownBy(() -> new Watch(Duration.ZERO)).hasMessageContaining("fleet.node-silent-after");
    }
}
