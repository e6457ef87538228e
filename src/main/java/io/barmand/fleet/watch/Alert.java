package io.barmand.fleet.watch;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A finding raised, with its figures.
 *
 * @param last when the thing was last seen well: the node's newest heartbeat, the server's newest backup or WAL
 *             (empty: never)
 * @param age how old {@code last} was at the watch's run (empty when never)
 * @param threshold the age past which it is a finding (empty for an unowned server)
 * @param servers the servers concerned: those a silent node owns; the server itself otherwise
 */
public record Alert(Finding finding, Optional<Instant> last, Optional<Duration> age, Optional<Duration> threshold,
                    List<String> servers) {
    public Alert {
        servers = List.copyOf(servers);
    }

    /** One line for people: "node silent: backup-1, last heartbeat 12 min ago (limit 10 min); owns pg1, pg2". */
    public String text() {
        StringBuilder b = new StringBuilder(finding.toString());
        String what = switch (finding.kind()) {
            case NODE_SILENT -> "last heartbeat";
            case BACKUP_OLD -> "newest good backup";
            case WAL_OLD -> "newest WAL";
            case UNOWNED -> "";
        };
        if (!what.isEmpty()) {
            b.append(", ").append(what).append(age.map(a -> " " + minutes(a) + " ago").orElse(": none recorded"));
        }
        threshold.ifPresent(t -> b.append(" (limit ").append(minutes(t)).append(")"));
        if (finding.kind() == Finding.Kind.NODE_SILENT && !servers.isEmpty()) {
            b.append("; owns ").append(String.join(", ", servers));
        }
        return b.toString();
    }

    static String minutes(Duration d) {
        long m = d.toMinutes();
        return m < 120 ? m + " min" : (m / 60) + " h " + (m % 60) + " min";
    }
}
