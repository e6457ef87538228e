package io.barmand.offsite;

import io.barmand.config.Names;
import io.barmand.bucket.Catalog;
import io.barmand.bucket.MultipartSink;
import io.barmand.barman.BackupInfo;
import io.barmand.bucket.TarWriter;
import io.barmand.bucket.Hashing;
import io.barmand.bucket.Age;
import io.barmand.bucket.AdaptiveZstd;
import io.barmand.bucket.Codecs;
import io.barmand.bucket.S3Store;
import io.barmand.bucket.Manifest;
import io.barmand.bucket.Layout;
import io.barmand.config.OffsiteSettings;
import io.barmand.config.RetentionPolicy;
import io.barmand.bucket.Locks;
import java.time.Instant;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * Copies one Barman backup folder to the bucket: the folder streamed as one tar, compressed, by parallel
 * multipart upload; then backup.info; then every object checked (size by HEAD, content hashes computed on the
 * way); then, last, manifest.json. Nothing local is ever deleted.
 */
public class BackupCopier {
    private static final Logger log = LoggerFactory.getLogger(BackupCopier.class);

    /** What a copy did. */
    public record Copied(String backupId, boolean alreadyThere, Manifest manifest, long millis) {
    }

    private final S3Store store;
    private final Layout layout;
    private final OffsiteSettings s;
    private final String version;
    private final Clock clock;

    private final Optional<RetentionPolicy> lockPolicy;

    public BackupCopier(S3Store store, String version, Clock clock) {
        this(store, version, clock, Optional.empty());
    }

    /** @param lockPolicy the server's S3 retention policy, which sets each lock when offsite.object-lock is on */
    public BackupCopier(S3Store store, String version, Clock clock, Optional<RetentionPolicy> lockPolicy) {
        this.lockPolicy = lockPolicy;
        this.store = store;
        this.s = store.settings();
        this.layout = new Layout(s.prefix());
        this.version = version;
        this.clock = clock;
    }

    public Layout layout() {
        return layout;
    }

    /**
     * Makes the bucket consistent for {@code server} before anything else: the copy named by the journal (a run
     * killed in the middle) is cleaned up, and every multipart upload under the server's prefix is aborted
     * (under the server's lock no upload of ours can be in flight).
     */
    public Recovery recover(String server) {
        Journal j = new Journal(s.spoolDir(), server);
        int aborted = 0;
        Optional<Journal.Entry> e = j.read();
        String interrupted = null;
        if (e.isPresent()) {
            Journal.Entry en = e.get();
            log.warn("offsite {}: a copy of backup {} was cut short at {}: cleaning up and redoing it", server,
                    en.backupId(), en.started());
            if (en.uploadId() != null && en.key() != null) {
                store.abortMultipart(en.key(), en.uploadId());
                aborted++;
            }
            if (en.backupId() != null && store.head(layout.manifest(server, en.backupId())).isEmpty()) {
                store.list(layout.backup(server, en.backupId())).forEach(o -> store.delete(o.key()));
                interrupted = en.backupId();
            }
            j.clear();
        }
        for (MultipartUpload u : store.listMultipartUploads(layout.server(server))) {
            log.warn("offsite {}: aborting orphaned multipart upload of {} started {}", server, u.key(), u.initiated());
            store.abortMultipart(u.key(), u.uploadId());
            aborted++;
        }
        cleanSpool(server);
        return new Recovery(aborted, interrupted);
    }

    /** What {@link #recover} did: uploads aborted, and the backup whose copy was cut short (to redo), if any. */
    public record Recovery(int aborted, String interruptedBackup) {
    }

    private void cleanSpool(String server) {
        if (!Names.isServer(server)) {
            return; // never SPOOL/.. (the state dir): names are checked at load, this is the last line
        }
        for (Path sp : List.of(s.spoolDir().resolve(server), s.spoolDir().resolve(server + "-wal"))) {
            if (Files.isDirectory(sp)) {
                try (var l = Files.list(sp)) {
                    for (Path p : l.toList()) {
                        Files.deleteIfExists(p);
                    }
                } catch (IOException ignored) {
                    // retried at the next run
                }
            }
        }
    }

    /** Whether a copy of {@code server} was cut short (its journal is still there). */
    public static boolean unfinished(OffsiteSettings s, String server) {
        return new Journal(s.spoolDir(), server).read().isPresent();
    }

    /** Whether the backup's copy is complete (its manifest is in the bucket). */
    public boolean copied(String server, String backupId) {
        return store.head(layout.manifest(server, backupId)).isPresent();
    }

