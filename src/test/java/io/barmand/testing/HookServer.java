package io.barmand.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP server on loopback (the JDK's), standing for a Slack or JSON webhook: it records every request and
 * answers with the statuses it is given (200 once they are used up); {@link #hang()} makes it take requests and never
 * answer, until {@link #close()}.
 */
public final class HookServer implements AutoCloseable {
    /** A request as received. */
    public record Request(String path, Map<String, List<String>> headers, String body) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
                    .map(e -> e.getValue().get(0)).orElse(null);
        }
    }

    private final HttpServer server;
    private final ExecutorService exec = Executors.newCachedThreadPool();
    private final Deque<Integer> statuses = new ConcurrentLinkedDeque<>();
    private final LinkedBlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final List<Request> all = java.util.Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile boolean hang;

    public HookServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", x -> {
            Request r = new Request(x.getRequestURI().toString(), Map.copyOf(x.getRequestHeaders()),
                    new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            all.add(r);
            requests.add(r);
            if (hang) {
                try {
                    released.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                x.close();
                return;
            }
            Integer s = statuses.poll();
            byte[] body = (s == null || s == 200 ? "ok" : "boom").getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(s == null ? 200 : s, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        server.setExecutor(exec);
        server.start();
    }

    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** The next answers, in order (200 after them). */
    public HookServer answer(Integer... codes) {
        statuses.addAll(List.of(codes));
        return this;
    }

    /** Requests are taken and never answered. */
    public HookServer hang() {
        hang = true;
        return this;
    }

    /** The next request, waiting up to 10 s for it (null if none came). */
    public Request next() throws InterruptedException {
        return requests.poll(10, TimeUnit.SECONDS);
    }

    public List<Request> received() {
        synchronized (all) {
            return List.copyOf(all);
        }
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
        exec.shutdownNow();
    }
}
