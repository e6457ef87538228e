package io.barmand.barman;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One {@code barman recover}: which backup of which server, into which folder, where recovery stops (a time or an
 * LSN, then promote) and, for a folder on another host, how Barman reaches it over SSH. Barman's options for it are
 * spelt here and nowhere else ({@link #options()}); {@link BarmanClient#recover(RecoverRequest, java.time.Duration)}
 * runs it.
 *
 * @param targetTime recovery stops at this time ({@code --target-time}, in Barman's format), then promotes
 * @param targetLsn  recovery stops at this LSN ({@code --target-lsn}), then promotes; never with a time
 * @param remote     the destination is on another host, copied there over SSH ({@code --remote-ssh-command})
 */
public record RecoverRequest(String server, String backupId, Path destination, Optional<Instant> targetTime,
                             Optional<String> targetLsn, Optional<Ssh> remote) {
    /** How {@code barman recover --target-time} takes a time: "2026-11-24 01:00:00.000000+00:00". */
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx");

    public RecoverRequest {
        if (targetTime.isPresent() && targetLsn.isPresent()) {
            throw new IllegalArgumentException("barman recover stops at a time or at an LSN, not both");
        }
    }

    /** The backup into {@code destination} on this host, recovered to the end of the WAL. */
    public static RecoverRequest of(String server, String backupId, Path destination) {
        return new RecoverRequest(server, backupId, destination, Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** This request, recovery stopping at {@code t}, then promoting. */
    public RecoverRequest toTime(Instant t) {
        return new RecoverRequest(server, backupId, destination, Optional.of(t), Optional.empty(), remote);
    }

    /** This request, recovery stopping at {@code lsn}, then promoting. */
    public RecoverRequest toLsn(String lsn) {
        return new RecoverRequest(server, backupId, destination, Optional.empty(), Optional.of(lsn), remote);
    }

    /** This request, the destination on the host {@code ssh} reaches (the host key pinned, no prompt). */
    public RecoverRequest over(Ssh ssh) {
        return new RecoverRequest(server, backupId, destination, targetTime, targetLsn, Optional.of(ssh));
    }

    /** The SSH Barman's copy runs through: the host's key pinned by {@code knownHosts}, never accepted blindly. */
    public record Ssh(String user, String host, int port, Path keyFile, Path knownHosts) {
        /** The command as {@code --remote-ssh-command} takes it. */
        String command() {
            return "ssh -p " + port + " -i " + keyFile + " -o UserKnownHostsFile=" + knownHosts
                    + " -o StrictHostKeyChecking=yes -o BatchMode=yes " + user + "@" + host;
        }
    }

    /** Barman's options for this request, before the positionals. */
    List<String> options() {
        List<String> a = new ArrayList<>();
        if (targetTime.isPresent()) {
            a.add("--target-time");
            a.add(TIME.format(targetTime.get().atOffset(ZoneOffset.UTC)));
        } else if (targetLsn.isPresent()) {
            a.add("--target-lsn");
            a.add(targetLsn.get());
        }
        if (targetTime.isPresent() || targetLsn.isPresent()) {
            a.add("--target-action");
            a.add("promote");
        }
        remote.ifPresent(s -> {
            a.add("--remote-ssh-command");
            a.add(s.command());
        });
        return a;
    }

    /** The command as an admin would type it (for people: the options unquoted, no "--"). */
    public String shown() {
        List<String> a = new ArrayList<>(List.of("barman", "recover"));
        a.addAll(options());
        a.addAll(List.of(server, backupId, destination.toString()));
        return String.join(" ", a);
    }
}