    public Copied copy(String server, Path backupDir, String backupId) {
        long t0 = System.nanoTime();
        if (copied(server, backupId)) {
            return new Copied(backupId, true, manifest(server, backupId).orElseThrow(), 0);
        }
        BackupInfo info;
        try {
            info = BackupInfo.read(backupDir.resolve(Layout.BACKUP_INFO));
        } catch (IOException e) {
            throw new BarmandException(Category.IO, backupDir + ": cannot read backup.info: " + e.getMessage(), e);
        }
        if (!"DONE".equals(info.status())) {
            throw new BarmandException(Category.JOB_FAILED, "backup " + backupId + " has status " + info.status()
                    + ", not DONE: not copied");
        }
        Optional<S3Store.Lock> lock = lockOnWrite(info);
        Journal j = new Journal(s.spoolDir(), server);
        OffsiteSettings.Encryption enc = s.encryption();
        sayRotation(server, enc);
        String key = layout.data(server, backupId, s.codec(), enc.encrypts());
        j.write(new Journal.Entry(backupId, key, null, clock.instant().toString()));
        String uploadId = store.createMultipart(key, enc.encrypts()
                ? Map.of("barmand-backup-id", backupId, "barmand-codec", s.codec().word(), "barmand-encryption", Age.FORMAT)
                : Map.of("barmand-backup-id", backupId, "barmand-codec", s.codec().word()), lock);
        j.write(new Journal.Entry(backupId, key, uploadId, clock.instant().toString()));
        MultipartSink sink;
        try {
            sink = new MultipartSink(store, key, uploadId, s.partSize(), s.parallelism(), s.spoolDir().resolve(server));
        } catch (IOException e) {
            store.abortMultipart(key, uploadId);
            throw new BarmandException(Category.IO, s.spoolDir() + ": cannot spool parts: " + e.getMessage(), e);
        }
        TarWriter tar;
        AdaptiveZstd adaptive = null;
        try {
            // tar -> compression (zstd stops compressing data that does not shrink) -> age (with recipients) -> parts:
            // nothing plain is spooled
            try (OutputStream sealed = enc.encrypts() ? Age.encrypt(sink, enc.recipients()) : sink;
                 OutputStream z = s.codec() == OffsiteSettings.Codec.ZSTD
                         ? (adaptive = new AdaptiveZstd(sealed, s.level())) : Codecs.compress(sealed, s.codec(), s.level());
                 OutputStream buf = new BufferedOutputStream(z, 1 << 20)) {
                tar = new TarWriter(buf);
                tar.addTree(backupDir);
                tar.finish();
            }
        } catch (IOException | RuntimeException e) {
            try {
                sink.abort();
            } catch (RuntimeException abortFailed) {
                // the failure that matters is the copy's; the journal still names the upload, the next run aborts it
                e.addSuppressed(abortFailed);
                log.warn("offsite {}: aborting the upload of {} failed too ({}): the next run aborts it", server, backupId,
                        abortFailed.getMessage());
            }
            if (e instanceof BarmandException be) {
                throw be;
            }
            if (e instanceof java.io.InterruptedIOException || Thread.currentThread().isInterrupted()) {
                throw new BarmandException(Category.INTERRUPTED, "copy of " + backupId + " interrupted (daemon stopping)", e);
            }
            throw new BarmandException(Category.IO, "copy of " + backupId + " failed: " + e.getMessage(), e);
        }
        // the data object is complete: check it is there with the size we sent
        List<Manifest.ObjectEntry> objects = new ArrayList<>();
        checkSize(key, sink.size());
        if (lock.isPresent()) {
            // a store may not apply the lock asked at CreateMultipartUpload (moto does not): set it on the version
            Optional<S3Store.Lock> got = store.lockOf(key, sink.versionId());
            if (got.isEmpty() || got.get().until().isBefore(lock.get().until())) {
                store.extendLock(key, sink.versionId(), lock.get());
            }
        }
        objects.add(new Manifest.ObjectEntry(key, sink.size(), sink.sha256(), sink.partCount(), sink.versionId()));
        byte[] infoBytes = info.text().getBytes(StandardCharsets.UTF_8);
        String infoKey = layout.backupInfo(server, backupId);
        String infoVersion = store.put(infoKey, infoBytes, "text/plain", Map.of("sha256", Hashing.sha256Hex(infoBytes)), lock);
        checkSize(infoKey, infoBytes.length);
        objects.add(new Manifest.ObjectEntry(infoKey, infoBytes.length, Hashing.sha256Hex(infoBytes), 1, infoVersion));
        Manifest m = new Manifest(Manifest.FORMAT, server, backupId, version, clock.instant().toString(), s.codec().word(),
                s.level(), info.beginWal(), info.endWal(), info.timeline(), info.segmentSize(), info.text(), tar.files(), objects,
                enc.encrypts() ? new Manifest.Encryption(Age.FORMAT, enc.recipients()) : null,
                lock.map(S3Store.Lock::word).orElse(null), lock.map(l -> l.until().toString()).orElse(null),
                adaptive != null && adaptive.storedFrom() >= 0 ? adaptive.storedFrom() : null);
        byte[] mj = m.toJson();
        store.put(layout.manifest(server, backupId), mj, "application/json", Map.of("sha256", Hashing.sha256Hex(mj)), lock);
        j.clear();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        log.info("offsite {}: backup {} copied: {} files, {} bytes as {} bytes in {} part(s), {} ms{}{}", server, backupId,
                m.files().size(), m.originalBytes(), sink.size(), sink.partCount(), ms,
                m.uncompressedFrom() == null ? "" : ", stored uncompressed from byte " + m.uncompressedFrom()
                        + " of the tar on (it did not shrink by " + AdaptiveZstd.MIN_GAIN + "x)",
                enc.encrypts() ? ", encrypted (age) to " + String.join(", ", enc.recipients()) : "");
        return new Copied(backupId, false, m, ms);
    }

