package io.barmand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.barmand.it.Barmand.Cli;
import io.barmand.testing.FakeBarman;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A root command never breaks the mail of a daemon that runs as another user (issue 20, item 7): `sudo barmand report
 * --send` with SMTP down, then the daemon's own mails (the packaged daemon run as {@code nobody} with runuser, over a
 * stand-in barman) are stored, and sent exactly once when SMTP is back (GreenMail).
 */
class RootCliMailIT {
    static final int NOBODY = 65534;
    @TempDir
    Path dir;
    Path conf;
    Path log;
    int port;
    GreenMail smtp;
    Process daemon;

    @BeforeEach
    void setUp() throws Exception {
        assertThat(System.getProperty("user.name")).as("integration tests run as root").isEqualTo("root");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        FakeBarman fake = new FakeBarman(dir.resolve("bin")).answer("list-servers", "list-servers.json", 0)
                .answer("check", "check-ok.json", 0);
        for (String d : List.of("state", "run")) {
            giveToNobody(Files.createDirectory(dir.resolve(d)));
        }
        giveToNobody(dir.resolve("bin"));
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        conf = dir.resolve("barmand.conf");
        Files.writeString(conf, """
                barmand {
                  barman.binary = "%s"
                  state-dir = "%s"
                  control-socket = "%s"
                  metrics.listen = ""
                  report.host-name = "itbackup"
                  mail {
                    to = ["dba@example.net"]
                    from = "barmand@itbackup.example.net"
                    smtp { host = "127.0.0.1", port = %d, security = none }
                    retry { initial = 2s, max = 4s }
                  }
                  defaults { check.schedule = off, switch-wal.schedule = off, verify.schedule = off, backup.schedule = off }
                  history.prune.schedule = off
                  report.schedule = off
                  servers { itpg {} }
                }
                """.formatted(fake.script(), dir.resolve("state"), dir.resolve("run/control.sock"), port));
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-r--r--"));
        log = dir.resolve("barmand.log");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (daemon != null && daemon.isAlive()) {
            daemon.destroy();
            if (!daemon.waitFor(60, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
        }
        if (smtp != null) {
            smtp.stop();
        }
    }

    static void giveToNobody(Path p) throws IOException {
        Files.setAttribute(p, "unix:uid", NOBODY);
        Files.setAttribute(p, "unix:gid", NOBODY);
    }

    static int uid(Path p) {
        try {
            return (Integer) Files.getAttribute(p, "unix:uid");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The packaged daemon as user nobody, as systemd starts it as barman. */
    void startDaemonAsNobody() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", "nobody", "--", "/usr/bin/env", "--default-signal=HUP"));
        cmd.addAll(Barmand.java("run", "--config", conf.toString()));
        daemon = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> Files.readString(log).contains("barmand ready") || !daemon.isAlive());
        assertThat(daemon.isAlive()).as("daemon died at start:\n%s", Files.readString(log)).isTrue();
    }

    List<Path> emls() throws IOException {
        try (Stream<Path> l = Files.list(dir.resolve("state/outbox"))) {
            return l.filter(p -> p.toString().endsWith(".eml")).toList();
        }
    }

    @Test
    void aRootReportWithSmtpDownLeavesTheOutboxToTheDaemonWhoseMailsAreStoredAndSentOnce() throws Exception {
        startDaemonAsNobody();
        // sudo barmand report --send, SMTP down
        Cli root = Barmand.cli("report", "--send", "--config", conf.toString());
        assertThat(root.exit()).as(root.out() + root.err()).isEqualTo(69);
        assertThat(root.err()).contains("kept in " + dir.resolve("state/outbox"));
        Path outbox = dir.resolve("state/outbox");
        assertThat(uid(outbox)).as("the outbox a root command made").isEqualTo(NOBODY);
        try (Stream<Path> l = Files.list(outbox)) {
            assertThat(l.toList()).isNotEmpty().allSatisfy(p -> assertThat(uid(p)).as(p.toString()).isEqualTo(NOBODY));
        }
        // the daemon's own mail (user nobody): stored in that outbox
        Cli report = Barmand.cli("run-now", "report", "--config", conf.toString());
        assertThat(report.out() + report.err()).as(Files.readString(log)).contains("not sent")
                .contains("kept in " + outbox).doesNotContain("cannot store");
        assertThat(emls()).hasSize(2);
        // SMTP back: each is sent once, and stays sent
        smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> smtp.getReceivedMessages().length >= 2);
        await().atMost(Duration.ofSeconds(20)).until(() -> emls().isEmpty());
        // several flushes later (every 2-4 s): nothing sent again
        await().pollDelay(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(15)).until(() -> true);
        assertThat(smtp.getReceivedMessages()).as(Files.readString(log)).hasSize(2);
        try (Stream<Path> l = Files.list(outbox.resolve("sent"))) {
            assertThat(l.filter(p -> p.toString().endsWith(".json")).count()).isEqualTo(2);
        }
        assertThat(Files.readString(log)).doesNotContain("cannot store").doesNotContain("AccessDenied");
    }
}
