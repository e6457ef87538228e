package io.barmand.barman;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Barman's backup.info (key=value lines): the fields barmand reads (Barman's catalogue, the copies, retention). */
public record BackupInfo(String text, Map<String, String> fields) {
    public static BackupInfo read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    public static BackupInfo parse(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        try (var r = new java.io.BufferedReader(new StringReader(text))) {
            for (String l; (l = r.readLine()) != null; ) {
                int i = l.indexOf('=');
                if (i > 0) {
                    m.put(l.substring(0, i).trim(), l.substring(i + 1).trim());
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return new BackupInfo(text, m);
    }

    public String get(String k) {
        String v = fields.get(k);
        return v == null || v.equals("None") ? null : v;
    }

    public String status() {
        return get("status");
    }

    public String beginWal() {
        return get("begin_wal");
    }

    public String endWal() {
        return get("end_wal");
    }

    public int timeline() {
        String t = get("timeline");
        return t == null ? 1 : Integer.parseInt(t);
    }

    public long segmentSize() {
        String s = get("xlog_segment_size");
        return s == null ? 16L << 20 : Long.parseLong(s);
    }

    private static final java.time.format.DateTimeFormatter TIME = new java.time.format.DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd HH:mm:ss").optionalStart()
            .appendFraction(java.time.temporal.ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .appendPattern("xxx").toFormatter();

    /** A time as backup.info writes it ("2026-12-01 14:27:07.681138+00:00"). */
    public static java.time.Instant time(String t) {
        return java.time.OffsetDateTime.parse(t.strip(), TIME).toInstant();
    }

    public String beginTime() {
        return get("begin_time");
    }

    /** When the backup ended, as Barman writes it ("2026-11-24 01:02:03.456789+00:00"), or null. */
    public String endTime() {
        return get("end_time");
    }

    public String compression() {
        return get("compression");
    }
}
