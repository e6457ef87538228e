package io.barmand.restore;

import io.barmand.job.RunContext;
import io.barmand.job.RunOptions;
import io.barmand.barman.BarmanClient;
import io.barmand.barman.RecoverRequest;
import io.barmand.bucket.BackupFetch;
import io.barmand.barman.BackupInfo;
import io.barmand.bucket.Layout;
import io.barmand.bucket.Manifest;
import io.barmand.bucket.S3Download;
import io.barmand.bucket.S3Store;
import io.barmand.config.OffsiteSettings;
import io.barmand.config.RestoreSettings;
import io.barmand.config.Settings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.history.Sizes;
import io.barmand.process.CommandResult;
import io.barmand.process.CommandRunner;
import io.barmand.vocabulary.RestoreSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

import static io.barmand.restore.Steps.lastLines;

/**
 * {@code barmand restore}: a backup put into a fresh folder that {@code pg_ctl start} recovers, for disaster day.
 * From the offsite copy it needs nothing but the bucket and its credentials (no Barman, no catalogue): every object
 * and file checked against the manifest while it unpacks, the WAL the backup needs looked for, the WAL downloaded
 * into the folder or left in the bucket for {@code barmand wal-restore}, pg_verifybackup of the folder, then
 * restore_command, the target and recovery.signal. From Barman, {@code barman recover}. A refused folder is never
 * touched; a failed restore leaves its folder for inspection, marked {@value #INCOMPLETE} and without
 * recovery.signal.
 */
public final class DisasterRestore {
    /** Inside the restored folder: the WAL downloaded from S3 (restore_command reads it relative to the folder). */
    public static final String WAL_DIR = "barmand-wal";
    /** Inside the restored folder while the restore runs, and after it failed: why it is not usable. */
    public static final String INCOMPLETE = "BARMAND-RESTORE-INCOMPLETE";
    /** The launcher a restore_command names when the running one is unknown. */
    public static final String DEFAULT_LAUNCHER = "/usr/bin/barmand";
    /** barman recover may copy terabytes: bounded only so that a hung one ends some day. */
    static final Duration BARMAN_TIMEOUT = Duration.ofDays(3);

    /** Where the WAL is read during recovery: downloaded into the folder first, or fetched from S3 file by file. */
    public enum Wal {
        DOWNLOAD, FETCH;

        public static Optional<Wal> of(String s) {
            return switch (s) {
                case "download" -> Optional.of(DOWNLOAD);
                case "fetch" -> Optional.of(FETCH);
                default -> Optional.empty();
            };
        }
    }

    /**
     * @param pgBinDir  where pg_verifybackup (and the pg_ctl of the next steps) are; empty: the server's restore-test.pg-bin-dir
     * @param launcher  the barmand command a {@code --wal fetch} restore_command runs
     */
    public record Request(String server, Path dir, RestoreSource source, String backupId, RestoreSettings.Target target, Wal wal,
                          Optional<Path> pgBinDir, Path configFile, String launcher) {
    }

    /**
     * What the restore did. {@code bytes}: downloaded (or, from Barman, the backup's size); {@code walFiles}: WAL
     * files downloaded, or in the bucket for wal-restore; {@code checks}: what was verified, in words;
     * {@code configWritten}: config files barmand wrote because the backup had none.
     */
    public record Result(String server, Path dir, RestoreSource source, String backupId, long bytes, int walFiles, Wal wal,
                         List<String> checks, List<String> configWritten, Optional<Instant> targetTime, Path pgBinDir,
                         boolean root, Duration took, Path configFile, Optional<Path> credentialsFile) {
    }

    private final CommandRunner runner;
    /** Barman's client for the settings read (the wiring's) */
    private final Function<Settings, BarmanClient> barmen;
    private final Function<OffsiteSettings, S3Store> stores;
    private final Clock clock;
    private final PrintWriter out;
    private final boolean root;

    public DisasterRestore(CommandRunner runner, Function<Settings, BarmanClient> barmen,
                           Function<OffsiteSettings, S3Store> stores, Clock clock, PrintWriter out) {
        this.runner = runner;
        this.barmen = barmen;
        this.stores = stores;
        this.clock = clock;
        this.out = out;
        this.root = "root".equals(System.getProperty("user.name"));
    }

