package io.barmand.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.barmand.config.Settings;
import io.barmand.control.ControlClient;
import io.barmand.control.ControlServer;
import io.barmand.error.BarmandException;
import io.barmand.history.RunJson;
import io.barmand.testing.FakeBarman;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's control socket under abuse from its group (issue 20, item 10): idle connections, a line without end,
 * an acceptor that cannot go on. Real daemon over a fake barman.
 */
class ControlSocketTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    @TempDir
    Path tmp;
    FakeBarman fake;
    Path conf;
    Path socket;
    Daemon daemon;
    final CompletableFuture<Integer> exited = new CompletableFuture<>();
    final List<SocketChannel> opened = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        fake = new FakeBarman(tmp.resolve("bin")).answer("list-servers", "list-servers.json", 0)
                .answer("check", "check-ok.json", 0).answer("switch-wal", "switch-wal.json", 0)
                .answer("backup", "backup.json", 0).answer("show-backup", "show-backup.json", 0);
        conf = tmp.resolve("barmand.conf");
        socket = tmp.resolve("c.sock");
        Files.writeString(conf, """
                barmand {
                  barman.binary = "%s"
                  state-dir = "%s"
                  control-socket = "%s"
                  metrics.listen = ""
                  defaults { check.schedule = off, switch-wal.schedule = off, verify.schedule = off, backup.schedule = off }
                  history.prune.schedule = off
                  report.schedule = off
                  servers { itpg {} }
                }
                """.formatted(fake.script(), tmp.resolve("state"), socket));
    }

    @AfterEach
    void tearDown() throws IOException {
        fake.release("backup");
        for (SocketChannel c : opened) {
            c.close();
        }
        if (daemon != null) {
            daemon.stop();
        }
    }

    void start(ControlServer.Options options) {
        daemon = new Daemon(Settings.load(conf, null), Clock.systemUTC(), () -> Settings.load(conf, null),
                new SystemdNotify(Optional.empty()), exited::complete);
        daemon.controlOptions = options;
        daemon.start();
    }

    SocketChannel open() throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        opened.add(c);
        c.connect(UnixDomainSocketAddress.of(socket));
        return c;
    }

    /** Whether the daemon has closed {@code c} (its refusal line, if any, read and dropped). */
    static boolean closedByDaemon(SocketChannel c) {
        try {
            c.configureBlocking(false);
            ByteBuffer b = ByteBuffer.allocate(4096);
            int n;
            while ((n = c.read(b)) > 0) {
                b.clear();
            }
            return n < 0;
        } catch (IOException e) {
            return true;
        }
    }

    JsonNode ask(String json) {
        return ControlClient.request(socket, (com.fasterxml.jackson.databind.node.ObjectNode) read(json), Duration.ofSeconds(20));
    }

    static JsonNode read(String json) {
        try {
            return RunJson.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void threeHundredIdleConnectionsDoNotStarveRunNowAndAreClosedAfterTheReadTimeout() throws Exception {
        start(ControlServer.Options.DEFAULT.withReadTimeout(Duration.ofSeconds(3)));
        List<SocketChannel> idle = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            idle.add(open());
        }
        long t0 = System.nanoTime();
        JsonNode r = ask("{\"op\":\"run-now\",\"job\":\"check\",\"server\":\"itpg\"}");
        assertThat(r.path("ok").asBoolean()).as(r.toString()).isTrue();
        assertThat(r.path("run").path("outcome").asText()).isEqualTo("success");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        // every idle one is closed: the oldest at once (64 may wait for their line), the others at the read timeout
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> idle.stream().allMatch(ControlSocketTest::closedByDaemon));
        assertThat(exited).isNotDone();
        assertThat(ask("{\"op\":\"ping\"}").path("ok").asBoolean()).isTrue();
    }

    @Test
    void aRunNowClientHearsKeepalivesWhileItsRunTakesLongerThanItsSilenceLimit() throws Exception {
        fake.sleep("check", 3);
        start(ControlServer.Options.DEFAULT.withKeepalive(Duration.ofMillis(300)));
        JsonNode r = ControlClient.request(socket, (com.fasterxml.jackson.databind.node.ObjectNode)
                read("{\"op\":\"run-now\",\"job\":\"check\",\"server\":\"itpg\"}"), Duration.ofSeconds(1));
        assertThat(r.path("run").path("outcome").asText()).as(r.toString()).isEqualTo("success");
    }

    @Test
    void aRunNowWhoseBackupEndsWhileTheDaemonStopsIsAnswered() throws Exception {
        start(ControlServer.Options.DEFAULT);
        fake.hold("backup");
        CompletableFuture<JsonNode> client = CompletableFuture.supplyAsync(() ->
                ask("{\"op\":\"run-now\",\"job\":\"backup\",\"server\":\"itpg\"}"));
        await().atMost(WAIT).until(() -> fake.holding("backup") == 1);
        CompletableFuture<Void> stop = CompletableFuture.runAsync(daemon::stop);
        await().atMost(WAIT).until(() -> daemon.stopRequested());
        fake.release("backup"); // the stop waits for it (stop-wait), then closes the socket
        stop.get(60, TimeUnit.SECONDS);
        JsonNode r = client.get(10, TimeUnit.SECONDS);
        assertThat(r.path("run").path("outcome").asText()).as(r.toString()).isEqualTo("success");
    }

    @Test
    void aClientSaysSoWhenTheDaemonAcceptsButNeverAnswers() throws Exception {
        // a socket that accepts and says nothing: the old deaf daemon
        try (var deaf = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            deaf.bind(UnixDomainSocketAddress.of(socket));
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> ControlClient.request(socket, RunJson.MAPPER.createObjectNode().put("op", "ping"),
                    Duration.ofSeconds(1)))
                    .isInstanceOf(BarmandException.class).hasMessageContaining("sent nothing for 1 s")
                    .hasMessageContaining("it may be hung");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void aLineOf300MiBWithoutNewlineIsRefusedAndTheDaemonLivesOn() throws Exception {
        start(ControlServer.Options.DEFAULT);
        SocketChannel c = open();
        long total = 300L << 20;
        CompletableFuture<Long> sent = CompletableFuture.supplyAsync(() -> {
            ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
            Arrays.fill(chunk.array(), (byte) 'x');
            long n = 0;
            try {
                while (n < total) {
                    chunk.clear();
                    while (chunk.hasRemaining()) {
                        n += c.write(chunk);
                    }
                }
            } catch (IOException e) {
                // the daemon closed the connection: what it refused is not read any further
            }
            return n;
        });
        long n = sent.get(60, TimeUnit.SECONDS);
        assertThat(n).as("bytes the daemon took before closing").isLessThan(16L << 20);
        ByteBuffer b = ByteBuffer.allocate(4096);
        c.configureBlocking(true);
        int got = c.read(b);
        if (got > 0) {
            assertThat(new String(b.array(), 0, got, StandardCharsets.UTF_8)).contains("request longer than 65536 bytes: refused");
        }
        assertThat(ask("{\"op\":\"ping\"}").path("ok").asBoolean()).isTrue();
        assertThat(exited).isNotDone();
    }

    @Test
    void anAcceptorThatCannotServeEndsTheDaemonForSystemdToRestartIt() throws Exception {
        // the host's task limit reached: no thread can be made to serve a request
        AtomicInteger tried = new AtomicInteger();
        start(ControlServer.Options.DEFAULT.withThreads(r -> {
            tried.incrementAndGet();
            throw new OutOfMemoryError("unable to create native thread: possibly out of memory or process/resource limits reached");
        }));
        SocketChannel c = open();
        c.write(ByteBuffer.wrap("{\"op\":\"ping\"}\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(exited.get(20, TimeUnit.SECONDS)).isEqualTo(70);
        assertThat(tried.get()).isEqualTo(1);
    }
}
