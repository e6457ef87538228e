package io.barmand.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.history.RunJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** The client side of the control socket (used by `barmand run-now`). */
public final class ControlClient {
    private ControlClient() {
    }

    public static boolean reachable(Path socket) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Sends one request and waits for its answer (as long as the run takes). */
    public static JsonNode request(Path socket, ObjectNode req) {
        SocketChannel ch;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            throw new BarmandException(Category.UNAVAILABLE, "the barmand daemon is not reachable at " + socket
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")") + ": is it running? (systemctl status barmand)");
        }
        try (ch) {
            ch.write(java.nio.ByteBuffer.wrap((RunJson.MAPPER.writeValueAsString(req) + "\n").getBytes(StandardCharsets.UTF_8)));
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
            String line = in.readLine();
            if (line == null) {
                throw new BarmandException(Category.UNAVAILABLE, "the barmand daemon at " + socket + " closed the connection without an answer (stopping?)");
            }
            return RunJson.MAPPER.readTree(line);
        } catch (IOException e) {
            throw new BarmandException(Category.UNAVAILABLE, "talking to the barmand daemon at " + socket + ": " + e.getMessage(), e);
        }
    }
}
