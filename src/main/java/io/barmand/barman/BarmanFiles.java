package io.barmand.barman;

import com.fasterxml.jackson.databind.JsonNode;
import io.barmand.barman.BarmanClient.Keep;
import io.barmand.barman.BarmanRecords.BackupDetails;
import io.barmand.barman.BarmanRecords.ServerPaths;
import io.barmand.error.BarmandException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Barman's own files, read in place: a backup's backup.info and keep annotation, the WAL catalogue WALS/xlog.db,
 * and the folders they are in (one {@code show-servers all}, cached: the path cache). Why not ask Barman: each
 * {@code barman} command is a Python start (about 0.35 s), and a restore test's lookup, the keeps of retention and
 * the report's WAL clock would pay it for every backup (bench/restore-test). These are the only readers of
 * Barman's files; the rest of barmand asks {@link BarmanClient}, which reads here first and asks Barman when a
 * reader comes back empty (folders unknown, a file not as expected). Never throws.
 */
final class BarmanFiles {
    private final Function<Duration, Optional<JsonNode>> showServersAll;

    /** @param showServersAll {@code barman show-servers all}'s JSON, empty when Barman failed */
    BarmanFiles(Function<Duration, Optional<JsonNode>> showServersAll) {
        this.showServersAll = showServersAll;
    }

    /**
     * When Barman archived the newest WAL file of each server: the last line of its WAL catalogue (WALS/xlog.db,
     * "name size time compression", appended as files are archived). The paths come from {@code show-servers} once
     * per server; empty when unknown. Never throws.
     */
    java.util.function.Function<String, Optional<java.time.Instant>> walClock(Duration timeout) {
        java.util.function.Function<String, Optional<ServerPaths>> paths = paths(timeout);
        return server -> paths.apply(server).flatMap(p -> newestArchivedWal(p.wals().resolve("xlog.db")));
    }

    /**
     * Where Barman keeps each server's backups and WAL, from one {@code show-servers all} at the first call (again
     * for a server it did not list); empty when unknown. Never throws.
     */
    private volatile java.util.function.Function<String, Optional<ServerPaths>> knownPaths;

    /** One {@link #paths} for the client, made at the first use. */
    private java.util.function.Function<String, Optional<ServerPaths>> knownPaths() {
        return paths(Duration.ofMinutes(1));
    }

    /** The folders of each server, one cache for the client (the first caller's timeout bounds show-servers). */
    java.util.function.Function<String, Optional<ServerPaths>> paths(Duration timeout) {
        if (knownPaths == null) {
            synchronized (this) {
                if (knownPaths == null) {
                    knownPaths = newPaths(timeout);
                }
            }
        }
        return knownPaths;
    }

    private java.util.function.Function<String, Optional<ServerPaths>> newPaths(Duration timeout) {
        Map<String, ServerPaths> known = new java.util.concurrent.ConcurrentHashMap<>();
        long[] loaded = {Long.MIN_VALUE};
        return server -> {
            synchronized (known) {
                // one `show-servers all` for every server; a server it did not list is asked again after 10 minutes
                if (!known.containsKey(server) && (loaded[0] == Long.MIN_VALUE
                        || System.nanoTime() - loaded[0] > java.util.concurrent.TimeUnit.MINUTES.toNanos(10))) {
                    loaded[0] = System.nanoTime();
                    try {
                        Optional<JsonNode> all = showServersAll.apply(timeout);
                        if (all.isPresent()) {
                            all.get().fieldNames().forEachRemaining(n -> {
                                if (!n.startsWith("_")) {
                                    try {
                                        known.put(n, BarmanJson.parseServerPaths(n, all.get()));
                                    } catch (BarmandException e) {
                                        // a server without paths (inactive): unknown
                                    }
                                }
                            });
                        }
                    } catch (RuntimeException e) {
                        return Optional.empty();
                    }
                }
                return Optional.ofNullable(known.get(server));
            }
        };
    }