    /**
     * Refuses a folder that exists and is not an empty directory (exit 64, nothing touched): a restore goes into a
     * fresh folder, never over data.
     */
    public static void refuseUsed(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new BarmandException(Category.USAGE, dir + " exists and is not a directory: restore into a new or empty folder");
        }
        try (Stream<Path> s = Files.list(dir)) {
            if (s.findAny().isPresent()) {
                throw new BarmandException(Category.USAGE, dir + " is not empty: barmand restore writes only into a new or empty"
                        + " folder (it never overwrites data); choose another --to, or move the old files away yourself");
            }
        } catch (IOException e) {
            throw new BarmandException(Category.IO, "cannot read " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Runs the restore; a failure is a BarmandException whose message says that the folder is not usable. */
    public Result run(Settings s, Request r) {
        long t0 = System.nanoTime();
        Path dir = r.dir().toAbsolutePath().normalize();
        refuseUsed(dir);
        if (!s.servers().containsKey(r.server())) {
            throw new BarmandException(Category.USAGE, "unknown server '" + r.server() + "' (configured: "
                    + String.join(", ", s.servers().keySet()) + ")");
        }
        OffsiteSettings os = s.offsite().get(r.server());
        if (r.source() == RestoreSource.S3 && !os.enabled()) {
            throw new BarmandException(Category.CONFIG, s.file() + ": barmand.servers." + r.server()
                    + ".offsite.enabled: offsite copies are off for this server: there is no copy to restore from S3");
        }
        RestoreSettings rs = s.restore().get(r.server());
        Path pgBin = r.pgBinDir().orElse(rs.pgBinDir());
        Instant started = clock.instant();
        Optional<Instant> targetTime = r.target().timeAt(started);
        create(dir);
        note(dir, "barmand restore of " + r.server() + " started " + started + " (pid " + ProcessHandle.current().pid()
                + "): not finished. While this file is here the folder is NOT usable: do not start PostgreSQL on it.");
        try {
            List<String> checks = new ArrayList<>();
            Result res = r.source() == RestoreSource.S3
                    ? fromS3(r, os, dir, pgBin, targetTime, checks)
                    : fromBarman(s, r, rs, dir, pgBin, targetTime, checks);
            Files.deleteIfExists(dir.resolve(INCOMPLETE));
            return new Result(res.server(), dir, res.source(), res.backupId(), res.bytes(), res.walFiles(), res.wal(),
                    checks, res.configWritten(), targetTime, pgBin, root, Duration.ofNanos(System.nanoTime() - t0),
                    r.configFile().toAbsolutePath(), os.credentialsFile());
        } catch (BarmandException e) {
            throw notUsable(dir, e.category(), e.getMessage(), e);
        } catch (IOException e) {
            throw notUsable(dir, Category.IO, "cannot write into " + dir + ": " + e.getMessage(), e);
        }
    }

    private BarmandException notUsable(Path dir, Category c, String why, Exception cause) {
        String msg = why + "\n" + dir + " is NOT usable: do not start PostgreSQL on it. Left as it is for inspection ("
                + INCOMPLETE + " says why); remove it before trying again.";
        note(dir, "FAILED: " + why + "\nThis folder is NOT usable: do not start PostgreSQL on it.");
        out.flush();
        return new BarmandException(c, msg, cause);
    }

    private static void note(Path dir, String text) {
        try {
            Files.writeString(dir.resolve(INCOMPLETE), text + "\n");
        } catch (IOException e) {
            // the message on stderr says it too
        }
    }

    private void create(Path dir) {
        try {
            if (!Files.exists(dir)) {
                Files.createDirectories(dir.getParent());
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            }
        } catch (IOException e) {
            throw new BarmandException(Category.IO, "cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    // ---- from the offsite copy ----

    private Result fromS3(Request r, OffsiteSettings os, Path dir, Path pgBin, Optional<Instant> targetTime,
                          List<String> checks) throws IOException {
        String server = r.server();
        boolean download = r.wal() == Wal.DOWNLOAD;
        Layout layout = new Layout(os.prefix());
        String where = "s3://" + os.bucket() + "/" + layout.base(server);
        BackupFetch.Fetched f;
        Manifest m;
        try (S3Store store = stores.apply(os)) {
            S3Download dl = new S3Download(store);
            boolean latest = r.backupId().equals("latest");
            Optional<Manifest> om = dl.pick(server, r.backupId(), latest ? targetTime : Optional.empty());
            if (om.isEmpty()) {
                throw new BarmandException(Category.JOB_FAILED, latest
                        ? "no copy of " + server + " with a manifest.json" + targetTime.map(t -> " ended before " + t).orElse("") + " in " + where
                        : "backup " + r.backupId() + " has no manifest.json in " + where + " (the copy is incomplete or absent)");
            }
            m = om.get();
            BackupInfo info = BackupInfo.parse(m.backupInfo() == null ? "" : m.backupInfo());
            out.println("backup " + m.backupId() + " of " + server + " from " + where + m.backupId() + "/: ended "
                    + Optional.ofNullable(info.endTime()).orElse("(unknown)") + ", " + m.files().size() + " files, "
                    + Sizes.human(m.originalBytes()) + " (stored as " + Sizes.human(m.storedBytes()) + ", " + m.codec()
                    + (m.encrypted() ? ", encrypted (" + m.encryption().format() + ")" : "") + "), WAL " + m.beginWal() + ".." + m.endWal());
            int walCount = dl.walObjects(server, m).size();
            long need = m.originalBytes() + (download ? walCount * m.segmentSize() : 0);
            long free = Files.getFileStore(dir).getUsableSpace();
            if (free < need) {
                throw new BarmandException(Category.IO, String.format(Locale.ROOT, "not enough free disk for %s: %s free, %s needed (the backup"
                        + "%s)%s", dir, Sizes.human(free), Sizes.human(need), download ? " and " + walCount + " WAL file(s)" : "",
                        download ? "; --wal fetch leaves the WAL in the bucket" : ""));
            }
            out.println("downloading into " + dir + ", every object and file checked against the manifest as it unpacks");
            out.flush();
            f = new BackupFetch(store).fetch(server, m, dir, download ? dir.resolve(WAL_DIR) : null, () -> { },
                    (key, bytes, problem) -> {
                        out.println("  " + key + ": " + Sizes.human(bytes) + (problem == null ? ", SHA-256 as in the manifest" : ": " + problem));
                        out.flush();
                    });
        }
        if (!f.ok()) {
            List<String> p = f.problems();
            throw new BarmandException(Category.JOB_FAILED, "the copy in S3 did not check (" + p.size() + " problem(s)):\n  "
                    + String.join("\n  ", p.subList(0, Math.min(10, p.size()))) + (p.size() > 10 ? "\n  ..." : ""));
        }
        checks.add("SHA-256 of " + m.objects().size() + " object(s) and of " + m.files().size() + " file(s) against the manifest");
        String range = f.walFiles() == 0 ? "" : " from " + m.beginWal() + " to " + f.newestWal();
        if (download) {
            out.println("WAL: " + f.walFiles() + " file(s)" + range + ", " + Sizes.human(f.walBytes()) + " downloaded into "
                    + WAL_DIR + "/, each checked against its SHA-256");
            checks.add("SHA-256 of " + f.walFiles() + " WAL file(s)");
        } else {
            out.println("WAL: " + f.walFiles() + " file(s) in the bucket" + range + ", left there: barmand wal-restore fetches"
                    + " and checks each one as PostgreSQL asks for it");
        }
        if (!m.neededWal().isEmpty()) {
            checks.add("the backup's own WAL " + m.neededWal().get(0) + ".." + m.neededWal().get(m.neededWal().size() - 1) + " in the bucket");
        }
        for (String g : f.gaps()) {
            out.println("WARNING: WAL missing from the bucket: " + g + ": recovery stops before it (a later target cannot be reached)");
        }
        verify(dir, pgBin, m.backupId(), checks);
        List<String> written = RecoverySettings.missingConfigFiles(dir);
        String restoreCommand = download
                ? "cp " + RecoverySettings.shellWord(WAL_DIR + "/%f") + " \"%p\""
                : walRestoreCommand(r.launcher(), r.configFile(), server);
        List<String> extra = download ? List.of("recovery_end_command = " + RecoverySettings.literal("rm -rf " + WAL_DIR)) : List.of();
        RecoverySettings.write(dir, RecoverySettings.lines("barmand restore " + server + " " + m.backupId() + " from "
                + where + " at " + clock.instant(), restoreCommand, extra, r.target(), targetTime));
        out.println("recovery: restore_command = " + RecoverySettings.literal(restoreCommand) + recoveryWords(r.target(), targetTime)
                + (download ? ", recovery_end_command removes " + WAL_DIR + "/" : "") + "; recovery.signal");
        return new Result(server, dir, RestoreSource.S3, m.backupId(), f.downloadedBytes(), f.walFiles(), r.wal(), checks, written,
                targetTime, pgBin, root, Duration.ZERO, r.configFile(), os.credentialsFile());
    }

    /** restore_command for {@code --wal fetch}: barmand wal-restore, PostgreSQL's recovery stopped on its errors. */
    static String walRestoreCommand(String launcher, Path config, String server) {
        return RecoverySettings.shellWord(launcher) + " wal-restore --config " + RecoverySettings.shellWord(config.toAbsolutePath().toString())
                + " --fatal-errors " + RecoverySettings.shellWord(server) + " %f \"%p\"";
    }

    private static String recoveryWords(RestoreSettings.Target target, Optional<Instant> targetTime) {
        if (!target.pointInTime()) {
            return ", target: the end of the WAL, then promote";
        }
        return targetTime.map(t -> ", recovery_target_time " + t).orElseGet(() -> ", recovery_target_lsn " + target.lsn().orElseThrow())
                + " then promote";
    }

    // ---- from Barman ----

    private Result fromBarman(Settings s, Request r, RestoreSettings rs, Path dir, Path pgBin, Optional<Instant> targetTime,
                              List<String> checks) throws IOException {
        String server = r.server();
        BarmanClient barman = barmen.apply(s);
        Report rep = new Report();
        RunContext ctx = new RunContext(server, null, RunOptions.NONE, 0, clock, clock.instant().plus(BARMAN_TIMEOUT));
        BackupSource.Pick pick = new FromBarman(barman).lookup(server, rs.forRun(r.backupId(), r.target()), targetTime, rep,
                BARMAN_TIMEOUT, ctx);
        if (pick == null) {
            throw new BarmandException(Category.JOB_FAILED, rep.error == null ? "no backup" : rep.error.replaceFirst("^backup: ", ""));
        }
        String id = pick.backupId();
        out.println("backup " + id + " of " + server + " from Barman: " + (pick.sizeBytes() == null ? "" : Sizes.human(pick.sizeBytes())
                + ", ") + Sizes.human(pick.neededBytes()) + " with its WAL");
        if (root) {
            // barman, started as root, drops to its barman_user (Barman's default: barman) and writes as that user
            chown(dir, "barman");
        }
        RecoverRequest req = FromBarman.request(server, id, dir, r.target(), targetTime);
        out.println(req.shown());
        out.flush();
        CommandResult rec = barman.recover(req, BARMAN_TIMEOUT);
        for (String l : rec.stdout().strip().split("\n")) {
            if (!l.isBlank()) {
                out.println("  barman: " + l);
            }
        }
        if (!rec.ok()) {
            throw new BarmandException(Category.JOB_FAILED, "barman recover exit code " + rec.exitCode() + ": "
                    + lastLines(rec.stderrTail() + "\n" + rec.stdout(), 3));
        }
        // barman recover's copy removes what the backup does not have, the note among them: it is written again
        note(dir, "barmand restore of " + server + ": barman recover done, checks running: not finished. While this file is"
                + " here the folder is NOT usable: do not start PostgreSQL on it.");
        checks.add("barman recover");
        verify(dir, pgBin, id, checks);
        List<String> written = RecoverySettings.missingConfigFiles(dir);
        return new Result(server, dir, RestoreSource.BARMAN, id, pick.sizeBytes() == null ? 0 : pick.sizeBytes(), 0, r.wal(), checks,
                written, targetTime, pgBin, root, Duration.ZERO, r.configFile(), Optional.empty());
    }

    private static void chown(Path dir, String user) {
        try {
            UserPrincipal u = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user);
            Files.setOwner(dir, u);
        } catch (IOException e) {
            // no such user: barman then runs as root and writes as root
        }
    }

    // ---- pg_verifybackup ----

    /** pg_verifybackup of the folder against the backup's backup_manifest, when both are there; a mismatch fails. */
    private void verify(Path dir, Path pgBin, String backupId, List<String> checks) {
        Path tool = pgBin.resolve("pg_verifybackup");
        Path manifest = Stream.of("backup_manifest", "backup_manifest." + backupId).map(dir::resolve).filter(Files::isRegularFile)
                .findFirst().orElse(null);
        if (manifest == null) {
            out.println("pg_verifybackup: not run, the backup has no backup_manifest (rsync backups, PostgreSQL before 13)");
            return;
        }
        if (!Files.isExecutable(tool)) {
            out.println("pg_verifybackup: not run, " + tool + " is missing (--pg-bin-dir; package postgresql-"
                    + pgVersion(dir).orElse("VERSION") + ")");
            return;
        }
        long v0 = System.nanoTime();
        CommandResult v = runner.run(Verifier.verifyArgv(pgBin, manifest, dir, backupId, List.of(WAL_DIR, INCOMPLETE)),
                Duration.ofHours(12));
        if (!v.ok()) {
            throw new BarmandException(Category.JOB_FAILED, "pg_verifybackup: the restored files differ from the backup's "
                    + "backup_manifest: " + Verifier.verifyFindings(v));
        }
        out.println(String.format(Locale.ROOT, "pg_verifybackup: every file as in %s (%.1f s)", manifest.getFileName(),
                (System.nanoTime() - v0) / 1e9));
        checks.add("pg_verifybackup against " + manifest.getFileName());
    }

    static Optional<String> pgVersion(Path dir) {
        try {
            return Optional.of(Files.readString(dir.resolve("PG_VERSION")).strip());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
