package io.barmand.barman;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The WAL chain of a backup in Barman's WAL catalogue (WALS/xlog.db, "name size time compression"): the newest
 * segment, and the first segment missing from the backup's begin WAL up to the newest (its end WAL at least), on any
 * timeline from the backup's on (a promotion starts the next timeline at the segment it switched in). A scan is kept
 * while the file keeps its size and modification time: the health evaluation asks at each scrape.
 */
final class WalChain {
    /** What a scan found; {@code newest} empty when the catalogue lists no segment. */
    record Scan(Optional<RestorePoint.Wal> newest, Optional<String> firstMissing) {
    }

    private record Key(Path file, long size, long modified, String beginWal, String endWal, long segmentSize) {
    }

    private final ConcurrentMap<Path, Object[]> kept = new ConcurrentHashMap<>();

    /** The scan of {@code xlogDb} for the backup, read again only when the file changed. */
    Scan scan(Path xlogDb, String beginWal, String endWal, long segmentSize) throws IOException {
        Key k = new Key(xlogDb, Files.size(xlogDb), Files.getLastModifiedTime(xlogDb).toMillis(), beginWal, endWal, segmentSize);
        Object[] prev = kept.get(xlogDb);
        if (prev != null && prev[0].equals(k)) {
            return (Scan) prev[1];
        }
        Scan s = read(xlogDb, beginWal, endWal, segmentSize);
        kept.put(xlogDb, new Object[] {k, s});
        return s;
    }

    /** {@code beginWal} null: the newest segment only, no chain. */
    static Scan read(Path xlogDb, String beginWal, String endWal, long segmentSize) throws IOException {
        long perLogId = 0x1_0000_0000L / segmentSize;
        boolean chain = beginWal != null;
        long begin = chain ? segno(beginWal, perLogId) : Long.MAX_VALUE;
        long tli = chain ? Long.parseLong(beginWal.substring(0, 8), 16) : 0;
        Set<Long> have = new HashSet<>();
        String newest = null;
        double newestTime = 0;
        long max = -1;
        try (BufferedReader r = Files.newBufferedReader(xlogDb)) {
            for (String l; (l = r.readLine()) != null; ) {
                String[] f = l.split("\t");
                if (f.length < 3 || f[0].length() != 24 || !f[0].matches("[0-9A-F]{24}")) {
                    continue; // history, backup label and partial files are not segments
                }
                if (newest == null || f[0].compareTo(newest) >= 0) {
                    newest = f[0];
                    newestTime = Double.parseDouble(f[2]);
                }
                long n = segno(f[0], perLogId);
                if (chain && n >= begin && Long.parseLong(f[0].substring(0, 8), 16) >= tli) {
                    have.add(n);
                    max = Math.max(max, n);
                }
            }
        }
        Optional<RestorePoint.Wal> w = newest == null ? Optional.empty()
                : Optional.of(new RestorePoint.Wal(newest, Instant.ofEpochMilli(Math.round(newestTime * 1000))));
        if (!chain) {
            return new Scan(w, Optional.empty());
        }
        long end = endWal == null ? begin : segno(endWal, perLogId);
        long to = Math.max(max, end);
        for (long n = begin; n <= to; n++) {
            if (!have.contains(n)) {
                return new Scan(w, Optional.of(name(tli, n, perLogId)));
            }
        }
        return new Scan(w, Optional.empty());
    }

    /** The segment's number counted from the start of WAL, whatever its timeline. */
    static long segno(String segment, long perLogId) {
        return Long.parseLong(segment.substring(8, 16), 16) * perLogId + Long.parseLong(segment.substring(16, 24), 16);
    }

    static String name(long tli, long segno, long perLogId) {
        return String.format("%08X%08X%08X", tli, segno / perLogId, segno % perLogId);
    }
}
