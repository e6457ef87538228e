package io.barmand.offsite;

import io.barmand.bucket.S3Download;
import io.barmand.bucket.S3Store;
import io.barmand.bucket.Manifest;
import io.barmand.bucket.Layout;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import java.io.IOException;
import java.util.ArrayList;
import io.barmand.config.OffsiteSettings;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * Re-checks a backup copy against its manifest: every object present with its size; with {@code download},
 * every object read back and hashed, and the tar unpacked in memory so that every original file's size and
 * SHA-256 are compared too. Also checks the WAL the backup needs and reports gaps in the bucket's WAL.
 */
public class OffsiteVerifier {
    /** The outcome: ok, and one line per problem (naming the object) and per fact. */
    public record Report(String server, String backupId, boolean ok, List<String> problems, List<String> lines) {
    }

    private final S3Store store;
    private final Layout layout;

    public OffsiteVerifier(S3Store store) {
        this.store = store;
        this.layout = new Layout(store.settings().prefix());
    }

    public Report verify(String server, Optional<String> requested, boolean download) {
        BackupCopier bc = new BackupCopier(store, "verify", java.time.Clock.systemUTC());
        List<String> copied = bc.copiedBackups(server);
        String id = requested.orElseGet(() -> copied.isEmpty() ? null : copied.get(copied.size() - 1));
        List<String> problems = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        if (id == null) {
            problems.add("no backup of " + server + " has a manifest in s3://" + store.bucket() + "/" + layout.base(server));
            return new Report(server, null, false, problems, lines);
        }
        Optional<Manifest> om = bc.manifest(server, id);
        if (om.isEmpty()) {
            problems.add("backup " + id + ": no manifest " + layout.manifest(server, id) + " (the copy is incomplete or absent)");
            return new Report(server, id, false, problems, lines);
        }
        Manifest m = om.get();
        lines.add("backup " + id + ": manifest of " + m.created() + ", " + m.files().size() + " files, "
                + m.originalBytes() + " bytes stored as " + m.storedBytes() + " bytes (" + m.codec() + ")");
        lockLines(server, m, lines, problems);
        for (Manifest.ObjectEntry o : m.objects()) {
            Optional<HeadObjectResponse> h = store.head(o.key(), o.versionId());
            if (h.isEmpty()) {
                problems.add("MISSING " + o.key());
                continue;
            }
            if (h.get().contentLength() != o.size()) {
                problems.add("SIZE MISMATCH " + o.key() + ": " + h.get().contentLength() + " bytes, manifest says " + o.size());
                continue;
            }
            if (download) {
                try {
                    checkContent(m, o, problems);
                } catch (IOException e) {
                    problems.add("UNREADABLE " + o.key() + ": " + e.getMessage());
                }
            }
        }
        if (m.encrypted()) {
            boolean key = store.settings().encryption().identityFile().isPresent();
            lines.add("encrypted (" + m.encryption().format() + ") to " + String.join(", ", m.encryption().recipients())
                    + (!download ? "" : key ? ": decrypted with identity-file, every file compared"
                    : ": stored bytes checked by SHA-256 only (no identity-file here: files not decrypted)"));
        }
        lines.add(m.objects().size() + " object(s) checked" + (download ? " by download and SHA-256" : " by size"));
        // WAL the backup needs, and gaps
        WalCopier wc = new WalCopier(store);
        Set<String> wal = wc.inBucket(server);
        if (store.settings().objectLock() != OffsiteSettings.LockMode.OFF) {
            // a delete marker over a locked version: the WAL is still there for a restore, but someone deleted it
            java.util.TreeSet<String> kept = new java.util.TreeSet<>(wc.storedVersions(server));
            kept.removeAll(wal);
            if (!kept.isEmpty()) {
                lines.add("WARNING: " + kept.size() + " WAL object(s) deleted as current objects by someone else (delete "
                        + "markers), kept as locked versions, which restores read: " + kept.first()
                        + (kept.size() > 1 ? " .. " + kept.last() : ""));
                wal = new java.util.TreeSet<>(wal);
                wal.addAll(kept);
            }
        }
        for (String n : m.neededWal()) {
            if (!wal.contains(n)) {
                problems.add("MISSING WAL " + n + " (needed by backup " + id + ")");
            }
        }
        // gaps from the backup's begin on (what recovering it needs); none after a copy retention keeps standalone
        // (a long-term tier's: only its own WAL is kept)
        boolean standalone = store.head(layout.standalone(server, id)).isPresent();
        List<String> gaps = new java.util.ArrayList<>();
        if (standalone) {
            lines.add("kept standalone by retention: only its own WAL " + m.beginWal() + ".." + m.endWal() + " is kept");
        } else if (m.beginWal() != null) {
            long begin = Layout.segmentIndex(m.beginWal(), m.segmentSize());
            gaps = Layout.gaps(wal.stream().filter(n -> !Layout.isSegment(n)
                    || Layout.segmentIndex(n, m.segmentSize()) >= begin).toList(), m.segmentSize());
        } else {
            gaps = Layout.gaps(wal, m.segmentSize());
        }
        for (String g : gaps) {
            problems.add("WAL GAP in S3: " + g);
        }
        String newest = wal.stream().filter(Layout::isSegment).reduce((a, b) -> b).orElse("none");
        lines.add("WAL in S3: " + wal.size() + " file(s), newest segment " + newest + (gaps.isEmpty() ? ", no gap" : ""));
        if (download) {
            verifyWalContent(server, m, wal, problems);
        }
        return new Report(server, id, problems.isEmpty(), problems, lines);
    }

