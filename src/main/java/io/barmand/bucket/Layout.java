package io.barmand.bucket;

import io.barmand.config.OffsiteSettings;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where things go in the bucket (documented in docs/offsite.md, "Layout in the bucket"):
 * <pre>
 * PREFIX/SERVER/base/BACKUP_ID/data.tar.zst[.age]  the backup folder (backup.info + data/...) as one tar, compressed
 *                                              (then encrypted in the age format, with offsite.encryption)
 * PREFIX/SERVER/base/BACKUP_ID/backup.info    Barman's backup.info, as is
 * PREFIX/SERVER/base/BACKUP_ID/manifest.json  written last: every file (size, sha256) and every object
 * PREFIX/SERVER/wals/TTTTTTTTLLLLLLLL/NAME[.zst][.age]  every WAL segment, .history and .backup file Barman archived
 * </pre>
 */
public final class Layout {
    public static final String MANIFEST = "manifest.json";
    public static final String BACKUP_INFO = "backup.info";
    public static final String STANDALONE = "standalone";
    private static final Pattern SEGMENT = Pattern.compile("([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})");
    private static final Pattern WAL_FILE = Pattern.compile("[0-9A-F]{24}(\\.[0-9A-F]{8}\\.backup)?|[0-9A-F]{8}\\.history");

    private final String prefix;

    public Layout(String prefix) {
        String p = prefix == null ? "" : prefix.replaceAll("^/+|/+$", "");
        this.prefix = p.isEmpty() ? "" : p + "/";
    }

    public String server(String server) {
        return prefix + server + "/";
    }

    public String base(String server) {
        return server(server) + "base/";
    }

    public String backup(String server, String backupId) {
        return base(server) + backupId + "/";
    }

    public String data(String server, String backupId, OffsiteSettings.Codec codec) {
        return data(server, backupId, codec, false);
    }

    /** The data object's key: {@code .age} after the codec's suffix when it is encrypted. */
    public String data(String server, String backupId, OffsiteSettings.Codec codec, boolean encrypted) {
        return backup(server, backupId) + "data.tar" + codec.suffix() + (encrypted ? Age.SUFFIX : "");
    }

    public String manifest(String server, String backupId) {
        return backup(server, backupId) + MANIFEST;
    }

    /**
     * The mark retention leaves on a copy a long-term tier alone keeps: the bucket keeps only that copy's own WAL
     * (begin to end), so a gap after it is by design (its presence is the fact; its text says why).
     */
    public String standalone(String server, String backupId) {
        return backup(server, backupId) + STANDALONE;
    }

    public String backupInfo(String server, String backupId) {
        return backup(server, backupId) + BACKUP_INFO;
    }

    public String wals(String server) {
        return server(server) + "wals/";
    }

    /** A WAL file's key: segments and .backup files under their 16-hex folder, .history files under the root. */
    public String wal(String server, String name, String suffix) {
        String dir = name.length() >= 16 && !name.endsWith(".history") ? name.substring(0, 16) + "/" : "";
        return wals(server) + dir + name + suffix;
    }

    /**
     * The WAL file name of a key of this server written by barmand: the key must be exactly
     * {@link #wal(String, String, String) wal(server, NAME, SUFFIX)} for a WAL file NAME and a codec's suffix (the
     * right folder, the right prefix); empty for anything else under wals/ (another tool's objects), which
     * nothing of barmand deletes.
     */
    public Optional<String> walOf(String server, String key) {
        Optional<String> name = walName(key);
        if (name.isEmpty()) {
            return name;
        }
        for (OffsiteSettings.Codec c : OffsiteSettings.Codec.values()) {
            if (key.equals(wal(server, name.get(), c.suffix())) || key.equals(wal(server, name.get(), c.suffix() + Age.SUFFIX))) {
                return name;
            }
        }
        return Optional.empty();
    }

    /**
     * The WAL file name of a key under wals/ (suffixes stripped: .age, then the codec's), or empty for anything else. Only the last path
     * component is read: to decide what to delete, use {@link #walOf}, which checks the whole key.
     */
    public static Optional<String> walName(String key) {
        String n = key.substring(key.lastIndexOf('/') + 1);
        if (n.endsWith(Age.SUFFIX)) {
            n = n.substring(0, n.length() - Age.SUFFIX.length());
        }
        for (OffsiteSettings.Codec c : OffsiteSettings.Codec.values()) {
            if (!c.suffix().isEmpty() && n.endsWith(c.suffix())) {
                n = n.substring(0, n.length() - c.suffix().length());
                break;
            }
        }
        return isWalFile(n) ? Optional.of(n) : Optional.empty();
    }

    public static boolean isWalFile(String name) {
        return WAL_FILE.matcher(name).matches();
    }

    public static boolean isSegment(String name) {
        return name.length() == 24 && SEGMENT.matcher(name).matches();
    }

    /** Segment position on its timeline: log * segments-per-log + seg. */
    public static long segmentIndex(String name, long segmentSize) {
        Matcher m = SEGMENT.matcher(name);
        if (!m.matches()) {
            throw new IllegalArgumentException(name);
        }
        long perLog = 0x1_0000_0000L / segmentSize;
        return Long.parseLong(m.group(2), 16) * perLog + Long.parseLong(m.group(3), 16);
    }

    public static int timeline(String segment) {
        return Integer.parseInt(segment.substring(0, 8), 16);
    }

    public static String segmentName(int timeline, long index, long segmentSize) {
        long perLog = 0x1_0000_0000L / segmentSize;
        return String.format("%08X%08X%08X", timeline, index / perLog, index % perLog);
    }

    /** Missing segments between the first and the last segment of each timeline in {@code names}. */
    public static List<String> gaps(Collection<String> names, long segmentSize) {
        Map<Integer, TreeSet<Long>> byTl = new TreeMap<>();
        for (String n : names) {
            if (isSegment(n)) {
                byTl.computeIfAbsent(timeline(n), k -> new TreeSet<>()).add(segmentIndex(n, segmentSize));
            }
        }
        List<String> out = new ArrayList<>();
        byTl.forEach((tl, idx) -> {
            Long prev = null;
            for (long i : idx) {
                if (prev != null && i > prev + 1) {
                    String from = segmentName(tl, prev + 1, segmentSize);
                    String to = segmentName(tl, i - 1, segmentSize);
                    out.add(from.equals(to) ? from : from + ".." + to);
                }
                prev = i;
            }
        });
        return out;
    }
}
