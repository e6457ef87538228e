package io.barmand.cli;

import io.barmand.config.Settings;
import io.barmand.daemon.Daemon;
import io.barmand.daemon.SystemdNotify;
import io.barmand.history.Outcome;
import io.barmand.history.RunFigures;
import io.barmand.history.RunStore;
import io.barmand.history.Trigger;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Walks the code paths of `status`, `history` and `wal-restore`, then a daemon's start and stop, on a throw-away
 * configuration and history, so that the package can record them in a class-data archive (postinst:
 * {@code -XX:ArchiveClassesAtExit}); the launcher starts the CLI from it, and the unit the daemon. Prints only the
 * daemon's log lines (postinst discards them); touches nothing outside its temporary folder.
 */
@Command(name = "warm-up", hidden = true, description = "internal: exercise the CLI for the class-data archive")
final class WarmUpCommand implements Callable<Integer> {
    @picocli.CommandLine.Option(names = "--native-dir", paramLabel = "DIR",
            description = "also copy SQLite's native library for this machine into DIR (the launcher loads it from there)")
    Path nativeDir;

    @Override
    public Integer call() throws IOException {
        if (nativeDir != null) {
            // the library sqlite-jdbc would otherwise unpack into /tmp at every start
            String res = "/org/sqlite/native/" + org.sqlite.util.OSInfo.getNativeLibFolderPathForCurrentOS() + "/libsqlitejdbc.so";
            try (var in = WarmUpCommand.class.getResourceAsStream(res)) {
                if (in != null) {
                    Files.createDirectories(nativeDir);
                    Path tmp = nativeDir.resolve("libsqlitejdbc.so.tmp");
                    Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    Files.move(tmp, nativeDir.resolve("libsqlitejdbc.so"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                }
            }
        }
        Path dir = Files.createTempDirectory("barmand-warm-up");
        try {
            Path conf = dir.resolve("barmand.conf");
            Files.writeString(conf, "barmand { barman.binary = \"/bin/true\", state-dir = \"" + dir.resolve("state")
                    + "\", control-socket = \"" + dir.resolve("c.sock") + "\", servers { s { timezone = \"Europe/Paris\","
                    + " backup.schedule = \"0 3 * * *\", restore-test.target = \"ago:30m\" }, t {} } }\n"); // crontab and Quartz
            Settings.load(conf, null);
            try (RunStore s = RunStore.open(dir.resolve("state"), true)) {
                for (String job : new String[] {"check", "switch-wal", "backup", "restore-test", "offsite"}) {
                    long id = s.start("s", job, Trigger.SCHEDULED, Instant.now());
                    s.finish(id, Outcome.SUCCESS, Instant.now(), 1, new RunFigures("20261124T010203", 1L, 1L,
                            java.util.List.of(), null, null, io.barmand.history.Facts.builder().seconds(io.barmand.history.FactNames.RTO, 1.0)
                            .bytes(io.barmand.history.FactNames.SIZE, 1L).build()));
                }
            }
            // wal-restore, which PostgreSQL starts once per WAL file: its settings, the S3 client and a request, to a
            // port of this host's loopback that nothing answers (connection refused, no retry)
            Path creds = dir.resolve("s3.credentials");
            Files.writeString(creds, "[default]\naws_access_key_id = warm-up\naws_secret_access_key = warm-up\n");
            Files.setPosixFilePermissions(creds, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            Path walConf = dir.resolve("wal.conf");
            Files.writeString(walConf, "barmand { barman.binary = \"/nonexistent\", state-dir = \"" + dir.resolve("state")
                    + "\", control-socket = \"" + dir.resolve("c.sock") + "\", servers { s { offsite { enabled = true,"
                    + " endpoint = \"http://127.0.0.1:9\", bucket = warm-up, credentials-file = \"" + creds + "\", retries.max = 0,"
                    + " request-timeout = 2s } } } }\n");
            for (String[] args : new String[][] {{"status", "--config", conf.toString()}, {"status", "--json", "--config",
                    conf.toString()}, {"history", "--config", conf.toString()}, {"history", "--json", "--config", conf.toString()},
                    {"wal-restore", "--config", walConf.toString(), "s", "000000010000000000000001", dir.resolve("wal").toString()}}) {
                CommandLine cl = Main.commandLine();
                cl.setOut(new PrintWriter(new StringWriter()));
                cl.setErr(new PrintWriter(new StringWriter()));
                cl.execute(args);
            }
            daemon(conf);
            return 0;
        } finally {
            try (Stream<Path> w = Files.walk(dir)) {
                w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * The daemon's start to ready, then its stop, on the throw-away configuration (Barman not asked: its binary is
     * /bin/true): the classes the unit's start loads (Quartz, the control socket, the services) join the archive.
     * A failure here is only logged: the archive then lacks some of them and the daemon starts a little slower.
     */
    private static void daemon(Path conf) {
        try {
            // the daemon's command line (`run` alone), parsed, not run
            RunRoot.commandLine().parseArgs("--config", conf.toString(), "run");
            Settings s = Settings.load(conf, null);
            Daemon d = new Daemon(s, Clock.systemUTC(), () -> s, SystemdNotify.none(), code -> { });
            try {
                d.start();
            } finally {
                d.stop();
            }
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(WarmUpCommand.class).warn("warm-up: the daemon's start: {}", e.toString());
        }
    }
}
