package io.barmand.cli;

import io.barmand.config.Names;
import io.barmand.bucket.Layout;
import io.barmand.bucket.S3Download;
import io.barmand.bucket.S3Store;
import io.barmand.config.OffsiteSettings;
import io.barmand.config.Settings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code barmand wal-restore SERVER WALNAME DESTPATH}: one WAL file from S3, as PostgreSQL's restore_command. */
@Command(name = "wal-restore", description = "Fetch one WAL file of the server's offsite copy from S3, for PostgreSQL's "
        + "restore_command (restore_command = 'barmand wal-restore --fatal-errors SERVER %%f \"%%p\"'): its SHA-256 "
        + "checked, decompressed, written to DESTPATH through a temporary file renamed when complete. Reads the bucket "
        + "directly (no daemon, no Barman). Prints nothing on stdout. Exit 0 written; 1 not in the bucket (PostgreSQL asks "
        + "for files that may not exist: one line on stderr); 64 usage, 69 bucket unavailable, 74 damaged object or write "
        + "failure, 78 configuration; with --fatal-errors 126 for all of these.")
final class WalRestoreCommand implements Callable<Integer> {
    /** What PostgreSQL asks for: segments, .history, .backup and .partial files. */
    static final Pattern WAL_NAME = Pattern.compile("[0-9A-F]{24}(\\.partial|\\.[0-9A-F]{8}\\.backup)?|[0-9A-F]{8}\\.history");
    /** Above 125: PostgreSQL stops the recovery (FATAL) instead of taking the failure for the end of the archive. */
    static final int FATAL = 126;

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SERVER", description = "a server of the configuration")
    String server;

    @Parameters(index = "1", paramLabel = "WALNAME", description = "the file PostgreSQL asks for (%%f)")
    String walName;

    @Parameters(index = "2", paramLabel = "DESTPATH", description = "where PostgreSQL wants it (%%p)")
    Path dest;

    @Option(names = "--fatal-errors", description = "exit " + FATAL + " on any error but a missing file, so that PostgreSQL "
            + "stops the recovery rather than end it early at a file it could not get (and promote without the WAL after it)")
    boolean fatalErrors;

    @Override
    public Integer call() {
        try {
            return fetch();
        } catch (BarmandException e) {
            if (!fatalErrors) {
                throw e;
            }
            Main.report(spec.commandLine().getErr(), "wal-restore " + walName + ": " + e.getMessage()
                    + " (exit " + FATAL + ": recovery stops)");
            return FATAL;
        }
    }

    private int fetch() {
        Names.server(server);
        if (!WAL_NAME.matcher(walName).matches()) {
            throw new BarmandException(Category.USAGE, "'" + walName + "' is not a WAL file name (a segment, .history, "
                    + ".backup or .partial file)");
        }
        Settings s = Settings.loadWithoutBarman(main.configFile());
        OffsiteSettings os = s.offsite().get(server);
        if (os == null) {
            throw new BarmandException(Category.USAGE, "unknown server '" + server + "' (configured: "
                    + String.join(", ", s.servers().keySet()) + ")");
        }
        if (!os.enabled()) {
            throw new BarmandException(Category.CONFIG, s.file() + ": barmand.servers." + server
                    + ".offsite.enabled: offsite copies are off for this server");
        }
        S3Download.WalFetch w;
        try (S3Store store = new S3Store(os)) {
            w = new S3Download(store).fetchWal(server, walName, dest.toAbsolutePath());
        }
        if (!w.found()) {
            Main.report(spec.commandLine().getErr(), "wal-restore: " + walName + " is not in s3://" + os.bucket() + "/"
                    + new Layout(os.prefix()).wals(server));
            return Category.JOB_FAILED.exitCode();
        }
        if (w.problem() != null) {
            throw new BarmandException(Category.IO, "wal-restore: " + w.problem());
        }
        return 0;
    }
}
