package io.barmand.fleet.watch;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The fleet's dead-man's switch, as rules: from the nodes' newest heartbeats, the fleet's record of each server's
 * newest good backup and WAL, the episodes already open and the time of the run, what to alert now and what has
 * recovered. No database, no clock, no mail: the floating watch job reads the facts, calls {@link #judge} and sends
 * what it returns, then keeps {@link Verdict#open()} for its next run, so that each episode is told once when it
 * begins and once when it clears.
 *
 * <p>The rules, one function each: a node whose newest heartbeat is older than {@code nodeSilentAfter}
 * ({@link #silent}, its servers named in the one alert); a server whose newest good backup is older than its
 * threshold or absent ({@link #oldBackup}); the same for its newest WAL ({@link #oldWal}); a server in the record that
 * no node claims, live or silent ({@link #unowned}: the servers of a silent node are told by that node's alert).
 */
public final class Watch {
    private final Duration nodeSilentAfter;

    public Watch(Duration nodeSilentAfter) {
        if (nodeSilentAfter.isNegative() || nodeSilentAfter.isZero()) {
            throw new IllegalArgumentException("fleet.node-silent-after must be positive, is " + nodeSilentAfter);
        }
        this.nodeSilentAfter = nodeSilentAfter;
    }

    /** A node's newest heartbeat and the servers it owns. */
    public record Beat(String node, Instant at, Set<String> servers) {
        public Beat {
            servers = Set.copyOf(servers);
        }
    }

    /**
     * A server as the fleet's record has it: its newest good backup and newest WAL (empty: none), and the ages past
     * which they are too old (empty: not watched).
     */
    public record Server(String name, Optional<Instant> newestBackup, Optional<Instant> newestWal,
                         Optional<Duration> backupMaxAge, Optional<Duration> walMaxAge) {
    }

    /**
     * What one run of the watch concludes.
     *
     * @param raised the findings that began since the last run, to alert
     * @param recovered the findings of the last run that have cleared, to tell as recovered
     * @param open every finding of this run: the {@code open} of the next
     */
    public record Verdict(List<Alert> raised, List<Finding> recovered, Set<Finding> open) {
        public Verdict {
            raised = List.copyOf(raised);
            recovered = List.copyOf(recovered);
            open = Set.copyOf(open);
        }
    }

    public Verdict judge(List<Beat> beats, List<Server> servers, Set<Finding> open, Instant now) {
        Map<Finding, Alert> found = new LinkedHashMap<>();
        beats.stream().sorted(Comparator.comparing(Beat::node))
                .forEach(b -> silent(b, nodeSilentAfter, now).ifPresent(a -> found.put(a.finding(), a)));
        for (Server s : servers.stream().sorted(Comparator.comparing(Server::name)).toList()) {
            oldBackup(s, now).ifPresent(a -> found.put(a.finding(), a));
            oldWal(s, now).ifPresent(a -> found.put(a.finding(), a));
            unowned(s.name(), beats).ifPresent(a -> found.put(a.finding(), a));
        }
        List<Alert> raised = found.values().stream().filter(a -> !open.contains(a.finding())).toList();
        List<Finding> recovered = open.stream().filter(f -> !found.containsKey(f))
                .sorted(Comparator.comparing(Finding::kind).thenComparing(Finding::subject)).toList();
        return new Verdict(raised, recovered, new LinkedHashSet<>(found.keySet()));
    }

    /** The node's newest heartbeat is older than {@code limit}. */
    static Optional<Alert> silent(Beat b, Duration limit, Instant now) {
        Duration age = Duration.between(b.at(), now);
        if (age.compareTo(limit) <= 0) {
            return Optional.empty();
        }
        return Optional.of(new Alert(new Finding(Finding.Kind.NODE_SILENT, b.node()), Optional.of(b.at()),
                Optional.of(age), Optional.of(limit), new ArrayList<>(new TreeSet<>(b.servers()))));
    }

    static Optional<Alert> oldBackup(Server s, Instant now) {
        return tooOld(Finding.Kind.BACKUP_OLD, s.name(), s.newestBackup(), s.backupMaxAge(), now);
    }

    static Optional<Alert> oldWal(Server s, Instant now) {
        return tooOld(Finding.Kind.WAL_OLD, s.name(), s.newestWal(), s.walMaxAge(), now);
    }

    private static Optional<Alert> tooOld(Finding.Kind kind, String server, Optional<Instant> newest,
                                          Optional<Duration> max, Instant now) {
        if (max.isEmpty()) {
            return Optional.empty();
        }
        Optional<Duration> age = newest.map(t -> Duration.between(t, now));
        if (age.isPresent() && age.get().compareTo(max.get()) <= 0) {
            return Optional.empty();
        }
        return Optional.of(new Alert(new Finding(kind, server), newest, age, max, List.of(server)));
    }

    /** No node's heartbeat, live or silent, claims the server. */
    static Optional<Alert> unowned(String server, List<Beat> beats) {
        if (beats.stream().anyMatch(b -> b.servers().contains(server))) {
            return Optional.empty();
        }
        return Optional.of(new Alert(new Finding(Finding.Kind.UNOWNED, server), Optional.empty(), Optional.empty(),
                Optional.empty(), List.of(server)));
    }
}
