package io.barmand.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code offsite} block of one server (inherited from {@code defaults}), read once and checked at start.
 * Every problem names the key: "barmand.servers.pg1.offsite.part-size: ...".
 */
public record OffsiteSettings(boolean enabled, Optional<URI> endpoint, String region, String bucket, String prefix,
                              boolean pathStyle, Optional<Path> credentialsFile, String credentialsProfile,
                              ChecksumMode checksumMode, Optional<String> storageClass, Sse sse,
                              Optional<String> kmsKeyId, Codec codec, int level, long partSize, long maxBackupSize,
                              int parallelism, int retriesMax, Duration initialBackoff, Duration requestTimeout,
                              boolean walEnabled, Path spoolDir, Encryption encryption, LockMode objectLock) {

    /** The settings before client-side encryption existed: copies stored as compressed, not encrypted. */
    public OffsiteSettings(boolean enabled, Optional<URI> endpoint, String region, String bucket, String prefix,
                           boolean pathStyle, Optional<Path> credentialsFile, String credentialsProfile,
                           ChecksumMode checksumMode, Optional<String> storageClass, Sse sse,
                           Optional<String> kmsKeyId, Codec codec, int level, long partSize, long maxBackupSize,
                           int parallelism, int retriesMax, Duration initialBackoff, Duration requestTimeout,
                           boolean walEnabled, Path spoolDir) {
        this(enabled, endpoint, region, bucket, prefix, pathStyle, credentialsFile, credentialsProfile, checksumMode,
                storageClass, sse, kmsKeyId, codec, level, partSize, maxBackupSize, parallelism, retriesMax,
                initialBackoff, requestTimeout, walEnabled, spoolDir, Encryption.NONE, LockMode.OFF);
    }

    /**
     * Client-side encryption ({@code offsite.encryption}): new copies and WAL objects encrypted in the age format to
     * every recipient (none: stored as compressed); the identity file is read where copies are read back.
     * {@code warning}: what check-config says without failing (the identity matches none of the recipients).
     */
    public record Encryption(List<String> recipients, Optional<Path> identityFile, Optional<String> warning) {
        public static final Encryption NONE = new Encryption(List.of(), Optional.empty(), Optional.empty());

        public boolean encrypts() {
            return !recipients.isEmpty();
        }

        /** The identities of identity-file (read each time: the file may be put in place just for a restore). */
        public List<String> identities() {
            return identityFile.map(AgeKeys::readIdentities).orElse(List.of());
        }
    }

    /** The settings with encryption, without Object Lock. */
    public OffsiteSettings(boolean enabled, Optional<URI> endpoint, String region, String bucket, String prefix,
                           boolean pathStyle, Optional<Path> credentialsFile, String credentialsProfile,
                           ChecksumMode checksumMode, Optional<String> storageClass, Sse sse,
                           Optional<String> kmsKeyId, Codec codec, int level, long partSize, long maxBackupSize,
                           int parallelism, int retriesMax, Duration initialBackoff, Duration requestTimeout,
                           boolean walEnabled, Path spoolDir, Encryption encryption) {
        this(enabled, endpoint, region, bucket, prefix, pathStyle, credentialsFile, credentialsProfile, checksumMode,
                storageClass, sse, kmsKeyId, codec, level, partSize, maxBackupSize, parallelism, retriesMax,
                initialBackoff, requestTimeout, walEnabled, spoolDir, encryption, LockMode.OFF);
    }

    /**
     * S3 Object Lock on what barmand writes ({@code offsite.object-lock.mode}): off, or each object written with this
     * mode and a retain-until set from the server's S3 retention policy (io.barmand.bucket.Locks).
     */
    public enum LockMode {
        OFF("off"), GOVERNANCE("governance"), COMPLIANCE("compliance");

        private final String word;

        LockMode(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }

        static LockMode of(String s) {
            for (LockMode m : values()) {
                if (m.word.equalsIgnoreCase(s.trim())) {
                    return m;
                }
            }
            throw new IllegalArgumentException(s);
        }
    }

    /** With another bucket. */
    public OffsiteSettings withBucket(String b) {
        return new OffsiteSettings(enabled, endpoint, region, b, prefix, pathStyle, credentialsFile, credentialsProfile,
                checksumMode, storageClass, sse, kmsKeyId, codec, level, partSize, maxBackupSize, parallelism, retriesMax,
                initialBackoff, requestTimeout, walEnabled, spoolDir, encryption, objectLock);
    }

    /** With this Object Lock mode. */
    public OffsiteSettings withObjectLock(LockMode m) {
        return new OffsiteSettings(enabled, endpoint, region, bucket, prefix, pathStyle, credentialsFile, credentialsProfile,
                checksumMode, storageClass, sse, kmsKeyId, codec, level, partSize, maxBackupSize, parallelism, retriesMax,
                initialBackoff, requestTimeout, walEnabled, spoolDir, encryption, m);
    }

    /** How the SDK computes and validates checksums (2.30+ defaults to when-supported, which breaks some stores). */
    public enum ChecksumMode {
        WHEN_REQUIRED, WHEN_SUPPORTED;

        static ChecksumMode of(String s) {
            return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    /** Server-side encryption asked of the store. */
    public enum Sse {
        NONE("none"), AES256("AES256"), KMS("aws:kms");

        private final String word;

        Sse(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }

        static Sse of(String s) {
            for (Sse x : values()) {
                if (x.word.equalsIgnoreCase(s.trim())) {
                    return x;
                }
            }
            throw new IllegalArgumentException(s);
        }
    }

    /** Compression of the uploaded bytes. */
    public enum Codec {
        ZSTD("zstd", ".zst", 1, 19), GZIP("gzip", ".gz", 1, 9), NONE("none", "", 0, 0);

        private final String word;
        private final String suffix;
        private final int minLevel;
        private final int maxLevel;

        Codec(String word, String suffix, int minLevel, int maxLevel) {
            this.word = word;
            this.suffix = suffix;
            this.minLevel = minLevel;
            this.maxLevel = maxLevel;
        }

        public String word() {
            return word;
        }

        public String suffix() {
            return suffix;
        }

        public static Codec of(String s) {
            for (Codec c : values()) {
                if (c.word.equalsIgnoreCase(s.trim())) {
                    return c;
                }
            }
            throw new IllegalArgumentException(s);
        }
    }

    public static final long MIN_PART = 5L * 1024 * 1024;
    public static final long MAX_PART = 5L * 1024 * 1024 * 1024;
    public static final int MAX_PARTS = 10_000;

    /**
     * S3 allows 10,000 parts of 5 MiB to 5 GiB: the part size must carry the largest expected backup.
     * Returns the problem, or empty.
     */
    public static Optional<String> partSizeProblem(long partSize, long maxBackupSize) {
        if (partSize < MIN_PART) {
            return Optional.of("must be at least 5MiB (S3's smallest part), is " + partSize + " bytes");
        }
        if (partSize > MAX_PART) {
            return Optional.of("must be at most 5GiB (S3's largest part), is " + partSize + " bytes");
        }
        long parts = ceilDiv(maxBackupSize, partSize);
        if (parts > MAX_PARTS) {
            long need = ceilDiv(maxBackupSize, MAX_PARTS);
            long needMiB = ceilDiv(need, 1024 * 1024);
            return Optional.of(partSize / (1024 * 1024) + "MiB parts carry at most " + human(partSize * MAX_PARTS)
                    + " in 10,000 parts, but max-backup-size is " + human(maxBackupSize)
                    + ": set part-size to at least " + needMiB + "MiB");
        }
        return Optional.empty();
    }

    static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    static String human(long b) {
        double g = b / (1024.0 * 1024 * 1024);
        return g >= 1024 ? String.format(Locale.ROOT, "%.1fTiB", g / 1024) : String.format(Locale.ROOT, "%.1fGiB", g);
    }

    /**
     * Reads the {@code offsite} block of a server's merged config ({@code server} = the server block over
     * {@code defaults}). Problems go to {@code problems} with {@code keyPath} (e.g. barmand.servers.pg1) in front.
     */
    public static OffsiteSettings read(Config server, String keyPath, Path stateDir, List<String> problems) {
        Config o = server.getConfig("offsite");
        String k = keyPath + ".offsite.";
        int before = problems.size();
        boolean enabled = o.getBoolean("enabled");
        Optional<URI> endpoint = Optional.empty();
        String ep = o.getString("endpoint").trim();
        if (!ep.isEmpty()) {
            try {
                URI u = new URI(ep);
                if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null) {
                    problems.add(k + "endpoint: must be an http:// or https:// URL, is \"" + ep + "\"");
                } else {
                    endpoint = Optional.of(u);
                }
            } catch (URISyntaxException e) {
                problems.add(k + "endpoint: not a URL: " + e.getMessage());
            }
        }
        String bucket = o.getString("bucket").trim();
        if (enabled && bucket.isEmpty()) {
            problems.add(k + "bucket: must be set when offsite.enabled = true");
        }
        String prefix = o.getString("prefix").trim().replaceAll("^/+|/+$", "");
        String region = o.getString("region").trim();
        if (region.isEmpty()) {
            problems.add(k + "region: must not be empty (S3-compatible stores accept any, e.g. \"us-east-1\")");
        }
        Optional<Path> creds = Optional.empty();
        String cf = o.getString("credentials-file").trim();
        if (!cf.isEmpty()) {
            Path p = Path.of(cf);
            creds = Optional.of(p);
            if (enabled) {
                credentialsFileProblem(p).ifPresent(msg -> problems.add(k + "credentials-file: " + msg));
            }
        }
        ChecksumMode cm = ChecksumMode.WHEN_REQUIRED;
        try {
            cm = ChecksumMode.of(o.getString("checksum-mode"));
        } catch (IllegalArgumentException e) {
            problems.add(k + "checksum-mode: must be when-required or when-supported, is \"" + o.getString("checksum-mode") + "\"");
        }
        String sc = o.getString("storage-class").trim();
        Sse sse = Sse.NONE;
        try {
            sse = Sse.of(o.getString("sse"));
        } catch (IllegalArgumentException e) {
            problems.add(k + "sse: must be none, AES256 or aws:kms, is \"" + o.getString("sse") + "\"");
        }
        String kms = o.getString("sse-kms-key-id").trim();
        Codec codec = Codec.ZSTD;
        try {
            codec = Codec.of(o.getString("compression.codec"));
        } catch (IllegalArgumentException e) {
            problems.add(k + "compression.codec: must be zstd, gzip or none, is \"" + o.getString("compression.codec") + "\"");
        }
        int level = o.getInt("compression.level");
        if (codec != Codec.NONE && (level < codec.minLevel || level > codec.maxLevel)) {
            problems.add(k + "compression.level: " + codec.word + " takes " + codec.minLevel + " to " + codec.maxLevel + ", is " + level);
        }
        long part = bytes(o, "part-size", k, problems);
        long max = bytes(o, "max-backup-size", k, problems);
        if (part > 0 && max > 0) {
            partSizeProblem(part, max).ifPresent(msg -> problems.add(k + "part-size: " + msg));
        }
        int par = o.getInt("parallelism");
        if (par < 1 || par > 64) {
            problems.add(k + "parallelism: must be 1 to 64, is " + par);
        }
        int rmax = o.getInt("retries.max");
        if (rmax < 0 || rmax > 100) {
            problems.add(k + "retries.max: must be 0 to 100, is " + rmax);
        }
        Duration backoff = positive(o, "retries.initial-backoff", k, problems);
        Duration reqTimeout = positive(o, "request-timeout", k, problems);
        boolean wal = o.getBoolean("wal.enabled");
        String spool = o.getString("spool-dir").trim();
        Path spoolDir = spool.isEmpty() ? stateDir.resolve("offsite") : Path.of(spool);
        if (!spoolDir.isAbsolute()) {
            problems.add(k + "spool-dir: must be an absolute path");
        }
        Encryption enc = encryption(o, k, problems);
        LockMode lock = LockMode.OFF;
        String lm = o.getString("object-lock.mode");
        try {
            lock = LockMode.of(lm);
        } catch (IllegalArgumentException e) {
            problems.add(k + "object-lock.mode: must be off, governance or compliance, is \"" + lm + "\"");
        }
        if (problems.size() > before) {
            return null;
        }
        return new OffsiteSettings(enabled, endpoint, region, bucket, prefix, o.getBoolean("path-style"), creds,
                o.getString("credentials-profile").trim(), cm, sc.isEmpty() ? Optional.empty() : Optional.of(sc), sse,
                kms.isEmpty() ? Optional.empty() : Optional.of(kms), codec, level, part, max, par, rmax, backoff,
                reqTimeout, wal, spoolDir, enc, lock);
    }

    /**
     * {@code encryption}: every recipient a valid age1... key (named by its index); the identity file readable,
     * not readable by everyone, holding identities; one that opens none of the recipients' copies is a warning.
     */
    private static Encryption encryption(Config o, String k, List<String> problems) {
        List<String> recipients = new java.util.ArrayList<>();
        List<String> given;
        try {
            given = o.getStringList("encryption.recipients");
        } catch (ConfigException e) {
            problems.add(k + "encryption.recipients: must be a list of age recipients, e.g. [\"age1...\"]");
            given = List.of();
        }
        for (int i = 0; i < given.size(); i++) {
            String r = given.get(i).trim();
            Optional<String> p = AgeKeys.recipientProblem(r);
            if (p.isPresent()) {
                problems.add(k + "encryption.recipients[" + i + "]: " + p.get());
            } else if (!recipients.contains(r)) {
                recipients.add(r);
            }
        }
        String idf = o.getString("encryption.identity-file").trim();
        Optional<Path> identity = Optional.empty();
        Optional<String> warning = Optional.empty();
        if (!idf.isEmpty()) {
            Path p = Path.of(idf);
            identity = Optional.of(p);
            Optional<String> fileProblem = credentialsFileProblem(p).map(m -> m.replace("chmod 0640 (owner root, group barman) or 0600",
                    "chmod 0600 (owner: the service's user) or 0640 root:barman"));
            if (!p.isAbsolute()) {
                problems.add(k + "encryption.identity-file: must be an absolute path, is \"" + idf + "\"");
            } else if (fileProblem.isPresent()) {
                problems.add(k + "encryption.identity-file: " + fileProblem.get());
            } else {
                try {
                    List<String> mine = AgeKeys.readIdentities(p).stream().map(AgeKeys::recipientOf).toList();
                    if (!recipients.isEmpty() && mine.stream().noneMatch(recipients::contains)) {
                        warning = Optional.of(k + "encryption.identity-file: " + p + " holds no identity of the "
                                + "recipients (its recipient(s): " + String.join(", ", mine) + "): new copies cannot be "
                                + "read back with it (older copies encrypted to it still can)");
                    }
                } catch (io.barmand.error.BarmandException e) {
                    problems.add(k + "encryption.identity-file: " + e.getMessage());
                }
            }
        }
        return new Encryption(List.copyOf(recipients), identity, warning);
    }

    /** A credentials file must exist and be readable by no one but the service's user and group. */
    static Optional<String> credentialsFileProblem(Path p) {
        if (!Files.isReadable(p)) {
            return Optional.of(p + " does not exist or is not readable");
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            if (perms.contains(PosixFilePermission.OTHERS_READ)) {
                return Optional.of(p + " is readable by everyone: chmod 0640 (owner root, group barman) or 0600");
            }
        } catch (UnsupportedOperationException | java.io.IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static long bytes(Config o, String key, String k, List<String> problems) {
        try {
            long v = o.getBytes(key);
            if (v <= 0) {
                problems.add(k + key + ": must be positive");
            }
            return v;
        } catch (ConfigException e) {
            problems.add(k + key + ": must be a positive size such as 16MiB or 2GiB");
            return -1;
        }
    }

    private static Duration positive(Config o, String key, String k, List<String> problems) {
        try {
            Duration d = o.getDuration(key);
            if (d.isNegative() || d.isZero()) {
                problems.add(k + key + ": must be positive");
            }
            return d;
        } catch (ConfigException e) {
            problems.add(k + key + ": must be a positive duration such as 30s, 5m or 6h");
            return Duration.ofSeconds(1);
        }
    }

    /** These settings with other compression (the withers serve tools and tests). */
    public OffsiteSettings withCompression(Codec c, int lvl) {
        return new OffsiteSettings(enabled, endpoint, region, bucket, prefix, pathStyle, credentialsFile, credentialsProfile,
                checksumMode, storageClass, sse, kmsKeyId, c, lvl, partSize, maxBackupSize, parallelism, retriesMax,
                initialBackoff, requestTimeout, walEnabled, spoolDir, encryption, objectLock);
    }

    public OffsiteSettings withParts(long size, int par) {
        return new OffsiteSettings(enabled, endpoint, region, bucket, prefix, pathStyle, credentialsFile, credentialsProfile,
                checksumMode, storageClass, sse, kmsKeyId, codec, level, size, maxBackupSize, par, retriesMax,
                initialBackoff, requestTimeout, walEnabled, spoolDir, encryption, objectLock);
    }

    public OffsiteSettings withRetries(int max, Duration backoff) {
        return new OffsiteSettings(enabled, endpoint, region, bucket, prefix, pathStyle, credentialsFile, credentialsProfile,
                checksumMode, storageClass, sse, kmsKeyId, codec, level, partSize, maxBackupSize, parallelism, max,
                backoff, requestTimeout, walEnabled, spoolDir, encryption, objectLock);
    }

    public OffsiteSettings withCredentialsFile(Path file) {
        return new OffsiteSettings(enabled, endpoint, region, bucket, prefix, pathStyle, Optional.of(file), credentialsProfile,
                checksumMode, storageClass, sse, kmsKeyId, codec, level, partSize, maxBackupSize, parallelism, retriesMax,
                initialBackoff, requestTimeout, walEnabled, spoolDir, encryption, objectLock);
    }

    public OffsiteSettings withChecksumMode(ChecksumMode m) {
        return new OffsiteSettings(enabled, endpoint, region, bucket, prefix, pathStyle, credentialsFile, credentialsProfile,
                m, storageClass, sse, kmsKeyId, codec, level, partSize, maxBackupSize, parallelism, retriesMax,
                initialBackoff, requestTimeout, walEnabled, spoolDir, encryption, objectLock);
    }

    public OffsiteSettings withEncryption(Encryption e) {
        return new OffsiteSettings(enabled, endpoint, region, bucket, prefix, pathStyle, credentialsFile, credentialsProfile,
                checksumMode, storageClass, sse, kmsKeyId, codec, level, partSize, maxBackupSize, parallelism, retriesMax,
                initialBackoff, requestTimeout, walEnabled, spoolDir, e, objectLock);
    }

    /** Where the endpoint is, for messages. */
    public String where() {
        return endpoint.map(URI::toString).orElse("AWS S3 (" + region + ")");
    }
}
