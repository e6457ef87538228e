package io.barmand.cli;

import io.barmand.barman.BarmanClient;
import io.barmand.config.ServerCatalog;
import io.barmand.config.Settings;
import io.barmand.daemon.Daemon;
import io.barmand.daemon.Signals;
import io.barmand.daemon.SystemdNotify;
import io.barmand.process.CommandRunner;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(name = "run", description = {"Run the service (blocks until SIGTERM).",
        "SIGHUP reads the configuration again (as `barmand reload`). SIGTERM stops: no new run, a running backup, "
                + "offsite copy or retention run waited for up to stop-wait, then what is left interrupted; a second "
                + "SIGTERM interrupts at once."})
final class RunCommand implements Callable<Integer> {
    /** {@link Main}, or {@link RunRoot} when the daemon starts. */
    @ParentCommand
    ConfigOption main;

    @Override
    public Integer call() throws Exception {
        // what the start needs after the file (SQLite's native library, Jackson, Quartz) loaded beside its reading;
        // a failure here is nobody's: the start meets it again where it is said
        Thread warm = new Thread(RunCommand::warmUp, "barmand-warm-up");
        warm.setDaemon(true);
        warm.start();
        Clock clock = Clock.systemUTC();
        ServerCatalog catalog = BarmanClient.catalog(new CommandRunner(clock, Duration.ofSeconds(5)));
        Settings s = Settings.load(main.configFile(), catalog);
        // from now on as barmand.log.output says (until here: auto)
        io.barmand.log.JournalAppender.output(s.logOutput());
        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RunCommand.class);
        log.info("logging to {}", io.barmand.log.JournalAppender.describe());
        // where each server's S3 credentials come from (file, environment or the SDK's default chain)
        s.offsite().forEach((name, os) -> {
            if (os.enabled()) {
                log.info("{}: offsite copies to s3://{}/{} at {}, {}", name, os.bucket(), os.prefix(), os.where(),
                        io.barmand.bucket.S3Credentials.choose(os));
            }
        });
        Daemon d = new Daemon(s, clock, () -> Settings.load(main.configFile(), catalog), SystemdNotify.fromEnvironment(),
                System::exit);
        Runtime.getRuntime().addShutdownHook(new Thread(d::stop, "barmand-shutdown"));
        Signals.install(d);
        d.start();
        d.awaitStop();
        return 0;
    }

    private static void warmUp() {
        try {
            org.sqlite.SQLiteJDBCLoader.initialize();
            new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"pg1\": {}}");
            Class.forName("org.quartz.impl.StdSchedulerFactory");
            Class.forName("org.quartz.impl.triggers.CronTriggerImpl");
        } catch (Exception | LinkageError e) {
            // met again, and said, where the start uses them
        }
    }
}
