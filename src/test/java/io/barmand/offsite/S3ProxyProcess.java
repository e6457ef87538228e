package io.barmand.offsite;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** S3Proxy 2.4.1 run as a process (its jar-with-dependencies, filesystem backend), as on a real host. */
final class S3ProxyProcess implements AutoCloseable {
    final URI uri;
    final String access;
    final String secret;
    private final Process process;

    static Path jar() {
        return Path.of(System.getProperty("s3proxy.jar", "target/s3proxy/s3proxy.jar"));
    }

    S3ProxyProcess(Path dir, String access, String secret) throws IOException, InterruptedException {
        this.access = access;
        this.secret = secret;
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        uri = URI.create("http://127.0.0.1:" + port);
        Path data = Files.createDirectories(dir.resolve("s3data"));
        Path props = dir.resolve("s3proxy.properties");
        Files.writeString(props, """
                s3proxy.endpoint=%s
                s3proxy.authorization=aws-v2-or-v4
                s3proxy.identity=%s
                s3proxy.credential=%s
                jclouds.provider=filesystem
                jclouds.filesystem.basedir=%s
                """.formatted(uri, access, secret, data));
        process = new ProcessBuilder("java", "-Xmx512m", "-jar", jar().toString(), "--properties", props.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("s3proxy.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IOException("s3proxy exited: " + Files.readString(dir.resolve("s3proxy.log")));
                }
                Thread.sleep(100);
            }
        }
        throw new IOException("s3proxy did not listen on " + uri + " within 60s");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
