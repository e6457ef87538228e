package io.barmand.offsite;

import io.barmand.bucket.Age;
import io.barmand.bucket.Hashing;
import io.barmand.bucket.Codecs;
import io.barmand.bucket.S3Store;
import io.barmand.bucket.Layout;
import io.barmand.config.OffsiteSettings;
import io.barmand.config.RetentionPolicy;
import io.barmand.bucket.Locks;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies every WAL file of Barman's archive (segments, .history, .backup) that the bucket does not have yet, one
 * object per file, compressed with the codec unless Barman compressed it already; each object carries the
 * SHA-256 of its bytes and of the original in its metadata. Then tells what the bucket holds: newest segment,
 * lag behind the archive, and gaps.
 */
public class WalCopier {
    private static final Logger log = LoggerFactory.getLogger(WalCopier.class);

    /** Where the WAL copy stands. */
    public record WalState(int copied, long copiedBytes, String newestInS3, String newestInArchive, int missingInS3,
                           List<String> gaps, java.time.Instant newestInS3At, java.time.Instant newestInArchiveAt) {
        public WalState(int copied, long copiedBytes, String newestInS3, String newestInArchive, int missingInS3,
                        List<String> gaps) {
            this(copied, copiedBytes, newestInS3, newestInArchive, missingInS3, gaps, null, null);
        }

        /** This state, counting also what {@code earlier} copied in the same run. */
        public WalState after(WalState earlier) {
            return earlier == null ? this : new WalState(copied + earlier.copied, copiedBytes + earlier.copiedBytes,
                    newestInS3, newestInArchive, missingInS3, gaps, newestInS3At, newestInArchiveAt);
        }

        public String describe() {
            StringBuilder b = new StringBuilder();
            b.append("WAL: ").append(copied).append(" copied, newest in S3 ").append(newestInS3 == null ? "none" : newestInS3);
            b.append(", lag ").append(missingInS3).append(" file(s) behind the archive");
            if (!gaps.isEmpty()) {
                b.append(", GAPS in S3: ").append(String.join(", ", gaps));
            }
            return b.toString();
        }
    }

    private final S3Store store;
    private final OffsiteSettings s;
    private final Layout layout;

    private final Optional<RetentionPolicy> lockPolicy;
    private final Clock clock;

    public WalCopier(S3Store store) {
        this(store, Optional.empty(), Clock.systemUTC());
    }

    /** @param lockPolicy the server's S3 retention policy, which sets each WAL object's lock when object-lock is on */
    public WalCopier(S3Store store, Optional<RetentionPolicy> lockPolicy, Clock clock) {
        this.lockPolicy = lockPolicy;
        this.clock = clock;
        this.store = store;
        this.s = store.settings();
        this.layout = new Layout(s.prefix());
    }

    /** The WAL files of Barman's archive: name -> path. */
    static TreeMap<String, Path> archive(Path walsDir) {
        TreeMap<String, Path> out = new TreeMap<>();
        if (!Files.isDirectory(walsDir)) {
            return out;
        }
        try (Stream<Path> top = Files.list(walsDir)) {
            for (Path p : top.toList()) {
                String n = p.getFileName().toString();
                if (Files.isDirectory(p) && n.matches("[0-9A-F]{16}")) {
                    try (Stream<Path> in = Files.list(p)) {
                        in.filter(Files::isRegularFile).forEach(f -> {
                            if (Layout.isWalFile(f.getFileName().toString())) {
                                out.put(f.getFileName().toString(), f);
                            }
                        });
                    }
                } else if (Files.isRegularFile(p) && Layout.isWalFile(n)) {
                    out.put(n, p);
                }
            }
        } catch (IOException e) {
            throw new BarmandException(Category.IO, walsDir + ": cannot list Barman's WAL archive: " + e.getMessage(), e);
        }
        return out;
    }

    /** WAL names in the bucket for the server. */
    public Set<String> inBucket(String server) {
        Set<String> names = new TreeSet<>();
        store.list(layout.wals(server)).forEach(o -> Layout.walName(o.key()).ifPresent(names::add));
        return names;
    }

