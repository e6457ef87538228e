package io.barmand.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.history.RunJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The client side of the control socket (run-now, reload, restart-when-idle, status). Never waits forever: the
 * connection must be accepted within a connect timeout, and a line (the answer, or a run-now's keepalive) must come
 * within an answer timeout; either failing says which, as an {@link Category#UNAVAILABLE} error.
 */
public final class ControlClient {
    /** How long the daemon has to accept the connection. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** The longest answer line read (a run's record is a few KiB). */
    static final int MAX_ANSWER = 16 * 1024 * 1024;

    private ControlClient() {
    }

    /** Whether a daemon accepts connections at {@code socket} (within two seconds). */
    public static boolean reachable(Path socket) {
        try {
            close(connect(socket, Duration.ofSeconds(2)));
            return true;
        } catch (BarmandException e) {
            return false;
        }
    }

    /** Sends one request and waits for its answer, at most 60 s without a line from the daemon. */
    public static JsonNode request(Path socket, ObjectNode req) {
        return request(socket, req, Duration.ofSeconds(60));
    }

    /**
     * Sends one request and returns its answer, skipping keepalive lines.
     *
     * @param answer how long the daemon may stay silent: until the answer, or between a run-now's keepalives
     */
    public static JsonNode request(Path socket, ObjectNode req, Duration answer) {
        return request(socket, req, CONNECT_TIMEOUT, answer);
    }

    /** As {@link #request(Path, ObjectNode, Duration)}, the connection accepted within {@code connect}. */
    public static JsonNode request(Path socket, ObjectNode req, Duration connect, Duration answer) {
        try (SocketChannel ch = connect(socket, connect); Selector sel = Selector.open()) {
            ByteBuffer out = ByteBuffer.wrap((RunJson.MAPPER.writeValueAsString(req) + "\n").getBytes(StandardCharsets.UTF_8));
            ch.register(sel, SelectionKey.OP_WRITE);
            long deadline = System.nanoTime() + answer.toNanos();
            while (out.hasRemaining()) {
                ch.write(out);
                if (out.hasRemaining() && !await(sel, deadline)) {
                    throw silent(socket, answer, "while taking the request");
                }
            }
            ch.keyFor(sel).interestOps(SelectionKey.OP_READ);
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(8192);
            deadline = System.nanoTime() + answer.toNanos();
            while (true) {
                in.clear();
                int n = ch.read(in);
                if (n < 0) {
                    throw new BarmandException(Category.UNAVAILABLE, "the barmand daemon at " + socket
                            + " closed the connection without an answer (stopping?)");
                }
                if (n == 0) {
                    if (!await(sel, deadline)) {
                        throw silent(socket, answer, "");
                    }
                    continue;
                }
                byte[] a = in.array();
                int from = 0;
                for (int i = 0; i < n; i++) {
                    if (a[i] != '\n') {
                        continue;
                    }
                    line.write(a, from, i - from);
                    from = i + 1;
                    String l = line.toString(StandardCharsets.UTF_8);
                    line.reset();
                    JsonNode j = RunJson.MAPPER.readTree(l);
                    if (!j.path("keepalive").asBoolean(false)) {
                        return j;
                    }
                    deadline = System.nanoTime() + answer.toNanos(); // the daemon is there: its run waits or runs
                }
                line.write(a, from, n - from);
                if (line.size() > MAX_ANSWER) {
                    throw new BarmandException(Category.UNAVAILABLE, "the answer of " + socket + " is longer than "
                            + MAX_ANSWER + " bytes: not a barmand daemon?");
                }
            }
        } catch (IOException e) {
            throw new BarmandException(Category.UNAVAILABLE, "talking to the barmand daemon at " + socket + ": " + e.getMessage(), e);
        }
    }

    private static BarmandException silent(Path socket, Duration answer, String when) {
        return new BarmandException(Category.UNAVAILABLE, "the barmand daemon at " + socket + " accepted the connection "
                + "but sent nothing for " + answer.toSeconds() + " s" + (when.isEmpty() ? "" : " " + when)
                + ": it may be hung (systemctl status barmand; journalctl -u barmand); a run asked for may still go on "
                + "(barmand history)");
    }

    /** Waits for the registered operation until {@code deadline}; false when it passed. */
    private static boolean await(Selector sel, long deadline) throws IOException {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
            return false;
        }
        sel.select(left);
        sel.selectedKeys().clear();
        return true;
    }

    /** A non-blocking connection, made within {@code timeout} (a full backlog makes a blocking connect wait for ever). */
    static SocketChannel connect(Path socket, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            SocketChannel ch = null;
            try {
                ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                ch.configureBlocking(false);
                if (ch.connect(UnixDomainSocketAddress.of(socket))) {
                    return ch;
                }
                try (Selector sel = Selector.open()) {
                    ch.register(sel, SelectionKey.OP_CONNECT);
                    while (!ch.finishConnect()) {
                        if (!await(sel, deadline)) {
                            break;
                        }
                    }
                    if (ch.isConnected()) {
                        ch.keyFor(sel).cancel();
                        sel.selectNow();
                        return ch;
                    }
                }
                ch.close();
                throw new BarmandException(Category.UNAVAILABLE, "the barmand daemon at " + socket + " did not accept "
                        + "the connection within " + timeout.toSeconds() + " s (hung, or its socket full): systemctl "
                        + "status barmand; journalctl -u barmand");
            } catch (IOException e) {
                close(ch);
                boolean again = e.getMessage() != null && e.getMessage().contains("temporarily unavailable");
                if (again && System.nanoTime() - deadline < 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                    continue; // the listen backlog is full: the daemon may drain it in a moment
                }
                throw new BarmandException(Category.UNAVAILABLE, "the barmand daemon is not reachable at " + socket
                        + (again ? " (its socket stayed full for " + timeout.toSeconds() + " s)"
                        : e.getMessage() == null ? "" : " (" + e.getMessage() + ")") + ": is it running? (systemctl status barmand)");
            }
        }
    }

    private static void close(SocketChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
    }
}
