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

    public Optional<Manifest> manifest(String server, String backupId) {
        return store.getBytes(layout.manifest(server, backupId)).map(Manifest::parse);
    }

    /** Backup ids with a manifest in the bucket, oldest first. */
    public List<String> copiedBackups(String server) {
        String base = layout.base(server);
        return store.list(base).stream().map(o -> o.key())
                .filter(k -> k.endsWith("/" + Layout.MANIFEST))
                .map(k -> k.substring(base.length(), k.length() - Layout.MANIFEST.length() - 1))
                .filter(Names::isBackupId) // another tool's objects never become a backup id (nor a path)
                .sorted().toList();
    }
}
