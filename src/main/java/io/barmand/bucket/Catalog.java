package io.barmand.bucket;

import io.barmand.config.Names;
import java.util.List;
import java.util.Optional;

/**
 * What the bucket holds of a server, read only: the backups whose copy is whole (a manifest, written last) and
 * their manifests. Shared by the offsite copy and the restore test from S3.
 */
public final class Catalog {
    private final S3Store store;
    private final Layout layout;

    public Catalog(S3Store store) {
        this.store = store;
        this.layout = new Layout(store.settings().prefix());
    }

    /**
     * The manifest of a copy. Under Object Lock, the first version of its key (barmand writes a manifest once): a
     * manifest deleted (a delete marker) or overwritten by someone else since is read as barmand wrote it.
     */
    public Optional<Manifest> manifest(String server, String backupId) {
        String key = layout.manifest(server, backupId);
        if (locked(store)) {
            return firstVersion(store, key).flatMap(v -> store.getBytes(key, v.versionId())).map(Manifest::parse);
        }
        return store.getBytes(key).map(Manifest::parse);
    }

    /** Whether what barmand wrote is read by version (offsite.object-lock on). */
    static boolean locked(S3Store store) {
        return store.settings().objectLock() != io.barmand.config.OffsiteSettings.LockMode.OFF;
    }

    /** The first stored version of exactly {@code key} (no delete marker), or empty. */
    public static Optional<S3Store.Version> firstVersion(S3Store store, String key) {
        return store.versions(key).stream().filter(v -> v.key().equals(key) && !v.deleteMarker())
                .min(java.util.Comparator.comparing(S3Store.Version::lastModified));
    }

    /** Backup ids with a manifest in the bucket, oldest first. */
    public List<String> copiedBackups(String server) {
        String base = layout.base(server);
        List<String> keys = locked(store)
                ? store.versions(base).stream().filter(v -> !v.deleteMarker()).map(S3Store.Version::key).distinct().toList()
                : store.list(base).stream().map(o -> o.key()).toList();
        return keys.stream()
                .filter(k -> k.endsWith("/" + Layout.MANIFEST))
                .map(k -> k.substring(base.length(), k.length() - Layout.MANIFEST.length() - 1))
                .filter(Names::isBackupId) // another tool's objects never become a backup id (nor a path)
                .sorted().toList();
    }
}
