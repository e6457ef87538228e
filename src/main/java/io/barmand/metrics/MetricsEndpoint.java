package io.barmand.metrics;

import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.exporter.httpserver.HttpErrorHandlingPolicy;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /metrics} for Prometheus, on the one address of {@code metrics.listen} and no other, through the
 * Prometheus client's HTTP server (JDK HttpServer, daemon threads). A scrape that fails is logged here, and answered
 * 500.
 */
final class MetricsEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);

    private final HTTPServer server;
    private final InetSocketAddress address;

    private MetricsEndpoint(HTTPServer server, InetSocketAddress address) {
        this.server = server;
        this.address = address;
    }

    /** Listens on {@code listen} (port 0: any free port); a port that cannot be bound is an IO error. */
    static MetricsEndpoint start(InetSocketAddress listen, PrometheusRegistry registry) {
        if (listen.isUnresolved() || listen.getAddress() == null) {
            throw new BarmandException(Category.CONFIG, "metrics.listen: unknown address " + listen.getHostString());
        }
        try {
            HTTPServer s = HTTPServer.builder()
                    .inetAddress(listen.getAddress())
                    .port(listen.getPort())
                    .registry(registry)
                    .errorHandlingPolicy(HttpErrorHandlingPolicy.builder()
                            .errorReporter(e -> log.error("metrics: a scrape failed: {}", String.valueOf(e)))
                            .build())
                    .buildAndStart();
            InetSocketAddress bound = new InetSocketAddress(listen.getAddress(), s.getPort());
            if (listen.getAddress().isLoopbackAddress()) {
                log.info("metrics: http://{}/metrics", hostPort(bound));
            } else {
                log.warn("metrics: http://{}/metrics is not on a loopback address: whoever reaches it reads the metrics",
                        hostPort(bound));
            }
            return new MetricsEndpoint(s, bound);
        } catch (IOException e) {
            throw new BarmandException(Category.IO, "metrics.listen: cannot listen on " + hostPort(listen) + ": "
                    + e.getMessage(), e);
        }
    }

    /** Where it listens (with the port chosen when 0 was asked for). */
    InetSocketAddress address() {
        return address;
    }

    @Override
    public void close() {
        server.close();
    }

    static String hostPort(InetSocketAddress a) {
        String h = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return (h.contains(":") ? "[" + h + "]" : h) + ":" + a.getPort();
    }
}
