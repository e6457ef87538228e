package io.barmand.bucket;

import io.barmand.barman.BackupInfo;
import io.barmand.config.OffsiteSettings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Reading a backup copy back, checked while it streams: the shared part of {@code offsite verify --download}
 * (read through, nothing written) and of the restore test with {@code source = "s3"} (unpacked into a folder).
 * The stored bytes of every object are hashed against the manifest, every file of the tar against its size and
 * SHA-256 in the manifest, every WAL object against the sha256 of its metadata.
 */
public final class S3Download {
    private final S3Store store;
    private final Layout layout;

    public S3Download(S3Store store) {
        this.store = store;
        this.layout = new Layout(store.settings().prefix());
    }

    /**
     * The manifest of the copy to restore: {@code requested} ("latest" = the newest copy with a manifest; with
     * {@code endedBy}, the newest that ended at or before it), empty when there is none.
     */
    public Optional<Manifest> pick(String server, String requested, Optional<Instant> endedBy) {
        Catalog bc = new Catalog(store);
        if (!requested.equals("latest")) {
            return bc.manifest(server, requested);
        }
        List<String> copied = bc.copiedBackups(server);
        for (int i = copied.size() - 1; i >= 0; i--) {
            Optional<Manifest> m = bc.manifest(server, copied.get(i));
            if (m.isPresent() && (endedBy.isEmpty() || endedAtOrBefore(m.get(), endedBy.get()))) {
                return m;
            }
        }
        return Optional.empty();
    }

