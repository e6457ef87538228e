package io.barmand.bucket;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The manifest of one backup copy, written last: its presence means every object below was uploaded and
 * checked. {@code files} are the ORIGINAL files of Barman's backup folder (paths relative to it, size,
 * sha256); {@code objects} are what is in the bucket (key, size and sha256 of the stored bytes).
 * {@code encryption}: absent (null) in a copy stored as compressed (every manifest before offsite.encryption); else
 * the format of the data object ("age") and the recipients it was encrypted to. The files' SHA-256 are of the
 * plain files (checked after decrypting), the objects' of the stored, encrypted bytes (checked without any key).
 * Each object's {@code versionId} (in a versioned bucket) lets a restore read that version even when someone deleted
 * or overwrote the current one; {@code lockMode} and {@code lockedUntil} are the Object Lock the copy was written with
 * (null without one; retention may extend it since). {@code uncompressedFrom}: the offset in the tar from which the
 * data object is stored uncompressed (the zstd stream goes on in raw blocks: {@link AdaptiveZstd} stopped compressing
 * there, since the data did not shrink); null when it is compressed throughout. Readers need not know it: the object
 * is one zstd stream either way. Fields added later read as null from older manifests.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Manifest(int format, String server, String backupId, String barmandVersion, String created,
                       String codec, int level, String beginWal, String endWal, int timeline, long segmentSize,
                       String backupInfo, List<FileEntry> files, List<ObjectEntry> objects,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Encryption encryption,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String lockMode,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String lockedUntil,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Long uncompressedFrom) {
    public static final int FORMAT = 1;

    /** A manifest of a copy compressed throughout (uncompressedFrom null: also what an older manifest reads as). */
    public Manifest(int format, String server, String backupId, String barmandVersion, String created, String codec,
                    int level, String beginWal, String endWal, int timeline, long segmentSize, String backupInfo,
                    List<FileEntry> files, List<ObjectEntry> objects, Encryption encryption, String lockMode,
                    String lockedUntil) {
        this(format, server, backupId, barmandVersion, created, codec, level, beginWal, endWal, timeline, segmentSize,
                backupInfo, files, objects, encryption, lockMode, lockedUntil, null);
    }

    /** A manifest of a copy stored as compressed, not encrypted. */
    public Manifest(int format, String server, String backupId, String barmandVersion, String created, String codec,
                    int level, String beginWal, String endWal, int timeline, long segmentSize, String backupInfo,
                    List<FileEntry> files, List<ObjectEntry> objects) {
        this(format, server, backupId, barmandVersion, created, codec, level, beginWal, endWal, timeline, segmentSize,
                backupInfo, files, objects, null, null, null, null);
    }

    /** A manifest without Object Lock (lockMode, lockedUntil null: also what an older manifest reads as). */
    public Manifest(int format, String server, String backupId, String barmandVersion, String created, String codec,
                    int level, String beginWal, String endWal, int timeline, long segmentSize, String backupInfo,
                    List<FileEntry> files, List<ObjectEntry> objects, Encryption encryption) {
        this(format, server, backupId, barmandVersion, created, codec, level, beginWal, endWal, timeline, segmentSize,
                backupInfo, files, objects, encryption, null, null, null);
    }

    /** How the data object was encrypted: {@code format} "age", to these {@code recipients} (age1... public keys). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Encryption(String format, List<String> recipients) {
    }

    /** Whether the data object is encrypted (an older manifest without the field: no). */
    public boolean encrypted() {
        return encryption != null;
    }
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FileEntry(String path, long size, String sha256) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ObjectEntry(String key, long size, String sha256, int parts,
                              @JsonInclude(JsonInclude.Include.NON_NULL) String versionId) {
        /** An object of an unversioned bucket (or of a manifest older than version ids: null). */
        public ObjectEntry(String key, long size, String sha256, int parts) {
            this(key, size, sha256, parts, null);
        }
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Manifest parse(byte[] json) {
        try {
            return JSON.readValue(json, Manifest.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long originalBytes() {
        return files.stream().mapToLong(FileEntry::size).sum();
    }

    public long storedBytes() {
        return objects.stream().mapToLong(ObjectEntry::size).sum();
    }

    /**
     * The WAL segments the backup itself needs to be consistent: from its begin WAL to its end WAL, on the end
     * WAL's timeline; empty when the manifest does not say (a copy of a backup without them).
     */
    public List<String> neededWal() {
        if (beginWal == null || endWal == null) {
            return List.of();
        }
        List<String> out = new java.util.ArrayList<>();
        int tl = Layout.timeline(endWal);
        for (long i = Layout.segmentIndex(beginWal, segmentSize); i <= Layout.segmentIndex(endWal, segmentSize); i++) {
            out.add(Layout.segmentName(tl, i, segmentSize));
        }
        return out;
    }
}
