package io.barmand.schedule.cluster;

import io.barmand.vocabulary.Capability;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What one node brings to the fleet's clustered scheduler.
 *
 * @param node the node's name, unique in the fleet: Quartz's instance id, so that a node restarted after a crash
 *             recovers its own unfinished fires at its first check-in instead of waiting for another node to notice
 * @param capabilities what the node can run: it starts the clustered scheduler of each of them (and of no other)
 * @param checkin Quartz's {@code clusterCheckinInterval}: how often the node says it is alive; a node silent for
 *                {@code checkin + 7.5 s} is declared dead by the next check-in of another
 * @param misfireThreshold how late a fire may be taken before it counts as missed ({@link FloatingKind.Missed})
 * @param threads Quartz threads of each capability's scheduler: at most that many of its jobs run at once on this
 *                node, the rest wait in the job store for another node (1 when absent)
 */
public record ClusterSettings(String node, Set<Capability> capabilities, Duration checkin, Duration misfireThreshold,
                              Map<Capability, Integer> threads) {
    /** Quartz's own default, kept: failover in 15-22.5 s, and a node must stall 15 s to be declared dead. */
    public static final Duration CHECKIN = Duration.ofMillis(7500);
    public static final Duration MISFIRE_THRESHOLD = Duration.ofSeconds(60);

    public ClusterSettings {
        Objects.requireNonNull(node, "node");
        if (node.isBlank() || node.length() > 200) {
            throw new IllegalArgumentException("node name must have 1 to 200 characters, is \"" + node + "\"");
        }
        capabilities = capabilities.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(capabilities));
        threads = Map.copyOf(threads);
        if (checkin.toMillis() < 100) {
            throw new IllegalArgumentException("check-in interval " + checkin + " is below 100 ms");
        }
    }

    /** With Quartz's check-in (7.5 s), a misfire threshold of 60 s and one thread per capability. */
    public static ClusterSettings of(String node, Set<Capability> capabilities) {
        return new ClusterSettings(node, capabilities, CHECKIN, MISFIRE_THRESHOLD, Map.of());
    }

    public ClusterSettings withCheckin(Duration d) {
        return new ClusterSettings(node, capabilities, d, misfireThreshold, threads);
    }

    public ClusterSettings withThreads(Capability c, int n) {
        Map<Capability, Integer> t = new java.util.EnumMap<>(Capability.class);
        t.putAll(threads);
        t.put(c, n);
        return new ClusterSettings(node, capabilities, checkin, misfireThreshold, t);
    }

    public int threads(Capability c) {
        return Math.max(1, threads.getOrDefault(c, 1));
    }
}