    /**
     * The WAL names with a stored version under the server's WAL prefix, delete markers aside: under Object Lock, what
     * {@link #inBucket} lacks but this has was deleted as a current object (by someone else: barmand deletes by
     * version id) and is still kept as a locked version, which restores read (S3Download.walObjects).
     */
    public Set<String> storedVersions(String server) {
        Set<String> names = new TreeSet<>();
        for (io.barmand.bucket.S3Store.Version v : store.versions(layout.wals(server))) {
            if (!v.deleteMarker()) {
                Layout.walName(v.key()).ifPresent(names::add);
            }
        }
        return names;
    }

    /**
     * Which WAL the bucket needs: every segment from {@code from} on (the begin WAL of the oldest copy that is not
     * kept standalone, or of the backup about to be copied), and each standalone copy's own begin..end; history
     * files always. {@link #ALL} (no copy known): every file of the archive. WAL older than that cannot serve a
     * restore from the bucket: it is not copied (again, after retention removed it from the bucket), and a gap there
     * is no gap (behind a standalone backup, Barman's retention removes it from the archive too).
     */
    public record Need(String from, Set<String> ranges) {
        public static final Need ALL = new Need(null, Set.of());

        boolean wants(String name, long segmentSize) {
            if (from == null || name.length() < 24 || !Layout.isSegment(name.substring(0, 24))) {
                return true;
            }
            String seg = name.substring(0, 24);
            return Layout.segmentIndex(seg, segmentSize) >= Layout.segmentIndex(from, segmentSize) || ranges.contains(seg);
        }
    }

    /**
     * The need of the bucket's copies of {@code server}, and of the backups about to be copied (their begin WALs):
     * one GET of each manifest, one HEAD of each standalone mark.
     */
    public Need need(String server, List<String> beginsToCopy) {
        io.barmand.bucket.Catalog cat = new io.barmand.bucket.Catalog(store);
        String from = null;
        Set<String> ranges = new TreeSet<>();
        long seg = 16L << 20;
        for (String id : cat.copiedBackups(server)) {
            Optional<io.barmand.bucket.Manifest> m = cat.manifest(server, id);
            if (m.isEmpty() || m.get().beginWal() == null) {
                return Need.ALL;
            }
            seg = m.get().segmentSize() > 0 ? m.get().segmentSize() : seg;
            if (store.head(layout.standalone(server, id)).isPresent()) {
                ranges.addAll(m.get().neededWal());
            } else {
                from = older(from, m.get().beginWal(), seg);
            }
        }
        for (String b : beginsToCopy) {
            if (b == null || !Layout.isSegment(b)) {
                return Need.ALL;
            }
            from = older(from, b, seg);
        }
        return from == null && ranges.isEmpty() ? Need.ALL : new Need(from, ranges);
    }

    private static String older(String a, String b, long seg) {
        return a == null || Layout.segmentIndex(b, seg) < Layout.segmentIndex(a, seg) ? b : a;
    }

    public WalState copy(String server, Path walsDir, long segmentSize) {
        return copy(server, walsDir, segmentSize, Need.ALL);
    }