    private static boolean endedAtOrBefore(Manifest m, Instant t) {
        String end = BackupInfo.parse(m.backupInfo() == null ? "" : m.backupInfo()).get("end_time");
        if (end == null) {
            return false;
        }
        try {
            return !OffsetDateTime.parse(end.replace(' ', 'T')).toInstant().isAfter(t);
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    /**
     * Reads one object of the copy through. The data tar is unpacked as it streams: every file compared with the
     * manifest and, with {@code into}, the backup's {@code data/} written there ({@code backup.info} is only
     * checked; anything else, a tablespace, is reported as not restorable). Problems name the object, a wrong
     * SHA-256 of the stored bytes first. Returns the bytes downloaded.
     */
    public long object(Manifest m, Manifest.ObjectEntry o, Path into, List<String> problems) throws IOException {
        MessageDigest stored = Hashing.sha256();
        boolean isData = o.key().contains("/data.tar");
        List<String> found = new ArrayList<>();
        long[] count = {0};
        List<String> ids = isData && m.encrypted() && !keyless(into) ? identities() : List.of();
        if (isData && m.encrypted() && !keyless(into) && ids.isEmpty()) {
            throw new BarmandException(Category.CONFIG, o.key() + " is encrypted (age, to "
                    + String.join(", ", m.encryption().recipients()) + "): set offsite.encryption.identity-file to a file "
                    + "holding the identity of one of them to read it back");
        }
        try (InputStream raw = store.open(o.key(), o.versionId()); DigestInputStream in = new DigestInputStream(counting(raw, count), stored)) {
            if (isData && (!m.encrypted() || !keyless(into))) {
                Map<String, Manifest.FileEntry> want = new HashMap<>();
                m.files().forEach(f -> want.put(f.path(), f));
                OffsiteSettings.Codec codec = OffsiteSettings.Codec.of(m.codec());
                boolean corrupt = false;
                try {
                    // decrypted as it streams (an encrypted copy verified without identity-file is not opened at
                    // all: the stored bytes' SHA-256 is the proof)
                    InputStream plain = m.encrypted() ? Age.decrypt(in, ids, o.key() + " (encrypted to "
                            + String.join(", ", m.encryption().recipients()) + ")") : in;
                    TarReader.read(Codecs.decompress(plain, codec), (name, size, sha) -> {
                        Manifest.FileEntry f = want.remove(name);
                        if (f == null) {
                            found.add("UNEXPECTED FILE " + name + " in " + o.key());
                        } else if (f.size() != size || !f.sha256().equals(sha)) {
                            found.add("FILE MISMATCH " + name + " in " + o.key() + ": " + size + " bytes sha256 " + sha
                                    + ", manifest says " + f.size() + " bytes sha256 " + f.sha256());
                        }
                    }, into == null ? null : new Unpack(into, o.key(), found));
                } catch (IOException e) {
                    corrupt = true;
                    found.add("CORRUPT " + o.key() + ": cannot be unpacked (" + e.getMessage() + ")");
                } catch (BarmandException e) {
                    // its header opens with none of the identities (or is damaged: the SHA-256 says which, first)
                    corrupt = true;
                    found.add("CANNOT DECRYPT " + e.getMessage());
                }
                if (corrupt && !want.isEmpty()) {
                    found.add("FILES MISSING: " + want.size() + " file(s) of the manifest not read from " + o.key());
                } else {
                    for (String missing : want.keySet()) {
                        found.add("FILE MISSING " + missing + " in " + o.key());
                    }
                }
            }
            in.transferTo(OutputStream.nullOutputStream());
        }
        String got = Hashing.hex(stored.digest());
        if (!got.equals(o.sha256())) {
            problems.add("SHA-256 MISMATCH " + o.key() + ": " + got + ", manifest says " + o.sha256());
        }
        problems.addAll(found);
        return count[0];
    }

    /** Whether an encrypted object is checked by its stored bytes only: verified (nothing unpacked) without identity-file. */
    private boolean keyless(Path into) {
        return into == null && store.settings().encryption().identityFile().isEmpty();
    }

    private List<String> identities() {
        return store.settings().encryption().identities();
    }

    private static InputStream counting(InputStream in, long[] count) {
        return new java.io.FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    count[0]++;
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    count[0] += n;
                }
                return n;
            }
        };
    }

    /** The backup's data/ under {@code into}; nothing outside it. */
    private static final class Unpack implements TarReader.Sink {
        private final Path into;
        private final String key;
        private final List<String> problems;

        Unpack(Path into, String key, List<String> problems) {
            this.into = into.toAbsolutePath().normalize();
            this.key = key;
            this.problems = problems;
        }

        private Path target(String name) {
            if (name.equals(Layout.BACKUP_INFO) || name.equals("data")) {
                return null;
            }
            if (!name.startsWith("data/")) {
                problems.add("NOT RESTORABLE " + name + " in " + key + ": only the backup's data/ is restored (tablespaces are not supported)");
                return null;
            }
            Path p = into.resolve(name.substring("data/".length())).normalize();
            if (!p.startsWith(into)) {
                problems.add("UNSAFE PATH " + name + " in " + key);
                return null;
            }
            return p;
        }

        @Override
        public OutputStream file(String name) throws IOException {
            Path p = target(name);
            if (p == null) {
                return null;
            }
            Files.createDirectories(p.getParent());
            return new java.io.BufferedOutputStream(Files.newOutputStream(p), 1 << 16);
        }

        @Override
        public void directory(String name) throws IOException {
            Path p = target(name);
            if (p != null) {
                Files.createDirectories(p);
            }
        }

        @Override
        public void symlink(String name, String linkTarget) throws IOException {
            Path p = target(name);
            if (p != null) {
                problems.add("NOT RESTORABLE symlink " + name + " -> " + linkTarget + " in " + key + " (tablespaces are not supported)");
            }
        }
    }

    /**
     * The WAL objects that go with backup {@code m}: every .history and .backup file and every segment from the
     * backup's begin WAL on, in name order.
     */
    public List<S3Object> walObjects(String server, Manifest m) {
        List<S3Object> out = new ArrayList<>();
        if (m.beginWal() == null) {
            return out;
        }
        List<S3Object> all = store.list(layout.wals(server));
        if (Catalog.locked(store)) {
            // under Object Lock a WAL object deleted by someone else (a delete marker) is still read by version
            Map<String, S3Object> first = new java.util.TreeMap<>();
            for (S3Store.Version v : store.versions(layout.wals(server))) {
                if (!v.deleteMarker()) {
                    first.putIfAbsent(v.key(), S3Object.builder().key(v.key()).size(v.size()).lastModified(v.lastModified()).build());
                }
            }
            all = List.copyOf(first.values());
        }
        for (S3Object o : all) {
            Optional<String> n = Layout.walName(o.key());
            if (n.isEmpty() || (Layout.isSegment(n.get()) && n.get().compareTo(m.beginWal()) < 0)) {
                continue;
            }
            out.add(o);
        }
        return out;
    }

    /**
     * Reads a WAL object through and checks it against the sha256 of its metadata; with {@code out}, writes the
     * WAL file itself there (barmand's compression undone, and Barman's own gzip or zstd too), through a temporary
     * file beside it renamed only once the bytes are checked. Returns the problem, or null.
     */
    public String wal(String key, Path out) {
        Optional<ResponseInputStream<GetObjectResponse>> in = openWal(key);
        if (in.isEmpty()) {
            return "MISSING WAL " + key + ": no such object";
        }
        return read(key, in.get(), out);
    }

    /** What {@link #fetchWal} found: the object's key (null when there is none) and the problem (null when none). */
    public record WalFetch(String key, String problem) {
        public boolean found() {
            return key != null;
        }
    }

    /**
     * One WAL file by name, as PostgreSQL's restore_command asks for it: the object under its name with the
     * suffix the offsite settings would copy it with (the codec's, then .age with encryption); else whichever of
     * barmand's objects of that name the bucket has (Barman compressed it already, the codec or the encryption
     * changed since it was copied), found by one LIST; checked and written to {@code out} atomically. One GET when
     * it is there as the settings would copy it; absent (PostgreSQL probes for files that may not exist) after one
     * GET and one LIST.
     */
    public WalFetch fetchWal(String server, String name, Path out) {
        OffsiteSettings s = store.settings();
        String preferred = layout.wal(server, name, s.codec().suffix() + (s.encryption().encrypts() ? Age.SUFFIX : ""));
        Optional<ResponseInputStream<GetObjectResponse>> in = openWal(preferred);
        if (in.isPresent()) {
            return new WalFetch(preferred, read(preferred, in.get(), out));
        }
        for (S3Object o : store.list(layout.wal(server, name, ""))) {
            if (!o.key().equals(preferred) && layout.walOf(server, o.key()).filter(name::equals).isPresent()) {
                in = openWal(o.key());
                if (in.isPresent()) {
                    return new WalFetch(o.key(), read(o.key(), in.get(), out));
                }
            }
        }
        return new WalFetch(null, null);
    }

    /**
     * A WAL object opened for reading; under Object Lock its first version (barmand writes each WAL object once), so
     * that one deleted or overwritten by someone else is read as barmand wrote it.
     */
    private Optional<ResponseInputStream<GetObjectResponse>> openWal(String key) {
        if (!Catalog.locked(store)) {
            return store.openIfPresent(key);
        }
        return Catalog.firstVersion(store, key).map(v -> store.open(key, v.versionId()));
    }

    private String read(String key, ResponseInputStream<GetObjectResponse> raw, Path out) {
        String want = raw.response().metadata().get("sha256");
        if (want == null) {
            try (raw) {
                raw.abort();
            } catch (IOException e) {
                // closing an aborted stream
            }
            return "WAL " + key + ": no sha256 in its metadata (not copied by barmand?)";
        }
        MessageDigest md = Hashing.sha256();
        Path tmp = out == null ? null : out.resolveSibling(out.getFileName() + ".barmand-" + ProcessHandle.current().pid() + ".tmp");
        try {
            String problem = null;
            try (raw; DigestInputStream in = new DigestInputStream(raw, md)) {
                if (tmp != null) {
                    try {
                        problem = writeWal(key, in, tmp, raw.response().metadata().get("original-sha256"));
                    } catch (IOException e) {
                        // damaged bytes fail to unpack: the SHA-256 of the whole object, read through, says so first
                        problem = "cannot unpack " + key + " into " + out + ": " + e.getMessage();
                    }
                }
                in.transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                return "UNREADABLE " + key + ": " + e.getMessage();
            }
            String got = Hashing.hex(md.digest());
            if (!got.equals(want)) {
                return "SHA-256 MISMATCH " + key + ": " + got + ", its metadata says " + want;
            }
            if (problem != null) {
                return problem;
            }
            if (tmp != null) {
                Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            return null;
        } catch (IOException e) {
            return "cannot write " + out + ": " + e.getMessage();
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    // best effort: a leftover temporary file is named for this process
                }
            }
        }
    }

    /**
     * Writes the WAL file: decrypted (a .age key), barmand's compression undone, checked against the SHA-256 of the
     * file as Barman archived it ({@code originalSha256}, when the metadata has it), Barman's compression undone.
     */
    private String writeWal(String key, InputStream in, Path out, String originalSha256) throws IOException {
        String k = key;
        InputStream s = in;
        if (k.endsWith(Age.SUFFIX)) {
            k = k.substring(0, k.length() - Age.SUFFIX.length());
            s = Age.decrypt(in, store.settings().encryption().identities(), key);
        }
        for (OffsiteSettings.Codec c : OffsiteSettings.Codec.values()) {
            if (!c.suffix().isEmpty() && k.endsWith(c.suffix())) {
                s = Codecs.decompress(s, c);
                break;
            }
        }
        MessageDigest original = Hashing.sha256();
        s = new DigestInputStream(s, original);
        String problem = writePlain(key, s, out);
        if (problem == null && originalSha256 != null) {
            s.transferTo(OutputStream.nullOutputStream());
            String got = Hashing.hex(original.digest());
            if (!got.equals(originalSha256)) {
                return "SHA-256 MISMATCH " + key + " after decrypting and decompressing: " + got
                        + ", its metadata says " + originalSha256;
            }
        }
        return problem;
    }

    private static String writePlain(String key, InputStream s, Path out) throws IOException {
        BufferedInputStream b = new BufferedInputStream(s, 1 << 16);
        b.mark(8);
        byte[] head = b.readNBytes(8);
        b.reset();
        InputStream plain = b;
        if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            plain = Codecs.decompress(b, OffsiteSettings.Codec.GZIP);
        } else if (head.length >= 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5 && (head[2] & 0xff) == 0x2f
                && (head[3] & 0xff) == 0xfd) {
            plain = Codecs.decompress(b, OffsiteSettings.Codec.ZSTD);
        } else if (Codecs.alreadyCompressed(head, head.length)) {
            return "WAL " + key + ": compressed by Barman in a format barmand cannot unpack (only gzip and zstd)";
        }
        try (OutputStream o = Files.newOutputStream(out)) {
            plain.transferTo(o);
        }
        return null;
    }
}
