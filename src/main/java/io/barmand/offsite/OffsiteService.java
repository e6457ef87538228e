package io.barmand.offsite;

import io.barmand.history.FactNames;
import io.barmand.config.Names;
import io.barmand.bucket.S3Store;
import io.barmand.bucket.Manifest;
import io.barmand.config.OffsiteSettings;
import io.barmand.config.RetentionPolicy;
import io.barmand.config.JobKind;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.barman.BarmanRecords.ServerPaths;
import io.barmand.history.Facts;
import io.barmand.history.RunFigures;
import io.barmand.job.JobService;
import io.barmand.job.RunContext;
import io.barmand.job.RunOptions;
import io.barmand.history.Sizes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The {@code offsite} job of one server: (1) the bucket made consistent (a copy cut short is cleaned up, orphaned
 * multipart uploads aborted); (2) new WAL copied; (3) the newest DONE backup (or the one asked for) copied unless
 * its manifest is there; (4) WAL copied again (the backup's last WAL), gaps and lag reported. Runs after each
 * successful backup, on its own schedule and on {@code barmand run-now offsite SERVER [BACKUP_ID]}.
 */
public class OffsiteService implements JobService {
    private final Map<String, OffsiteSettings> offsite;
    private final BarmanSource barman;
    private final Function<OffsiteSettings, S3Store> stores;
    private final String version;
    private final Clock clock;

    private final Map<String, RetentionPolicy> lockPolicies;

    public OffsiteService(Map<String, OffsiteSettings> offsite, BarmanSource barman,
                          Function<OffsiteSettings, S3Store> stores, String version, Clock clock) {
        this(offsite, barman, stores, version, clock, Map.of());
    }

    /** @param lockPolicies the S3 retention policy of each server, which sets its Object Locks (offsite.object-lock) */
    public OffsiteService(Map<String, OffsiteSettings> offsite, BarmanSource barman,
                          Function<OffsiteSettings, S3Store> stores, String version, Clock clock,
                          Map<String, RetentionPolicy> lockPolicies) {
        this.lockPolicies = Map.copyOf(lockPolicies);
        this.offsite = offsite;
        this.barman = barman;
        this.stores = stores;
        this.version = version;
        this.clock = clock;
    }

    @Override
    public JobKind kind() {
        return JobKind.OFFSITE;
    }

    /** The one option: a backup id to copy instead of the newest backup. */
    @Override
    public void check(RunOptions options) {
        if (options.target().isPresent()) {
            throw new BarmandException(Category.USAGE, "--target is for run-now restore-test only, not offsite");
        }
        if (options.source().isPresent()) {
            throw new BarmandException(Category.USAGE, "--from is for run-now restore-test only, not offsite");
        }
        options.backupId().ifPresent(id -> {
            if (!Names.isBackupId(id)) {
                throw new BarmandException(Category.USAGE, "'" + id + "' is not a Barman backup id (like 20261124T010203)");
            }
        });
    }

    /** Servers whose last copy was cut short (daemon killed): the daemon redoes them right after start. */
    public List<String> unfinished() {
        return offsite.entrySet().stream().filter(e -> e.getValue().enabled() && BackupCopier.unfinished(e.getValue(), e.getKey()))
                .map(Map.Entry::getKey).sorted().toList();
    }

    public boolean enabled(String server) {
        OffsiteSettings s = offsite.get(server);
        return s != null && s.enabled();
    }

    @Override
    public Result execute(RunContext ctx) {
        String server = ctx.server();
        check(ctx.options());
        OffsiteSettings s = offsite.get(server);
        String req = ctx.options().backupId().orElse(null);
        if (s == null || !s.enabled()) {
            return Result.failed(RunFigures.error("offsite copies are not enabled for " + server + " (offsite.enabled = false)"));
        }
        ServerPaths p = barman.paths(server);
        try (S3Store store = stores.apply(s)) {
            store.probe();
            // Object Lock asked of a bucket without it: refused before anything is written
            store.lockProblem().ifPresent(why -> {
                throw new BarmandException(Category.CONFIG, why);
            });
            Optional<RetentionPolicy> lockPolicy = Optional.ofNullable(lockPolicies.get(server));
            BackupCopier bc = new BackupCopier(store, version, clock, lockPolicy);
            WalCopier wc = new WalCopier(store, lockPolicy, clock);
            BackupCopier.Recovery rec = bc.recover(server);
            int aborted = rec.aborted();
            String id = req != null ? req : barman.newestDone(server).orElse(null);
            io.barmand.log.LogFields.backupId(id);
            // a copy cut short is redone first (when Barman still has that backup), then the one asked for
            String redo = rec.interruptedBackup() != null && !rec.interruptedBackup().equals(id)
                    && Files.isDirectory(p.basebackups().resolve(rec.interruptedBackup())) ? rec.interruptedBackup() : null;
            long seg = 16L << 20;
            // the WAL the bucket's copies need, and the copies about to be made (their begin WALs)
            List<String> begins = new ArrayList<>();
            for (String b : java.util.Arrays.asList(redo, id)) {
                if (b != null) {
                    begins.add(beginWal(p.basebackups().resolve(b)));
                }
            }
            WalCopier.Need need = s.walEnabled() ? wc.need(server, begins) : WalCopier.Need.ALL;
            WalCopier.WalState before = s.walEnabled() ? wc.copy(server, p.wals(), seg, need) : null;
            BackupCopier.Copied c = null;
            BackupCopier.Copied redone = null;
            if (redo != null) {
                redone = bc.copy(server, p.basebackups().resolve(redo), redo);
            }
            if (id != null) {
                Path dir = p.basebackups().resolve(id);
                if (!Files.isDirectory(dir)) {
                    return Result.failed(new RunFigures(id, null, null, List.of(), "backup " + id + " not found in "
                            + p.basebackups(), null));
                }
                c = bc.copy(server, dir, id);
                seg = c.manifest().segmentSize();
            }
            WalCopier.WalState w = s.walEnabled() ? wc.copy(server, p.wals(), seg, need).after(before) : null;
            List<String> problems = new ArrayList<>();
            if (w != null && !w.gaps().isEmpty()) {
                problems.add("WAL gaps in S3: " + String.join(", ", w.gaps()));
            }
            if (w != null && c != null && c.manifest().endWal() != null && w.newestInS3() != null
                    && w.newestInS3().compareTo(c.manifest().endWal()) < 0) {
                problems.add("the backup's last WAL " + c.manifest().endWal() + " is not in S3");
            }
            String detail = (redone != null ? "cut-short copy of " + redo + " redone; " : "") + detail(c, w, aborted, s);
            Long size = c == null ? null : c.manifest().originalBytes();
            Long rate = c == null || c.alreadyThere() || c.millis() == 0 ? null : c.manifest().originalBytes() * 1000 / c.millis();
            RunFigures f = new RunFigures(id, size, rate, List.of(), problems.isEmpty() ? null : String.join("; ", problems), detail,
                    facts(c, w, aborted, redone));
            return problems.isEmpty() ? Result.ok(f) : Result.failed(f);
        }
    }

    /** A backup's begin WAL from Barman's backup.info in its folder; null when it does not read. */
    static String beginWal(Path backupDir) {
        try {
            return io.barmand.barman.BackupInfo.read(backupDir.resolve("backup.info")).beginWal();
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The run's facts: the copied backup (already in S3 or copied: bytes read and stored, parts, seconds), the WAL
     * (segments and bytes copied, newest in S3 and in Barman's archive, missing, gaps), the cleanup.
     */
    static Facts facts(BackupCopier.Copied c, WalCopier.WalState w, int aborted, BackupCopier.Copied redone) {
        Facts.Builder b = Facts.builder();
        if (c != null) {
            b.text(FactNames.BACKUP, c.backupId()).text(FactNames.BACKUP_COPY, c.alreadyThere() ? "already-in-s3" : "copied");
            if (!c.alreadyThere()) {
                Manifest m = c.manifest();
                b.bytes(FactNames.BACKUP_BYTES, m.originalBytes()).bytes(FactNames.STORED_BYTES, m.storedBytes())
                        .count(FactNames.PARTS, m.objects().get(0).parts()).seconds(FactNames.COPY, c.millis() / 1000.0)
                        .text(FactNames.CODEC, m.codec() + "-" + m.level());
            }
        }
        if (redone != null) {
            b.text(FactNames.REDONE, redone.backupId());
        }
        if (w != null) {
            b.count(FactNames.WAL_COPIED, w.copied()).bytes(FactNames.WAL_COPIED_BYTES, w.copiedBytes()).text(FactNames.WAL_NEWEST_S3, w.newestInS3())
                    .text(FactNames.WAL_NEWEST_ARCHIVE, w.newestInArchive()).count(FactNames.WAL_MISSING_IN_S3, w.missingInS3())
                    .count(FactNames.WAL_GAPS, w.gaps().size());
            if (w.newestInS3At() != null) {
                b.instant(FactNames.WAL_NEWEST_S3_AT, w.newestInS3At());
            }
            if (w.newestInArchiveAt() != null) {
                b.instant(FactNames.WAL_NEWEST_ARCHIVE_AT, w.newestInArchiveAt());
            }
        }
        if (aborted > 0) {
            b.count(FactNames.ABORTED_UPLOADS, aborted);
        }
        return b.build();
    }

    static String detail(BackupCopier.Copied c, WalCopier.WalState w, int aborted, OffsiteSettings s) {
        List<String> parts = new ArrayList<>();
        if (c == null) {
            parts.add("no DONE backup to copy");
        } else if (c.alreadyThere()) {
            parts.add("backup " + c.backupId() + " already in S3");
        } else {
            Manifest m = c.manifest();
            parts.add(String.format(Locale.ROOT, "backup %s copied: %s as %s %s-%d in %d part(s), %.1fs", c.backupId(),
                    Sizes.human(m.originalBytes()), Sizes.human(m.storedBytes()), m.codec(), m.level(),
                    m.objects().get(0).parts(), c.millis() / 1000.0));
        }
        if (w != null) {
            parts.add(w.describe());
        } else {
            parts.add("WAL copy off");
        }
        if (aborted > 0) {
            parts.add(aborted + " unfinished multipart upload(s) aborted");
        }
        return String.join("; ", parts);
    }
}
