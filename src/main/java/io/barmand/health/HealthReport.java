package io.barmand.health;

import java.time.Instant;
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

    public Severity severity() {
        return problems().stream().map(Problem::severity).reduce(Severity.OK, Severity::max);
    }

    /** Every missed run, the host's last. */
    public List<Missed> missed() {
        return Stream.concat(servers.stream().flatMap(s -> s.missed().stream()), hostMissed.stream()).toList();
    }

    /**
     * The verdict, as the subject and {@code status --check} say it: "OK: 12 servers",
     * "FAILED: pg3 backup, pg7 restore test", "WARNING: pg1 WAL age".
     */
    public String verdict() {
        Severity s = severity();
        if (s == Severity.OK) {
            return "OK: " + servers.size() + (servers.size() == 1 ? " server" : " servers");
        }
        List<String> labels = problems().stream().filter(p -> p.severity() == s).map(Problem::label).distinct().toList();
        String list = labels.size() <= 6 ? String.join(", ", labels)
                : String.join(", ", labels.subList(0, 5)) + " and " + (labels.size() - 5) + " more";
        return (s == Severity.CRITICAL ? "FAILED: " : "WARNING: ") + list;
    }
}