    /**
     * The bucket's Object Lock configuration and the copy's lock (each object's version, as the manifest records it):
     * with offsite.object-lock on, an object without a lock, or locked for less than the copy was written with, is
     * a problem.
     */
    private void lockLines(String server, Manifest m, List<String> lines, List<String> problems) {
        OffsiteSettings.LockMode mode = store.settings().objectLock();
        Optional<String> conf;
        try {
            conf = store.lockConfiguration();
        } catch (RuntimeException e) {
            if (mode != OffsiteSettings.LockMode.OFF) {
                throw e;
            }
            // a store without Object Lock at all (S3Proxy answers 501): nothing asked of it
            lines.add("Object Lock: bucket " + store.bucket() + ": the store does not say (" + e.getMessage()
                    + "); offsite.object-lock.mode = off");
            return;
        }
        lines.add("Object Lock: bucket " + store.bucket() + ": " + conf.orElse("none (created without Object Lock)")
                + "; offsite.object-lock.mode = " + mode.word());
        if (mode != OffsiteSettings.LockMode.OFF && conf.isEmpty()) {
            store.lockProblem().ifPresent(problems::add);
            return;
        }
        if (conf.isEmpty()) {
            return;
        }
        Instant min = null;
        List<String> keys = new ArrayList<>();
        for (Manifest.ObjectEntry o : m.objects()) {
            keys.add(o.key());
            Optional<S3Store.Lock> l = store.lockOf(o.key(), o.versionId());
            if (l.isEmpty()) {
                if (mode != OffsiteSettings.LockMode.OFF) {
                    problems.add("NOT LOCKED " + o.key() + (o.versionId() == null ? "" : " version " + o.versionId()));
                }
                min = Instant.EPOCH;
                continue;
            }
            min = min == null || l.get().until().isBefore(min) ? l.get().until() : min;
            if (m.lockedUntil() != null && l.get().until().isBefore(Instant.parse(m.lockedUntil()))) {
                problems.add("LOCK SHORTENED " + o.key() + ": until " + l.get().until() + ", written until " + m.lockedUntil());
            }
        }
        String mk = layout.manifest(server, m.backupId());
        Optional<S3Store.Lock> ml = io.barmand.bucket.Catalog.firstVersion(store, mk).flatMap(v -> store.lockOf(mk, v.versionId()));
        lines.add("copy " + m.backupId() + ": " + (min == null || min.equals(Instant.EPOCH) ? "not locked"
                : "locked (" + ml.map(S3Store.Lock::word).orElse(m.lockMode()) + ") until " + min)
                + (ml.isPresent() ? ", manifest until " + ml.get().until() : ", manifest not locked"));
    }

    private void checkContent(Manifest m, Manifest.ObjectEntry o, List<String> problems) throws IOException {
        new S3Download(store).object(m, o, null, problems);
    }

    private void verifyWalContent(String server, Manifest m, Set<String> wal, List<String> problems) {
        S3Download dl = new S3Download(store);
        for (software.amazon.awssdk.services.s3.model.S3Object o : dl.walObjects(server, m)) {
            String problem = dl.wal(o.key(), null);
            if (problem != null) {
                problems.add(problem);
            }
        }
    }

    static BarmandException notConfigured(String server) {
        return new BarmandException(Category.CONFIG, "offsite is not enabled for server " + server);
    }
}
