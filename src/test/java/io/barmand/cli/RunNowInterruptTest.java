package io.barmand.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.barmand.config.JobKind;
import io.barmand.testing.FakeBarman;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C during run-now: a real `barmand run-now` process waiting on a socket that takes its request and answers
 * nothing (a daemon whose run goes on) gets SIGINT; it says the run goes on and how to follow it, and exits 130.
 */
class RunNowInterruptTest {
    @TempDir
    Path tmp;

    @Test
    void ctrlCSaysTheRunGoesOnInTheDaemonAndHowToFollowItThenExits130() throws Exception {
        FakeBarman fake = new FakeBarman(tmp.resolve("bin")).answer("list-servers", "list-servers.json", 0);
        Path sock = tmp.resolve("c.sock");
        Path conf = tmp.resolve("barmand.conf");
        Files.writeString(conf, """
                barmand {
                  barman.binary = "%s"
                  state-dir = "%s"
                  control-socket = "%s"
                  servers { itpg {} }
                }
                """.formatted(fake.script(), tmp.resolve("state"), sock));
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "run-now", "backup", "itpg", "--config", conf.toString())
                    .redirectOutput(tmp.resolve("out").toFile()).redirectError(tmp.resolve("err").toFile()).start();
            try (SocketChannel c = server.accept()) {
                // the request has come: the command now waits for the run's end
                ByteBuffer b = ByteBuffer.allocate(4096);
                StringBuilder line = new StringBuilder();
                while (line.indexOf("\n") < 0 && c.read(b) > 0) {
                    line.append(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8));
                    b.clear();
                }
                assertThat(line.toString()).contains("\"op\":\"run-now\"", "\"job\":\"backup\"", "\"server\":\"itpg\"");
                assertThat(new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor()).isZero();
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            } finally {
                p.destroyForcibly();
            }
            assertThat(p.exitValue()).isEqualTo(130);
            assertThat(Files.readString(tmp.resolve("err"))).contains("barmand: "
                    + RunNowCommand.leftWords(JobKind.BACKUP, "itpg"));
            assertThat(Files.readString(tmp.resolve("out"))).isEmpty();
        }
    }

    @Test
    void theWordsNameTheRunAndHowToFollowIt() {
        assertThat(RunNowCommand.leftWords(JobKind.OFFSITE, "pg1")).isEqualTo("stopped waiting; the offsite pg1 run goes on "
                + "in the daemon (it is not cancelled). Follow it with `barmand status` and `journalctl -u barmand -f`; once it "
                + "has ended: `barmand history --server pg1 --job offsite --limit 1`");
        assertThat(RunNowCommand.leftWords(JobKind.REPORT, "")).contains("the report run goes on")
                .endsWith("`barmand history --job report --limit 1`");
    }
}
