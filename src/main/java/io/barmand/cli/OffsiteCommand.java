package io.barmand.cli;

import io.barmand.config.Names;
import io.barmand.config.Settings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.config.OffsiteSettings;
import io.barmand.offsite.OffsiteVerifier;
import io.barmand.bucket.S3Store;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code barmand offsite verify SERVER [BACKUP_ID] [--download]}: checks the copies in the bucket. */
@Command(name = "offsite", description = "Offsite copies in S3.", subcommands = {OffsiteCommand.Verify.class, OffsiteCommand.Keygen.class})
final class OffsiteCommand implements Runnable {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (verify, keygen)");
    }

    @Command(name = "verify", description = "Check a backup's copy against its manifest (every object present with its "
            + "size; with --download read back and hashed, every file compared) and the WAL in S3 (the backup's WAL "
            + "present, no gap). Reads the bucket directly, not through the daemon. Exit 0 verified, 1 mismatch "
            + "(the objects are named).")
    static final class Verify implements Callable<Integer> {
        @ParentCommand
        OffsiteCommand parent;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "SERVER", description = "a server of the configuration")
        String server;

        @Parameters(index = "1", arity = "0..1", paramLabel = "BACKUP_ID",
                description = "the backup (default: the newest with a manifest in the bucket)")
        String backupId;

        @Option(names = "--download", description = "download every object and compare SHA-256 (data, files, WAL)")
        boolean download;

        @Override
        public Integer call() {
            Names.server(server);
            if (backupId != null && !Names.isBackupId(backupId)) {
                throw new BarmandException(Category.USAGE, "'" + backupId + "' is not a Barman backup id (like 20261124T010203)");
            }
            Settings s = Settings.load(parent.main.configFile(), null);
            Map<String, OffsiteSettings> all = s.offsite();
            OffsiteSettings os = all.get(server);
            if (os == null) {
                throw new BarmandException(Category.USAGE, "unknown server '" + server + "' (configured: "
                        + String.join(", ", s.servers().keySet()) + ")");
            }
            if (!os.enabled()) {
                throw new BarmandException(Category.CONFIG, s.file() + ": barmand.servers." + server
                        + ".offsite.enabled: offsite copies are off for this server");
            }
            PrintWriter out = spec.commandLine().getOut();
            try (S3Store store = new S3Store(os)) {
                out.println("bucket s3://" + os.bucket() + "/" + os.prefix() + " at " + os.where() + ", " + store.credentials());
                OffsiteVerifier.Report r = new OffsiteVerifier(store).verify(server, Optional.ofNullable(backupId), download);
                r.lines().forEach(out::println);
                for (String p : r.problems()) {
                    out.println("PROBLEM: " + p);
                }
                out.println(r.ok() ? "verified: " + server + " " + r.backupId() + (download ? " (downloaded)" : "")
                        : "NOT verified: " + r.problems().size() + " problem(s)");
                out.flush();
                return r.ok() ? 0 : Category.JOB_FAILED.exitCode();
            }
        }
    }

    @Command(name = "keygen", description = "Make an age identity for offsite.encryption: writes FILE (0600, refused "
            + "when it exists) in age-keygen's format and prints its recipient (age1...) for offsite.encryption.recipients. "
            + "Keep FILE off the backup host where you can (an admin's laptop, the host that restores).")
    static final class Keygen implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "the identity file to create")
        java.nio.file.Path file;

        @Override
        public Integer call() {
            io.barmand.config.AgeKeys.KeyPairText k = io.barmand.config.AgeKeys.generate();
            String text = "# created: " + java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                    + " by barmand offsite keygen\n# public key: " + k.recipient() + "\n" + k.identity() + "\n";
            try {
                java.nio.file.Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
                java.nio.file.Files.writeString(file, text, java.nio.charset.StandardCharsets.US_ASCII);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                throw new BarmandException(Category.USAGE, file + " exists: not overwritten (an identity lost is every "
                        + "copy encrypted to it lost)");
            } catch (java.io.IOException e) {
                throw new BarmandException(Category.IO, file + ": cannot write the identity: " + e.getMessage(), e);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(k.recipient());
            out.flush();
            Main.report(spec.commandLine().getErr(), "identity written to " + file + " (0600); its recipient, "
                    + "above, goes in offsite.encryption.recipients");
            return 0;
        }
    }
}
