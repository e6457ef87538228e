package io.barmand.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.newsclub.net.unix.AFUNIXDatagramChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * sd_notify(3) for a unit of {@code Type=notify}: one datagram per message to {@code $NOTIFY_SOCKET} (a path, or
 * {@code @name} in the abstract namespace), through junixsocket (the JDK has no AF_UNIX datagrams). Without
 * {@code NOTIFY_SOCKET} (tests, the CLI, a start by hand) every call does nothing. A message that cannot be sent is
 * logged once and never fails the caller: systemd's view of barmand is not worth a run.
 */
public class SystemdNotify implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SystemdNotify.class);
    private final Optional<AFUNIXSocketAddress> target;
    private final String description;
    private AFUNIXDatagramChannel socket;
    private boolean warned;
    private String lastStatus = "";

    SystemdNotify(Optional<String> notifySocket) {
        Optional<AFUNIXSocketAddress> t = Optional.empty();
        if (notifySocket.isPresent() && !notifySocket.get().isBlank()) {
            String s = notifySocket.get();
            try {
                t = Optional.of(s.startsWith("@") ? AFUNIXSocketAddress.inAbstractNamespace(s.substring(1))
                        : AFUNIXSocketAddress.of(Path.of(s)));
            } catch (IOException | RuntimeException | LinkageError e) {
                // LinkageError: junixsocket's native library cannot load (a noexec temp folder): systemd is not told,
                // which must not stop barmand
                log.warn("NOTIFY_SOCKET={}: not a socket address barmand can use ({}): systemd is not told", s, e.toString());
            }
        }
        this.target = t;
        this.description = notifySocket.orElse("");
    }

    /** From the environment ({@code NOTIFY_SOCKET}, set by systemd for Type=notify). */
    public static SystemdNotify fromEnvironment() {
        return new SystemdNotify(Optional.ofNullable(System.getenv("NOTIFY_SOCKET")));
    }

    /** One that tells nobody, whatever the environment says (barmand warm-up's daemon). */
    public static SystemdNotify none() {
        return new SystemdNotify(Optional.empty());
    }

    /** Whether messages go anywhere. */
    public boolean enabled() {
        return target.isPresent();
    }

    /** The scheduler runs: READY=1 with the status line. */
    public void ready(String status) {
        send("READY=1\nSTATUS=" + oneLine(status));
    }

    /** RELOADING=1 with the time of the request on CLOCK_MONOTONIC (as Type=notify-reload wants it; harmless before). */
    public void reloading() {
        send("RELOADING=1\nMONOTONIC_USEC=" + monotonicUsec() + "\nSTATUS=reloading the configuration");
    }

    public void stopping(String status) {
        send("STOPPING=1\nSTATUS=" + oneLine(status));
    }

    /** STATUS= only when it changed. */
    public synchronized void status(String status) {
        String s = oneLine(status);
        if (!s.equals(lastStatus)) {
            send("STATUS=" + s);
        }
    }

    /** The stop (or start) may take {@code d} more from now, counted from this message. */
    public void extendTimeout(Duration d) {
        send("EXTEND_TIMEOUT_USEC=" + d.toNanos() / 1000);
    }

    private static String oneLine(String s) {
        return s.replace('\n', ' ');
    }

    /** CLOCK_MONOTONIC in microseconds: Linux's System.nanoTime() reads that clock. */
    static long monotonicUsec() {
        return System.nanoTime() / 1000;
    }

    synchronized void send(String message) {
        if (target.isEmpty()) {
            return;
        }
        for (String line : message.split("\n")) {
            if (line.startsWith("STATUS=")) {
                lastStatus = line.substring("STATUS=".length());
            }
        }
        byte[] b = message.getBytes(StandardCharsets.UTF_8);
        try {
            if (socket == null) {
                socket = AFUNIXDatagramChannel.open();
            }
            socket.send(java.nio.ByteBuffer.wrap(b), target.get());
        } catch (IOException | RuntimeException | LinkageError e) {
            if (!warned) {
                warned = true;
                log.warn("cannot tell systemd through NOTIFY_SOCKET={}: {}", description, e.toString());
            }
        }
    }

    @Override
    public synchronized void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // nothing left to tell
            }
            socket = null;
        }
    }
}