    /** The time of the last line of a Barman xlog.db; empty when there is none. */
    static Optional<java.time.Instant> newestArchivedWal(Path xlogDb) {
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(xlogDb.toFile(), "r")) {
            long len = f.length();
            int n = (int) Math.min(len, 8192);
            byte[] b = new byte[n];
            f.seek(len - n);
            f.readFully(b);
            String[] lines = new String(b, java.nio.charset.StandardCharsets.UTF_8).strip().split("\n");
            String[] cols = lines[lines.length - 1].split("\t");
            if (cols.length < 3) {
                return Optional.empty();
            }
            double t = Double.parseDouble(cols[2]);
            return Optional.of(java.time.Instant.ofEpochMilli(Math.round(t * 1000)));
        } catch (java.io.IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The newest DONE backup of the server read from Barman's own files, without a Python start of Barman (about
     * 0.35 s): the highest backup id under BASEBACKUPS whose {@code backup.info} says {@code status=DONE}. Its size
     * with WALs counts every WAL file Barman archived from the backup's begin_wal on (WALS/xlog.db): what a
     * recovery to the end of the archive copies. Empty when the folders are not known or a file does not read as
     * expected: then ask Barman.
     */
    Optional<BackupDetails> newestDone(String server) {
        Optional<ServerPaths> p = knownPaths().apply(server);
        if (p.isEmpty()) {
            return Optional.empty();
        }
        try (java.util.stream.Stream<Path> ls = java.nio.file.Files.list(p.get().basebackups())) {
            List<Path> dirs = ls.filter(d -> d.getFileName().toString().matches("[0-9]{8}T[0-9]{6}"))
                    .sorted(java.util.Comparator.comparing((Path d) -> d.getFileName().toString()).reversed()).toList();
            for (Path d : dirs) {
                BackupInfo info = BackupInfo.read(d.resolve("backup.info"));
                if (!"DONE".equals(info.status())) {
                    continue;
                }
                long size = Long.parseLong(info.get("size"));
                String beginWal = info.beginWal();
                if (beginWal == null || !beginWal.matches("[0-9A-F]{24}")) {
                    return Optional.empty();
                }
                long wals = walBytesFrom(p.get().wals().resolve("xlog.db"), beginWal);
                return Optional.of(new BackupDetails(d.getFileName().toString(), "DONE", size, size + wals, 0, 0,
                        info.beginTime(), info.endTime()));
            }
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // not as expected: Barman says
        }
    }

    private final WalChain chains = new WalChain();

    /**
     * How far Barman can restore the server ({@link RestorePoint}): the newest DONE backup's backup.info, and the WAL
     * catalogue scanned from its begin WAL ({@link WalChain}, kept while xlog.db is unchanged). Unknown when the
     * folders are not known or a file does not read as expected. Never throws.
     */
    RestorePoint restorePoint(String server) {
        Optional<ServerPaths> p = knownPaths().apply(server);
        if (p.isEmpty()) {
            return RestorePoint.UNKNOWN;
        }
        try {
            if (!java.nio.file.Files.isDirectory(p.get().basebackups())) {
                return RestorePoint.UNKNOWN; // not this host's Barman, or not readable: the history says
            }
            Optional<RestorePoint.DoneBackup> done = Optional.empty();
            BackupInfo info = null;
            try (java.util.stream.Stream<Path> ls = java.nio.file.Files.list(p.get().basebackups())) {
                List<Path> dirs = ls.filter(d -> d.getFileName().toString().matches("[0-9]{8}T[0-9]{6}"))
                        .sorted(java.util.Comparator.comparing((Path d) -> d.getFileName().toString()).reversed()).toList();
                for (Path d : dirs) {
                    Path f = d.resolve("backup.info");
                    if (!java.nio.file.Files.exists(f)) {
                        continue;
                    }
                    BackupInfo i = BackupInfo.read(f);
                    if ("DONE".equals(i.status()) && i.endTime() != null && i.beginWal() != null) {
                        info = i;
                        done = Optional.of(new RestorePoint.DoneBackup(d.getFileName().toString(),
                                BackupInfo.time(i.endTime()), i.beginWal()));
                        break;
                    }
                }
            }
            Path xlog = p.get().wals().resolve("xlog.db");
            if (!java.nio.file.Files.exists(xlog)) {
                // no WAL catalogue where show-servers says: the chain cannot be told (not a gap)
                return new RestorePoint(true, done, Optional.empty(), Optional.empty());
            }
            if (info == null) {
                WalChain.Scan s = chains.scan(xlog, null, null, 16L << 20);
                return new RestorePoint(true, done, s.newest(), Optional.empty());
            }
            WalChain.Scan s = chains.scan(xlog, info.beginWal(), info.endWal(), info.segmentSize());
            return new RestorePoint(true, done, s.newest(), s.firstMissing());
        } catch (IOException | RuntimeException e) {
            return RestorePoint.UNKNOWN;
        }
    }

