package io.barmand.schedule.cluster;

import io.barmand.config.FleetSettings;
import io.barmand.fleet.StateDatabase;
import io.barmand.fleet.StateDbFixture;
import io.barmand.vocabulary.Capability;
import java.nio.file.Path;
import java.util.Optional;
import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A fleet node in a process of its own, for the failover IT's kill -9: {@code FleetNodeMain URL PASSWORD-FILE NODE} joins the
 * fleet with capability restore-test-s3, declares server pg1's restore test from S3 (every hour from now: it fires at
 * once), records each run it starts in table {@code it_runs} and then holds it (a long restore test) until killed.
 */
public final class FleetNodeMain {
    private FleetNodeMain() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        Path password = Path.of(args[1]);
        String node = args[2];
        DataSource db = StateDatabase.open(new FleetSettings.State(url, StateDbFixture.USER, Optional.of(password), 8),
                node, Duration.ofSeconds(10)).dataSource();
        FloatingWork longRun = run -> {
            record(db, run);
            Thread.sleep(Duration.ofMinutes(10).toMillis());
        };
        ClusterScheduler s = new ClusterScheduler(db, ClusterSettings.of(node, Set.of(Capability.RESTORE_TEST_S3)),
                Map.of(FloatingKind.RESTORE_TEST_S3, longRun));
        s.declare(List.of(new FloatingJobSpec(FloatingKind.RESTORE_TEST_S3, "pg1", new FloatingSchedule.Every(Duration.ofHours(1)))));
        s.start();
        Thread.sleep(Long.MAX_VALUE);
    }

    /** One run started: its node, its fire time, whether it is recovered, when it started (epoch ms). */
    static void record(javax.sql.DataSource db, FloatingRun run) throws Exception {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO it_runs (node, server, scheduled, recovered, started) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, run.node());
            ps.setString(2, run.server());
            ps.setLong(3, run.scheduled().toEpochMilli());
            ps.setBoolean(4, run.recovered());
            ps.setLong(5, System.currentTimeMillis());
            ps.executeUpdate();
        }
    }
}
