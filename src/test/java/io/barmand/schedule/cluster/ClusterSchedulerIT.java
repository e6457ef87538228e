package io.barmand.schedule.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barmand.config.FleetSettings;
import io.barmand.error.BarmandException;
import io.barmand.fleet.StateDatabase;
import io.barmand.fleet.StateDbFixture;
import io.barmand.vocabulary.Capability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet's clustered scheduler on a real PostgreSQL 15 state database (StateDbFixture), its schema made by the
 * fleet's Flyway migrations, through the state database's pool: several
 * nodes in this JVM (each its own Quartz schedulers and check-ins), and one in a process of its own for a real kill -9.
 */
class ClusterSchedulerIT {
    @RegisterExtension
    static final StateDbFixture STATE = new StateDbFixture();
    @TempDir
    static Path tmp;

    private final List<ClusterScheduler> nodes = new ArrayList<>();
    private final List<StateDatabase> pools = new ArrayList<>();
    private Process victim;

    @AfterEach
    void stop() {
        nodes.forEach(n -> n.shutdown(true));
        pools.forEach(StateDatabase::close);
        if (victim != null) {
            victim.destroyForcibly();
        }
    }

    /** A new state database, its schema made by the fleet's Flyway migrations (V1, and V2: Quartz's tables). */
    private DataSource stateDb(String prefix) {
        String url = STATE.newDatabase(prefix);
        StateDatabase db = open(url, "it");
        db.migrate();
        return db.dataSource();
    }

    private StateDatabase open(String url, String node) {
        StateDatabase db = StateDatabase.open(new FleetSettings.State(url, StateDbFixture.USER,
                Optional.of(STATE.passwordFile(tmp)), 16), node, Duration.ofSeconds(10));
        pools.add(db);
        return db;
    }

    private ClusterScheduler node(DataSource db, ClusterSettings s, Map<FloatingKind, FloatingWork> works) {
        ClusterScheduler n = new ClusterScheduler(db, s, works);
        nodes.add(n);
        return n;
    }

    private static void sql(DataSource db, String statement) throws SQLException {
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }

