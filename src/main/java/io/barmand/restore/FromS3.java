package io.barmand.restore;

import io.barmand.job.RunContext;
import io.barmand.config.RestoreSettings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.bucket.BackupFetch;
import io.barmand.bucket.Layout;
import io.barmand.bucket.Manifest;
import io.barmand.config.OffsiteSettings;
import io.barmand.bucket.S3Download;
import io.barmand.bucket.S3Store;
import io.barmand.vocabulary.RestoreSource;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import static io.barmand.restore.Steps.checkInterrupted;
import static io.barmand.restore.Steps.left;

/**
 * The backup from the server's offsite copy: the newest copy with a manifest (ended before the target) or the one
 * asked for, downloaded into the scratch folder with every object and file checked against the manifest's SHA-256,
 * and the WAL from its begin WAL on, read by a restore_command.
 */
final class FromS3 implements BackupSource {
    /** Inside the scratch folder: the WAL downloaded from S3, read by the restore_command. */
    static final String S3_WAL = "barmand-s3-wal";

    private final Map<String, OffsiteSettings> offsite;
    private final Function<OffsiteSettings, S3Store> stores;

    FromS3(Map<String, OffsiteSettings> offsite, Function<OffsiteSettings, S3Store> stores) {
        this.offsite = offsite;
        this.stores = stores;
    }

    private OffsiteSettings offsiteOf(String server) {
        OffsiteSettings os = offsite.get(server);
        if (os == null || !os.enabled()) {
            throw new BarmandException(Category.CONFIG, "a restore test from S3 (restore-test.source = \"s3\", "
                    + "restore-test.s3.schedule or --from s3) reads the offsite copy, but offsite is not enabled for server "
                    + server + " (barmand.servers." + server + ".offsite.enabled)");
        }
        return os;
    }

    @Override
    public Pick lookup(String server, RestoreSettings rs, Optional<Instant> targetTime, Report rep, Duration total, RunContext ctx) {
        rep.facts.text(io.barmand.history.FactNames.SOURCE, RestoreSource.S3.id());
        OffsiteSettings os = offsiteOf(server);
        left(total, ctx);
        try (S3Store store = stores.apply(os)) {
            S3Download dl = new S3Download(store);
            boolean latest = rs.backupId().equals("latest");
            Optional<Manifest> m = dl.pick(server, rs.backupId(), latest ? targetTime : Optional.empty());
            if (m.isEmpty()) {
                rep.fail("backup", (latest ? "no copy of " + server + " with a manifest.json"
                        + (targetTime.isPresent() ? " ended before " + targetTime.get() : "")
                        : "backup " + rs.backupId() + " has no manifest.json (the copy is incomplete or absent)")
                        + " in s3://" + os.bucket() + "/" + new Layout(os.prefix()).base(server));
                return null;
            }
            long wal = dl.walObjects(server, m.get()).stream().mapToLong(o -> o.size()).sum();
            return new Pick(m.get().backupId(), m.get().originalBytes(), m.get().originalBytes() + wal);
        }
    }

    /**
     * Downloads the copy into the scratch folder, checking every object and file against the manifest as it
     * streams, then the WAL from the backup's begin WAL on (each against its sha256) into a folder beside it, and
     * writes the recovery settings: restore_command reading that folder, the target, recovery.signal.
     */
    @Override
    public Double restore(String server, String id, RestoreSettings rs, Instance sc, Optional<Instant> targetTime, Report rep,
                          Duration total, RunContext ctx) {
        long r0 = System.nanoTime();
        OffsiteSettings os = offsiteOf(server);
        Path dir = sc.dir();
        Path walDir = dir.resolve(S3_WAL);
        try (S3Store store = stores.apply(os)) {
            Optional<Manifest> om = new S3Download(store).pick(server, id, Optional.empty());
            if (om.isEmpty()) {
                rep.fail("download", "backup " + id + ": manifest.json is gone from s3://" + os.bucket());
                return null;
            }
            BackupFetch.Fetched f = new BackupFetch(store).fetch(server, om.get(), dir, walDir, () -> {
                checkInterrupted();
                left(total, ctx);
            }, BackupFetch.Progress.NONE);
            rep.facts.bytes(io.barmand.history.FactNames.DOWNLOADED, f.downloadedBytes());
            rep.facts.count(io.barmand.history.FactNames.WAL_FILES, f.walFiles());
            List<String> problems = f.problems();
            if (!problems.isEmpty()) {
                rep.fail("download", (problems.size() > 3 ? problems.size() + " problems: " : "")
                        + String.join(" | ", problems.subList(0, Math.min(3, problems.size()))));
                return null;
            }
            RecoverySettings.write(dir, RecoverySettings.lines("barmand restore test from S3: the WAL downloaded from s3://" + os.bucket(),
                    "cp " + RecoverySettings.shellWord(walDir + "/%f") + " \"%p\"", List.of(), rs.target(), targetTime));
            if (sc instanceof Scratch local) {
                local.chownTree();
            }
            double secs = (System.nanoTime() - r0) / 1e9;
            rep.facts.seconds(io.barmand.history.FactNames.DOWNLOAD, secs);
            return secs;
        } catch (IOException e) {
            rep.fail("download", "cannot write into " + dir + ": " + e.getMessage());
            return null;
        }
    }
}