    /** The bytes of the WAL files Barman's catalogue (WALS/xlog.db) lists for the server; empty when unknown. */
    Optional<Long> archivedWalBytes(String server) {
        try {
            Optional<ServerPaths> p = knownPaths().apply(server);
            return p.isEmpty() ? Optional.empty()
                    : Optional.of(walBytesFrom(p.get().wals().resolve("xlog.db"), "000000000000000000000000"));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The bytes of the WAL files in a Barman xlog.db ("name size time compression") from {@code firstWal} on. */
    static long walBytesFrom(Path xlogDb, String firstWal) throws IOException {
        if (!java.nio.file.Files.exists(xlogDb)) {
            return 0;
        }
        long n = 0;
        try (java.io.BufferedReader r = java.nio.file.Files.newBufferedReader(xlogDb)) {
            for (String l; (l = r.readLine()) != null; ) {
                String[] f = l.split("\t");
                // segment names sort as their order; history and .partial files are not segments
                if (f.length >= 2 && f[0].length() >= 24 && f[0].substring(0, 24).compareTo(firstWal) >= 0
                        && f[0].matches("[0-9A-F]{24}(\\.[0-9A-F]{8}\\.backup)?")) {
                    n += Long.parseLong(f[1]);
                }
            }
        }
        return n;
    }

    /**
     * A backup's keep from Barman's annotation (BASEBACKUPS/ID/annotations/keep, what {@code barman keep --status}
     * reads), with the annotation's time; empty when the backup's folder or its annotation does not read.
     */
    Optional<Keep> keep(String server, String backupId) {
        Optional<ServerPaths> p = knownPaths().apply(server);
        if (p.isPresent()) {
            Path dir = p.get().basebackups().resolve(backupId);
            if (java.nio.file.Files.isDirectory(dir)) {
                Path keep = dir.resolve("annotations").resolve("keep");
                try {
                    if (!java.nio.file.Files.exists(keep)) {
                        return Optional.of(new Keep("nokeep", Optional.empty()));
                    }
                    Instant since = java.nio.file.Files.getLastModifiedTime(keep).toInstant();
                    String t = java.nio.file.Files.readString(keep).strip();
                    if (t.equals("full") || t.equals("standalone")) {
                        return Optional.of(new Keep(t, Optional.of(since)));
                    }
                } catch (IOException e) {
                    // Barman says
                }
            }
        }
        return Optional.empty();
    }

    /** When a backup began, {@code begin_time} of its backup.info; empty when unknown or not as expected. */
    Optional<Instant> begin(String server, String backupId) {
        Optional<ServerPaths> p = knownPaths().apply(server);
        if (p.isPresent()) {
            Path info = p.get().basebackups().resolve(backupId).resolve("backup.info");
            try {
                if (java.nio.file.Files.isRegularFile(info)) {
                    String t = BackupInfo.read(info).beginTime();
                    if (t != null && !t.isBlank() && !t.equals("None")) {
                        return Optional.of(BackupInfo.time(t));
                    }
                }
            } catch (IOException | java.time.DateTimeException e) {
                // Barman says
            }
        }
        return Optional.empty();
    }

    /** When a backup in {@code paths} began, from its backup.info; empty when it does not read. */
    static Optional<Instant> begin(ServerPaths paths, String backupId) {
        try {
            BackupInfo info = BackupInfo.read(paths.basebackups().resolve(backupId).resolve("backup.info"));
            return Optional.ofNullable(info.beginTime()).map(BackupInfo::time);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
