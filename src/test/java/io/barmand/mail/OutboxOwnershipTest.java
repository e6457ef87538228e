package io.barmand.mail;

import static org.assertj.core.api.Assertions.assertThat;

import io.barmand.config.MailSettings;
import io.barmand.config.MailSettings.Security;
import io.barmand.config.MailSettings.Transport;
import io.barmand.process.CommandRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A root command's mail never makes the outbox unusable for the daemon's user, and a mail is never sent twice
 * (issue 20, item 7). The transport is a sendmail script that counts its calls.
 */
class OutboxOwnershipTest {
    static final int NOBODY = 65534;
    @TempDir
    Path tmp;
    Path state;
    Path script;
    Path calls;
    Path down;
    final io.barmand.testing.MutableClock clock = new io.barmand.testing.MutableClock(Instant.parse("2026-12-07T10:00:00Z"));

    @BeforeEach
    void setUp() throws Exception {
        state = Files.createDirectory(tmp.resolve("state"));
        calls = tmp.resolve("calls");
        down = tmp.resolve("down");
        script = tmp.resolve("sendmail");
        Files.writeString(script, "#!/bin/sh\nif [ -e " + down + " ]; then echo 'sendmail: queue full' >&2; exit 75; fi\n"
                + "cat > /dev/null; echo sent >> " + calls + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    Outbox outbox() {
        MailSettings s = new MailSettings(List.of("dba@example.net"), "barmand@backup1.example.net", Optional.empty(),
                Transport.SENDMAIL, script, "", 25, Security.NONE, Optional.empty(), Optional.empty(), Duration.ofSeconds(10),
                Duration.ofSeconds(30), Duration.ofMinutes(5));
        return new Outbox(state, s, new Sender(s, new CommandRunner(Clock.systemUTC(), Duration.ofSeconds(1))), clock);
    }

    long sent() throws Exception {
        return Files.exists(calls) ? Files.readAllLines(calls).size() : 0;
    }

    static int uid(Path p) throws Exception {
        return (Integer) Files.getAttribute(p, "unix:uid");
    }

    @Test
    void asRootWhatTheOutboxCreatesBelongsToStateDirsOwnerAndARootOutboxIsGivenBack() throws Exception {
        Assumptions.assumeTrue(System.getProperty("user.name").equals("root"), "run as root");
        Files.setAttribute(state, "unix:uid", NOBODY);
        Files.setAttribute(state, "unix:gid", NOBODY);
        Files.createFile(down);
        Outbox.Delivery d = outbox().post(Letter.plain("report", "[barmand backup1] OK: 1 server", "fine"));
        assertThat(d.sent()).isFalse();
        Path outbox = state.resolve("outbox");
        assertThat(uid(outbox)).isEqualTo(NOBODY);
        try (Stream<Path> l = Files.list(outbox)) {
            assertThat(l.toList()).hasSize(2).allSatisfy(p -> assertThat(uid(p)).as(p.toString()).isEqualTo(NOBODY));
        }
        // an outbox an older version's root command left owned by root is given back at the next root command
        Files.setAttribute(outbox, "unix:uid", 0);
        Files.delete(down);
        clock.advance(Duration.ofMinutes(1));
        outbox().post(Letter.plain("report", "[barmand backup1] OK: 1 server", "fine"));
        assertThat(uid(outbox)).isEqualTo(NOBODY);
        assertThat(uid(outbox.resolve("sent"))).isEqualTo(NOBODY);
    }

    @Test
    void aSentMailWhoseRecordCannotMoveToSentIsNeverSentAgain() throws Exception {
        Files.createDirectories(state.resolve("outbox"));
        Files.writeString(state.resolve("outbox/sent"), "not a folder"); // sent/ cannot be made
        Outbox o = outbox();
        Outbox.Delivery d = o.post(Letter.plain("alert", "[barmand backup1] CRITICAL: pg1 backup", "failed"));
        assertThat(d.sent()).isTrue();
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofMinutes(10));
            assertThat(o.flush()).isZero();
            assertThat(outbox().flush()).as("a new daemon after a restart").isZero();
        }
        assertThat(sent()).isEqualTo(1);
        assertThat(o.pending()).isEmpty();
        assertThat(o.get(d.id()).orElseThrow().sent()).isTrue();
    }

    @Test
    void aMailWhoseAttemptCannotBeRecordedIsNotSentUntilItCanBe() throws Exception {
        Files.createFile(down);
        Outbox o = outbox();
        Outbox.Delivery d = o.post(Letter.plain("alert", "[barmand backup1] CRITICAL: pg1 backup", "failed"));
        Files.delete(down);
        Path blocker = state.resolve("outbox/" + d.id() + ".json.tmp");
        Files.createDirectory(blocker); // its record cannot be written (as a folder root cannot write into)
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofMinutes(10));
            assertThat(o.flush()).isZero();
        }
        assertThat(sent()).isZero();
        assertThat(o.pending()).extracting(Outbox.Delivery::id).containsExactly(d.id());
        Files.delete(blocker);
        clock.advance(Duration.ofMinutes(10));
        assertThat(o.flush()).isEqualTo(1);
        clock.advance(Duration.ofMinutes(10));
        assertThat(o.flush()).isZero();
        assertThat(sent()).isEqualTo(1);
    }

    @Test
    void aMailBeingPostedIsNotTakenByAnotherProcesssFlush() throws Exception {
        Files.createFile(down);
        Outbox cli = outbox();
        Outbox.Delivery d = cli.post(Letter.plain("report", "[barmand backup1] OK: 1 server", "fine"));
        Files.delete(down);
        // the daemon's flush right after: the mail's first retry is not due yet
        assertThat(outbox().flush()).isZero();
        clock.advance(Duration.ofSeconds(31));
        assertThat(outbox().flush()).isEqualTo(1);
        assertThat(sent()).isEqualTo(1);
        assertThat(d.id()).isNotEmpty();
    }
}
