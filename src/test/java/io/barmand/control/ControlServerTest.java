package io.barmand.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.history.RunJson;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What lies at the control-socket path at start (issue 20, item 12). */
class ControlServerTest {
    @TempDir
    Path tmp;

    @Test
    void aRegularFileAtTheSocketPathIsRefusedNamingThePathAndKept() throws Exception {
        Path p = tmp.resolve("control.sock");
        Files.writeString(p, "an admin's notes\n");
        ControlServer s = new ControlServer(p, null);
        assertThatThrownBy(s::start).isInstanceOf(BarmandException.class)
                .hasMessageContaining(p + ": exists and is not a socket (a regular file)")
                .hasMessageContaining("barmand.control-socket")
                .satisfies(e -> assertThat(((BarmandException) e).category()).isEqualTo(Category.CONFIG));
        assertThat(Files.readString(p)).isEqualTo("an admin's notes\n");
    }

    @Test
    void aDirectoryOrALinkAtTheSocketPathIsRefusedToo() throws Exception {
        Path d = tmp.resolve("d.sock");
        Files.createDirectory(d);
        assertThatThrownBy(new ControlServer(d, null)::start).hasMessageContaining("(a directory)");
        Path l = tmp.resolve("l.sock");
        Files.createSymbolicLink(l, tmp.resolve("elsewhere"));
        assertThatThrownBy(new ControlServer(l, null)::start).hasMessageContaining("(a symbolic link)");
        assertThat(Files.isSymbolicLink(l)).isTrue();
    }

    @Test
    void aStaleSocketThatNobodyAnswersIsReplaced() throws Exception {
        Path p = tmp.resolve("control.sock");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(p)); // closed below without removing its file: a daemon that died
        }
        assertThat(p).exists();
        try (ControlServer s = new ControlServer(p, null)) {
            s.start();
            assertThat(ControlClient.request(p, RunJson.MAPPER.createObjectNode().put("op", "ping")).path("ok").asBoolean()).isTrue();
        }
    }

    @Test
    void aSocketThatAnswersIsAnotherDaemon() throws Exception {
        Path p = tmp.resolve("control.sock");
        try (ControlServer first = new ControlServer(p, null)) {
            first.start();
            assertThatThrownBy(new ControlServer(p, null)::start).hasMessageContaining("another barmand is running");
        }
    }
}