    public WalState copy(String server, Path walsDir, long segmentSize, Need need) {
        TreeMap<String, Path> local = archive(walsDir);
        local.keySet().removeIf(n -> !need.wants(n, segmentSize));
        Set<String> remote = inBucket(server);
        List<String> todo = new ArrayList<>();
        for (String n : local.keySet()) {
            if (!remote.contains(n)) {
                todo.add(n);
            }
        }
        int copied = 0;
        long bytes = 0;
        if (!todo.isEmpty()) {
            Path spool = s.spoolDir().resolve(server + "-wal");
            // its threads log with the run's SERVER, JOB, RUN_ID
            ExecutorService pool = Executors.newFixedThreadPool(Math.min(s.parallelism(), todo.size()),
                    io.barmand.log.LogFields.carrying(r -> {
                        Thread t = new Thread(r, "offsite-wal");
                        t.setDaemon(true);
                        return t;
                    }));
            List<Future<Long>> fs = new ArrayList<>();
            try {
                Files.createDirectories(spool);
                for (String n : todo) {
                    Path src = local.get(n);
                    fs.add(pool.submit(() -> upload(server, n, src, spool)));
                }
                for (Future<Long> f : fs) {
                    bytes += f.get();
                    copied++;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BarmandException(Category.INTERRUPTED, "WAL copy interrupted (daemon stopping)", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof BarmandException be) {
                    throw be;
                }
                throw new BarmandException(Category.IO, "WAL copy failed: " + e.getCause(), e.getCause());
            } catch (IOException e) {
                throw new BarmandException(Category.IO, spool + ": " + e.getMessage(), e);
            } finally {
                pool.shutdownNow();
            }
            remote.addAll(todo);
            log.info("offsite {}: {} WAL file(s) copied, {} bytes", server, copied, bytes);
        }
        String newestLocal = local.keySet().stream().filter(Layout::isSegment).reduce((a, b) -> b).orElse(null);
        String newestRemote = remote.stream().filter(Layout::isSegment).reduce((a, b) -> b).orElse(null);
        int missing = (int) local.keySet().stream().filter(n -> !remote.contains(n)).count();
        // when Barman archived them (the files' times in its archive): the WAL ages of the report and the alerts
        List<String> needed = remote.stream().filter(n -> need.wants(n, segmentSize)).toList();
        return new WalState(copied, bytes, newestRemote, newestLocal, missing,
                need.from() == null ? Layout.gaps(needed, segmentSize) : gapsFrom(needed, need.from(), segmentSize),
                newestRemote == null ? null : archived(local.get(newestRemote)),
                newestLocal == null ? null : archived(local.get(newestLocal)));
    }

    /** Gaps among the segments from {@code from} on (a standalone copy's own range before it is not continuous). */
    private static List<String> gapsFrom(List<String> names, String from, long segmentSize) {
        long f = Layout.segmentIndex(from, segmentSize);
        return Layout.gaps(names.stream().filter(n -> !Layout.isSegment(n) || Layout.segmentIndex(n, segmentSize) >= f)
                .toList(), segmentSize);
    }

    private static java.time.Instant archived(Path p) {
        try {
            return p == null ? null : Files.getLastModifiedTime(p).toInstant();
        } catch (IOException e) {
            return null;
        }
    }

    /** The lock of a WAL object written now: the write plus the S3 policy's window ({@link Locks#walOnWrite}). */
    private Optional<S3Store.Lock> lock() {
        if (s.objectLock() == OffsiteSettings.LockMode.OFF || lockPolicy.isEmpty()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Instant until = Locks.walOnWrite(lockPolicy.get(), now);
        return until.isAfter(now) ? S3Store.Lock.of(s.objectLock(), until) : Optional.empty();
    }

    private long upload(String server, String name, Path src, Path spool) throws IOException {
        byte[] head = new byte[8];
        int hn;
        try (InputStream in = Files.newInputStream(src)) {
            hn = in.readNBytes(head, 0, head.length);
        }
        boolean raw = s.codec() == OffsiteSettings.Codec.NONE || Codecs.alreadyCompressed(head, hn);
        OffsiteSettings.Encryption enc = s.encryption();
        String suffix = (raw ? "" : s.codec().suffix()) + (enc.encrypts() ? Age.SUFFIX : "");
        Path tmp = spool.resolve(name + suffix);
        MessageDigest orig = Hashing.sha256();
        MessageDigest stored = Hashing.sha256();
        // compressed, then encrypted (with recipients): the spooled file is what the bucket gets, never the plain WAL
        try (InputStream in = Files.newInputStream(src);
             OutputStream o = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16), stored);
             OutputStream e = enc.encrypts() ? Age.encrypt(o, enc.recipients()) : o;
             OutputStream c = raw ? e : Codecs.compress(e, s.codec(), s.level())) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) {
                orig.update(buf, 0, r);
                c.write(buf, 0, r);
            }
        }
        long size = Files.size(tmp);
        Map<String, String> meta = new java.util.HashMap<>(Map.of(
                "sha256", Hashing.hex(stored.digest()),
                "original-sha256", Hashing.hex(orig.digest()),
                "original-size", Long.toString(Files.size(src)),
                "codec", raw ? "none" : s.codec().word()));
        if (enc.encrypts()) {
            meta.put("encryption", Age.FORMAT);
        }
        try {
            store.put(layout.wal(server, name, suffix), tmp, meta, lock());
        } finally {
            Files.deleteIfExists(tmp);
        }
        return size;
    }
}
