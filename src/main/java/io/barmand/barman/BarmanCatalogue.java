package io.barmand.barman;

import com.fasterxml.jackson.databind.JsonNode;
import io.barmand.barman.BarmanRecords.BackupSummary;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What Barman holds for one server, as {@code barman status} shows it: its backups ({@code list-backups}), the
 * recovery window they reach (the oldest DONE backup's begin, {@code show-backup}), Barman's own
 * {@code retention_policy} ({@code show-servers}) and the WAL range of its archive (WALS/xlog.db).
 *
 * @param backups every backup Barman lists, DONE or not, newest first
 * @param oldestDoneBegin when the oldest DONE backup began: how far back a point-in-time recovery can go; empty
 *                        without a DONE backup
 * @param retentionPolicy Barman's {@code retention_policy}, empty when none is set
 * @param wal the first and last WAL segment of the archive; empty when xlog.db cannot be read
 */
public record BarmanCatalogue(String server, List<BackupSummary> backups, Optional<Instant> oldestDoneBegin,
                              Optional<String> retentionPolicy, Optional<WalRange> wal) {
    private static final Pattern SEGMENT = Pattern.compile("[0-9A-F]{24}");

    public BarmanCatalogue {
        backups = backups.stream().sorted(Comparator.comparing(BackupSummary::backupId).reversed()).toList();
    }

    /**
     * The WAL segments Barman's catalogue lists: the first and the last (names sort in WAL order), how many, and when
     * the last was archived.
     */
    public record WalRange(String first, String last, long segments, Optional<Instant> lastArchived) {
    }

    /** The DONE backups, newest first. */
    public List<BackupSummary> done() {
        return backups.stream().filter(b -> "DONE".equals(b.status())).toList();
    }

    public Optional<BackupSummary> newestDone() {
        return done().stream().findFirst();
    }

    public Optional<BackupSummary> oldestDone() {
        List<BackupSummary> d = done();
        return d.isEmpty() ? Optional.empty() : Optional.of(d.get(d.size() - 1));
    }

    /** When a backup ended, from list-backups' end_time_timestamp; empty when Barman gave none. */
    public static Optional<Instant> ended(BackupSummary b) {
        return b.endTimeEpoch() > 0 ? Optional.of(Instant.ofEpochSecond(b.endTimeEpoch())) : Optional.empty();
    }

    /** {@code show-backup SERVER ID}: when the backup began (begin_time_timestamp, seconds since the epoch). */
    static Optional<Instant> beginOf(String server, JsonNode showBackup) {
        long t = showBackup.path(server).path("base_backup_information").path("begin_time_timestamp").asLong(0);
        return t > 0 ? Optional.of(Instant.ofEpochSecond(t)) : Optional.empty();
    }

    /** {@code show-servers SERVER}: its retention_policy, empty when null, blank or "none". */
    static Optional<String> retentionPolicyOf(String server, JsonNode showServers) {
        JsonNode p = showServers.path(server).path("retention_policy");
        String t = p.isMissingNode() || p.isNull() ? "" : p.asText("").strip();
        return t.isEmpty() || t.equalsIgnoreCase("none") ? Optional.empty() : Optional.of(t);
    }

    /**
     * The segments of a Barman xlog.db ("name size time compression" a line, in archive order; history and .backup
     * files are skipped). Empty when the file is missing, unreadable or lists no segment.
     */
    static Optional<WalRange> walRange(Path xlogDb) {
        if (!Files.isReadable(xlogDb)) {
            return Optional.empty();
        }
        String first = null;
        String last = null;
        String previous = null;
        long n = 0;
        double lastTime = 0;
        try (BufferedReader r = Files.newBufferedReader(xlogDb)) {
            for (String l; (l = r.readLine()) != null; ) {
                String[] f = l.split("\t");
                if (f.length < 3 || !SEGMENT.matcher(f[0]).matches()) {
                    continue;
                }
                if (!f[0].equals(previous)) {
                    n++; // Barman may list a segment twice, one line after the other
                }
                previous = f[0];
                if (first == null || f[0].compareTo(first) < 0) {
                    first = f[0];
                }
                if (last == null || f[0].compareTo(last) >= 0) {
                    last = f[0];
                    try {
                        lastTime = Double.parseDouble(f[2]);
                    } catch (NumberFormatException e) {
                        lastTime = 0;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        if (first == null) {
            return Optional.empty();
        }
        Optional<Instant> at = lastTime > 0 ? Optional.of(Instant.ofEpochMilli(Math.round(lastTime * 1000))) : Optional.empty();
        return Optional.of(new WalRange(first, last, n, at));
    }
}
