package io.barmand.cli;

import io.barmand.wiring.Services;
import io.barmand.config.Names;
import io.barmand.bucket.S3Store;
import io.barmand.config.RestoreSettings;
import io.barmand.config.Settings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.process.CommandRunner;
import io.barmand.restore.DisasterRestore;
import io.barmand.restore.DisasterText;
import io.barmand.vocabulary.RestoreSource;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code barmand restore SERVER --to DIR}: a backup into a new folder for PostgreSQL to recover (disaster day). */
@Command(name = "restore", description = "Restore a backup into a new folder that PostgreSQL recovers when started "
        + "(disaster day). From the offsite copy (default) it needs only barmand, the bucket and its credentials: no "
        + "Barman, no catalogue. Every object and file is checked against the copy's manifest (SHA-256) while it "
        + "unpacks, the backup's own WAL looked for in the bucket, the folder checked by pg_verifybackup when it is "
        + "installed; then restore_command, the target and recovery.signal are written and the next steps printed. "
        + "Refuses a folder that is not empty. Exit 0 ready to start, 1 a check failed (the folder is left for "
        + "inspection, marked not usable), 64 usage (a folder not empty), 69 bucket or Barman unavailable, 74 I/O, "
        + "78 configuration.")
final class RestoreCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SERVER", description = "a server of the configuration")
    String server;

    @Option(names = "--to", required = true, paramLabel = "DIR", description = "the new data directory: created 0700; "
            + "it must not exist or be empty")
    Path to;

    @Option(names = "--from", paramLabel = "s3|barman", defaultValue = "s3", description = "s3 (default): the offsite copy, "
            + "downloaded and checked; barman: barman recover, which needs Barman and its catalogue on this host")
    String from;

    @Option(names = "--backup-id", paramLabel = "ID", defaultValue = "latest", description = "latest (default: the newest "
            + "copy, ended before a time target) or a Barman backup id")
    String backupId;

    @Option(names = "--target", paramLabel = "TARGET", defaultValue = "end-of-wal", description = "where recovery stops, "
            + "then promotes: end-of-wal (default), time:2026-11-24T01:00:00Z, ago:30m, lsn:0/3000060")
    String target;

    @Option(names = "--wal", paramLabel = "download|fetch", description = "from s3: download (default) the WAL from the "
            + "backup's begin on into DIR/" + DisasterRestore.WAL_DIR + ", each checked, so that the folder recovers alone; "
            + "fetch: leave it in the bucket, restore_command runs barmand wal-restore for each file")
    String wal;

    @Option(names = "--pg-bin-dir", paramLabel = "DIR", description = "PostgreSQL's binaries for pg_verifybackup and the "
            + "next steps (default: the server's restore-test.pg-bin-dir, /usr/lib/postgresql/15/bin)")
    Path pgBinDir;

    @Override
    public Integer call() {
        Names.server(server);
        Optional<RestoreSource> source = RestoreSource.of(from);
        if (source.isEmpty()) {
            throw new BarmandException(Category.USAGE, "--from must be s3 or barman, is '" + from + "'");
        }
        if (wal != null && source.get() != RestoreSource.S3) {
            throw new BarmandException(Category.USAGE, "--wal is for --from s3 (barman recover copies the WAL itself)");
        }
        Optional<DisasterRestore.Wal> walMode = DisasterRestore.Wal.of(wal == null ? "download" : wal);
        if (walMode.isEmpty()) {
            throw new BarmandException(Category.USAGE, "--wal must be download or fetch, is '" + wal + "'");
        }
        Optional<RestoreSettings.Target> t = RestoreSettings.parseTarget(target);
        if (t.isEmpty()) {
            throw new BarmandException(Category.USAGE, "--target must be " + RestoreSettings.TARGET_FORMS + ", is '" + target + "'");
        }
        if (!RestoreSettings.backupId(backupId)) {
            throw new BarmandException(Category.USAGE, "--backup-id must be latest or a Barman backup id (like 20261124T010203), is '"
                    + backupId + "'");
        }
        Path dir = to.toAbsolutePath().normalize();
        // before anything else: a used folder is refused untouched, whatever the configuration says
        DisasterRestore.refuseUsed(dir);
        Path conf = main.configFile();
        // from S3 nothing of Barman is needed: neither its binary nor its configuration is checked
        Settings s = source.get() == RestoreSource.S3 ? Settings.loadWithoutBarman(conf) : Settings.load(conf, null);
        PrintWriter out = spec.commandLine().getOut();
        CommandRunner runner = Services.commands(s, Clock.systemUTC());
        DisasterRestore.Result r = new DisasterRestore(runner, settings -> Services.barman(settings, runner), S3Store::new,
                Clock.systemUTC(), out).run(s,
                new DisasterRestore.Request(server, dir, source.get(), backupId, t.get(), walMode.get(),
                        Optional.ofNullable(pgBinDir), conf.toAbsolutePath(), launcher()));
        DisasterText.done(r).forEach(out::println);
        out.flush();
        return 0;
    }

    /** The barmand a restore_command runs: the launcher that started this one (it says so), else the package's. */
    static String launcher() {
        String l = System.getenv("BARMAND_LAUNCHER");
        if (l != null && !l.isBlank()) {
            Path p = Path.of(l).toAbsolutePath().normalize();
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return DisasterRestore.DEFAULT_LAUNCHER;
    }
}