    /**
     * Recipients changed since the newest copy (or encryption switched on or off): said once per copy, since a
     * change applies to new copies only; the older ones stay as they were written (each manifest says how).
     */
    private void sayRotation(String server, OffsiteSettings.Encryption enc) {
        List<String> ids = copiedBackups(server);
        if (ids.isEmpty()) {
            return;
        }
        Optional<Manifest> last = manifest(server, ids.get(ids.size() - 1));
        if (last.isEmpty()) {
            return;
        }
        List<String> before = last.get().encrypted() ? last.get().encryption().recipients() : List.of();
        if (!new java.util.HashSet<>(before).equals(new java.util.HashSet<>(enc.recipients()))) {
            log.warn("offsite {}: offsite.encryption changed since copy {} ({}): this copy and the next are {}; older "
                    + "copies stay as they were written (their manifests say how; an identity for them is still needed "
                    + "to restore them)", server, last.get().backupId(),
                    before.isEmpty() ? "not encrypted" : "encrypted to " + String.join(", ", before),
                    enc.encrypts() ? "encrypted to " + String.join(", ", enc.recipients()) : "not encrypted");
        }
    }

    /**
     * The lock a copy is written with when offsite.object-lock is on: until its end plus the S3 policy's recovery
     * window ({@link Locks#onWrite}); none when that day is already past (no window: retention locks it once a tier
     * claims it).
     */
    private Optional<S3Store.Lock> lockOnWrite(BackupInfo info) {
        if (s.objectLock() == OffsiteSettings.LockMode.OFF) {
            return Optional.empty();
        }
        RetentionPolicy p = lockPolicy.orElseThrow(() -> new BarmandException(Category.CONFIG, "offsite.object-lock.mode = "
                + s.objectLock().word() + " needs the server's retention.s3 policy (it sets each lock): turn retention on"));
        Instant end = clock.instant();
        for (String t : new String[] {info.endTime(), info.beginTime()}) {
            if (t != null && !t.isBlank() && !t.equals("None")) {
                try {
                    end = BackupInfo.time(t);
                    break;
                } catch (java.time.format.DateTimeParseException e) {
                    // the next
                }
            }
        }
        Instant until = Locks.onWrite(p, end);
        return until.isAfter(clock.instant()) ? S3Store.Lock.of(s.objectLock(), until) : Optional.empty();
    }

    private void checkSize(String key, long expected) {
        HeadObjectResponse h = store.head(key).orElseThrow(() -> new BarmandException(Category.JOB_FAILED,
                "S3 object " + key + " is missing right after its upload"));
        if (h.contentLength() != expected) {
            throw new BarmandException(Category.JOB_FAILED, "S3 object " + key + " has " + h.contentLength()
                    + " bytes, " + expected + " were sent");
        }
    }

    public Optional<Manifest> manifest(String server, String backupId) {
        return new Catalog(store).manifest(server, backupId);
    }

    /** Backup ids with a manifest in the bucket, oldest first. */
    public List<String> copiedBackups(String server) {
        return new Catalog(store).copiedBackups(server);
    }
}
