package io.barmand.health;

import io.barmand.vocabulary.Restorable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Every server's health at one instant, and the problems of the host (missed runs of its jobs). */
public record HealthReport(Instant at, List<ServerHealth> servers, List<Missed> hostMissed, List<Problem> hostProblems) {
    public HealthReport {
        servers = List.copyOf(servers);
        hostMissed = List.copyOf(hostMissed);
        hostProblems = List.copyOf(hostProblems);
    }

    /** Every problem, the host's last. */
    public List<Problem> problems() {
        return Stream.concat(servers.stream().flatMap(s -> s.problems().stream()), hostProblems.stream()).toList();
    }

    /** The worst of the problems and of the restorability (NOT restorable is critical, at risk a warning). */
    public Severity severity() {
        Severity s = problemSeverity();
        for (ServerHealth sh : servers) {
            s = s.max(severity(sh.restorability().verdict()));
        }
        return s;
    }

    /** The worst of the problems alone (what alerts follow). */
    public Severity problemSeverity() {
        return problems().stream().map(Problem::severity).reduce(Severity.OK, Severity::max);
    }

    /** How a verdict weighs in {@link #severity()} and {@code status --check}'s exit code. */
    public static Severity severity(Restorable r) {
        return switch (r) {
            case RESTORABLE -> Severity.OK;
            case AT_RISK -> Severity.WARNING;
            case NOT_RESTORABLE -> Severity.CRITICAL;
        };
    }

    /** The servers whose verdict is {@code r}, in the configuration's order. */
    public List<String> servers(Restorable r) {
        return servers.stream().filter(s -> s.restorability().verdict() == r).map(ServerHealth::server).toList();
    }

    /** Every missed run, the host's last. */
    public List<Missed> missed() {
        return Stream.concat(servers.stream().flatMap(s -> s.missed().stream()), hostMissed.stream()).toList();
    }

    /**
     * The verdict, as the subject and {@code status --check} say it, the servers that cannot be restored first:
     * "OK: 12 servers", "NOT restorable: pg3; at risk: pg7; FAILED: pg7 restore test", "WARNING: pg1 WAL age".
     */
    public String verdict() {
        List<String> parts = new ArrayList<>();
        List<String> not = servers(Restorable.NOT_RESTORABLE);
        List<String> risk = servers(Restorable.AT_RISK);
        if (!not.isEmpty()) {
            parts.add(Restorable.NOT_RESTORABLE.words() + ": " + list(not));
        }
        if (!risk.isEmpty()) {
            parts.add(Restorable.AT_RISK.words() + ": " + list(risk));
        }
        Severity s = problemSeverity();
        if (s != Severity.OK) {
            List<String> labels = problems().stream().filter(p -> p.severity() == s).map(Problem::label).distinct().toList();
            parts.add((s == Severity.CRITICAL ? "FAILED: " : "WARNING: ") + list(labels));
        }
        if (parts.isEmpty()) {
            return "OK: " + servers.size() + (servers.size() == 1 ? " server" : " servers");
        }
        return String.join("; ", parts);
    }

    private static String list(List<String> l) {
        return l.size() <= 6 ? String.join(", ", l) : String.join(", ", l.subList(0, 5)) + " and " + (l.size() - 5) + " more";
    }
}
