package io.barmand.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/** sd_notify over a real AF_UNIX datagram socket, as systemd binds it: a path, or a name in the abstract namespace. */
class SystemdNotifyTest {
    @TempDir
    Path tmp;

    static String receive(AFUNIXDatagramSocket s) throws Exception {
        byte[] buf = new byte[4096];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        s.receive(p);
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
    }

    @Test
    void messagesReachASocketAtAPath() throws Exception {
        Path path = tmp.resolve("notify");
        try (AFUNIXDatagramSocket systemd = AFUNIXDatagramSocket.newInstance();
             SystemdNotify sd = new SystemdNotify(Optional.of(path.toString()))) {
            systemd.bind(AFUNIXSocketAddress.of(path));
            systemd.setSoTimeout(5000);
            assertThat(sd.enabled()).isTrue();
            sd.ready("idle; next: backup pg1 at 2026-12-02T02:00:00Z");
            assertThat(receive(systemd)).isEqualTo("READY=1\nSTATUS=idle; next: backup pg1 at 2026-12-02T02:00:00Z");
            sd.status("backup pg1 running\nsince 02:00");
            assertThat(receive(systemd)).isEqualTo("STATUS=backup pg1 running since 02:00");
            sd.status("backup pg1 running since 02:00"); // unchanged: not sent again
            sd.extendTimeout(Duration.ofSeconds(60));
            assertThat(receive(systemd)).isEqualTo("EXTEND_TIMEOUT_USEC=60000000");
            sd.reloading();
            assertThat(receive(systemd)).matches("RELOADING=1\nMONOTONIC_USEC=\\d+\nSTATUS=reloading the configuration");
        }
    }

    @Test
    void anAbstractSocketNamedWithAnAtSign() throws Exception {
        String name = "barmand-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (AFUNIXDatagramSocket systemd = AFUNIXDatagramSocket.newInstance();
             SystemdNotify sd = new SystemdNotify(Optional.of("@" + name))) {
            systemd.bind(AFUNIXSocketAddress.inAbstractNamespace(name));
            systemd.setSoTimeout(5000);
            sd.stopping("stopping");
            assertThat(receive(systemd)).isEqualTo("STOPPING=1\nSTATUS=stopping");
        }
    }

    @Test
    void withoutNotifySocketNothingIsSentAndNothingFails() {
        try (SystemdNotify sd = new SystemdNotify(Optional.empty())) {
            assertThat(sd.enabled()).isFalse();
            sd.ready("x");
            sd.stopping("x");
        }
        // a socket nobody listens on: logged once, never thrown
        try (SystemdNotify sd = new SystemdNotify(Optional.of(tmp.resolve("nobody").toString()))) {
            sd.ready("x");
            sd.ready("y");
        }
    }
}