    private static long count(DataSource db, String query) throws SQLException {
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void await(Duration limit, String what, Check check) throws Exception {
        long end = System.nanoTime() + limit.toNanos();
        while (!check.holds()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + limit + ": " + what);
            }
            TimeUnit.MILLISECONDS.sleep(50); // polling the database for a condition, not waiting for time to pass
        }
    }

    interface Check {
        boolean holds() throws Exception;
    }

    @Test
    void theMigrationSeedsTheRowLocksOfEveryScheduler() throws Exception {
        DataSource db = stateDb("fleetq_locks");
        assertThat(count(db, "SELECT count(*) FROM qrtz_locks")).isEqualTo(8);
        for (Capability c : List.of(Capability.REPORT, Capability.WATCH, Capability.RESTORE_TEST_S3, Capability.VERIFY_S3)) {
            assertThat(count(db, "SELECT count(*) FROM qrtz_locks WHERE sched_name = '" + ClusterScheduler.schedulerName(c) + "'"))
                    .as(c.id()).isEqualTo(2);
        }
    }

    /**
     * Three nodes on one state database (one Quartz thread each) take six floating jobs firing every 300 ms, each run
     * lasting 20 ms, so that a node busy with one run leaves the next fire to another: each fire is recorded under
     * the unique key (job, fire time), so a second fire of one time is counted, and each job's fire times recorded
     * must be every one from its first to its last.
     */
    @Test
    void floatingJobsFireExactlyOncePerFireTimeAcrossThreeNodes() throws Exception {
        DataSource db = stateDb("fleetq_once");
        sql(db, "CREATE TABLE fires (server text, scheduled bigint, node text NOT NULL, fired bigint NOT NULL,"
                + " PRIMARY KEY (server, scheduled))");
        AtomicInteger duplicates = new AtomicInteger();
        FloatingWork record = run -> {
            try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO fires VALUES (?, ?, ?, ?) ON CONFLICT (server, scheduled) DO NOTHING")) {
                ps.setString(1, run.server());
                ps.setLong(2, run.scheduled().toEpochMilli());
                ps.setString(3, run.node());
                ps.setLong(4, run.fired().toEpochMilli());
                if (ps.executeUpdate() == 0) {
                    duplicates.incrementAndGet();
                }
            }
            Thread.sleep(20); // a run that takes a moment: this node's one thread is busy meanwhile
        };
        List<FloatingJobSpec> jobs = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            jobs.add(new FloatingJobSpec(FloatingKind.REPORT, "s" + i, new FloatingSchedule.Every(Duration.ofMillis(300))));
        }
        List<ClusterScheduler> three = new ArrayList<>();
        for (String name : List.of("n1", "n2", "n3")) {
            three.add(node(db, ClusterSettings.of(name, Set.of(Capability.REPORT)), Map.of(FloatingKind.REPORT, record)));
        }
        assertThat(three.get(0).declare(jobs)).isEqualTo(6);
        // the same jobs declared by the other nodes: left as they are (their pending fire times untouched)
        assertThat(three.get(1).declare(jobs)).isZero();
        assertThat(three.get(2).declare(jobs)).isZero();
        long t0 = System.nanoTime();
        three.forEach(ClusterScheduler::start);
        await(Duration.ofSeconds(60), "300 fires", () -> count(db, "SELECT count(*) FROM fires") >= 300);
        three.forEach(n -> n.shutdown(true));
        double seconds = (System.nanoTime() - t0) / 1e9;

        long fires = count(db, "SELECT count(*) FROM fires");
        long expected = count(db, "SELECT sum(n) FROM (SELECT (max(scheduled) - min(scheduled)) / 300 + 1 AS n FROM fires GROUP BY server) j");
        long offGrid = count(db, "SELECT count(*) FROM fires f WHERE (scheduled - (SELECT min(scheduled) FROM fires g"
                + " WHERE g.server = f.server)) % 300 <> 0");
        Map<String, Long> byNode = new TreeMap<>();
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT node, count(*) FROM fires GROUP BY node")) {
            while (rs.next()) {
                byNode.put(rs.getString(1), rs.getLong(2));
            }
        }
        long p50 = count(db, "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY fired - scheduled) FROM fires");
        long p99 = count(db, "SELECT percentile_disc(0.99) WITHIN GROUP (ORDER BY fired - scheduled) FROM fires");
        System.out.printf("fleet exactly-once: %d fires of 6 floating jobs over 3 nodes in %.1f s: %d missed, %d duplicates;"
                + " by node %s; delay p50 %d ms, p99 %d ms%n", fires, seconds, expected - fires, duplicates.get(), byNode, p50, p99);
        assertThat(fires).isGreaterThanOrEqualTo(300);
        assertThat(duplicates.get()).as("fire times fired twice").isZero();
        assertThat(offGrid).isZero();
        assertThat(fires).as("every fire time of each job from its first to its last, none missed").isEqualTo(expected);
        assertThat(byNode).as("the nodes shared the fires: they competed for each").hasSize(3);
    }

    /**
     * kill -9 of the node running a long floating job (a process of its own): another node with the capability
     * re-runs it, told that it is recovering, with the fire time of the run that died; the time from the kill to the
     * recovered start is printed (Quartz: a node silent for check-in + 7.5 s is declared dead at the next check-in
     * of another: 7.5 to 22.5 s with the 7.5 s check-in).
     */
    @Test
    void aLongFloatingJobIsRecoveredOnAnotherNodeAfterKillMinus9() throws Exception {
        String url = STATE.newDatabase("fleetq_failover");
        StateDatabase state = open(url, "it");
        state.migrate();
        DataSource db = state.dataSource();
        sql(db, "CREATE TABLE it_runs (node text, server text, scheduled bigint, recovered boolean, started bigint)");
        Path out = Files.createDirectories(Path.of("target/it-fleet")).resolve("victim.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        victim = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), FleetNodeMain.class.getName(),
                url, STATE.passwordFile(tmp).toString(), "victim").redirectErrorStream(true).redirectOutput(out.toFile()).start();
        await(Duration.ofSeconds(30), "the victim's run started (log: " + out + ")",
                () -> count(db, "SELECT count(*) FROM it_runs WHERE node = 'victim'") == 1);
        // the survivor joins once the victim holds the run: nothing else could have taken it
        node(db, ClusterSettings.of("survivor", Set.of(Capability.RESTORE_TEST_S3)),
                Map.of(FloatingKind.RESTORE_TEST_S3, run -> FleetNodeMain.record(db, run))).start();
        long killed = System.currentTimeMillis();
        victim.destroyForcibly(); // SIGKILL: no shutdown hook, no last word to the database
        assertThat(victim.waitFor(10, TimeUnit.SECONDS)).isTrue();
        await(Duration.ofSeconds(40), "the run recovered on the survivor",
                () -> count(db, "SELECT count(*) FROM it_runs WHERE node = 'survivor'") == 1);
        long scheduledVictim = count(db, "SELECT scheduled FROM it_runs WHERE node = 'victim'");
        long scheduledSurvivor = count(db, "SELECT scheduled FROM it_runs WHERE node = 'survivor'");
        long started = count(db, "SELECT started FROM it_runs WHERE node = 'survivor'");
        System.out.printf("fleet failover: kill -9 of the node running restore-test-s3 of pg1 -> recovered on another "
                + "node after %.1f s (check-in 7.5 s)%n", (started - killed) / 1000.0);
        assertThat(count(db, "SELECT count(*) FROM it_runs WHERE node = 'survivor' AND recovered AND server = 'pg1'")).isEqualTo(1);
        assertThat(scheduledSurvivor).as("the recovered run is for the fire time that died").isEqualTo(scheduledVictim);
        assertThat(count(db, "SELECT count(*) FROM it_runs")).isEqualTo(2);
    }

    /** A job needing a capability that only one node has runs only there, while the others take the jobs they can. */
    @Test
    void aJobNeedingACapabilityRunsOnlyWhereItIsDeclared() throws Exception {
        DataSource db = stateDb("fleetq_capability");
        sql(db, "CREATE TABLE fires (kind text, node text, scheduled bigint, PRIMARY KEY (kind, scheduled))");
        FloatingWork record = run -> {
            try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO fires VALUES (?, ?, ?)")) {
                ps.setString(1, run.kind().id());
                ps.setString(2, run.node());
                ps.setLong(3, run.scheduled().toEpochMilli());
                ps.executeUpdate();
            }
            Thread.sleep(30); // a job that takes a moment: the report jobs then spread over the nodes
        };
        Map<FloatingKind, FloatingWork> works = Map.of(FloatingKind.REPORT, record, FloatingKind.VERIFY_S3, record);
        ClusterScheduler a = node(db, ClusterSettings.of("a", Set.of(Capability.REPORT)), works);
        ClusterScheduler b = node(db, ClusterSettings.of("b", Set.of(Capability.REPORT, Capability.VERIFY_S3)), works);
        ClusterScheduler c = node(db, ClusterSettings.of("c", Set.of(Capability.REPORT)), works);
        FloatingJobSpec verify = new FloatingJobSpec(FloatingKind.VERIFY_S3, "pg1", new FloatingSchedule.Every(Duration.ofMillis(40)));
        assertThatThrownBy(() -> a.declare(List.of(verify))).isInstanceOf(BarmandException.class)
                .hasMessageContaining("does not run verify-s3");
        b.declare(List.of(verify));
        // three report jobs, so that every node has work it may take
        for (String s : List.of("x", "y", "z")) {
            a.declare(List.of(new FloatingJobSpec(FloatingKind.REPORT, s, new FloatingSchedule.Every(Duration.ofMillis(40)))));
        }
        List.of(a, b, c).forEach(ClusterScheduler::start);
        await(Duration.ofSeconds(30), "40 verify fires",
                () -> count(db, "SELECT count(*) FROM fires WHERE kind = 'verify-s3'") >= 40);
        List.of(a, b, c).forEach(n -> n.shutdown(true));
        assertThat(count(db, "SELECT count(*) FROM fires WHERE kind = 'verify-s3' AND node <> 'b'")).isZero();
        assertThat(count(db, "SELECT count(DISTINCT node) FROM fires WHERE kind = 'report'"))
                .as("the nodes without verify-s3 did take jobs: they were there to take it").isGreaterThan(1);
    }
}
