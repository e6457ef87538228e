package io.barmand.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * moto's S3 server ({@code moto_server}, Python) on loopback on a free port: the test store that enforces Object
 * Lock (retention, legal hold, governance bypass). Ready once it answers HTTP; stopped on close. It wrongly allows
 * shortening a COMPLIANCE retention: no test relies on that.
 */
public final class MotoServer implements AutoCloseable {
    public final URI uri;
    private final Process process;

    public MotoServer(Path dir) throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        uri = URI.create("http://127.0.0.1:" + port);
        Path log = dir.resolve("moto.log");
        String bin = System.getProperty("moto.server", "moto_server");
        process = new ProcessBuilder(bin, "-H", "127.0.0.1", "-p", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IOException("moto_server exited: " + Files.readString(log));
            }
            try {
                HttpURLConnection c = (HttpURLConnection) uri.resolve("/moto-api/").toURL().openConnection();
                c.setConnectTimeout(200);
                c.setReadTimeout(2000);
                if (c.getResponseCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // polled again: the connection attempt itself is the wait (no sleep)
                process.waitFor(50, TimeUnit.MILLISECONDS);
            }
        }
        close();
        throw new IOException("moto_server did not answer on " + uri + " within 60s: " + Files.readString(log));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
