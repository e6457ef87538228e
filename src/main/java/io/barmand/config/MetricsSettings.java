package io.barmand.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The {@code metrics} block: an HTTP endpoint for Prometheus and a node_exporter textfile, each off when empty.
 */
public record MetricsSettings(Optional<InetSocketAddress> listen, Optional<Path> textfile) {
    public static final MetricsSettings OFF = new MetricsSettings(Optional.empty(), Optional.empty());

    static MetricsSettings read(com.typesafe.config.Config c, List<String> problems) {
        String k = Settings.ROOT + ".metrics.";
        String l = c.getString("metrics.listen").trim();
        Optional<InetSocketAddress> listen = Optional.empty();
        if (!l.isEmpty()) {
            int colon = l.lastIndexOf(':');
            String host = colon < 0 ? "" : l.substring(0, colon).replaceAll("^\\[(.*)]$", "$1");
            int port = -1;
            try {
                port = Integer.parseInt(l.substring(colon + 1));
            } catch (NumberFormatException e) {
                // reported below
            }
            if (colon <= 0 || port < 1 || port > 65535) {
                problems.add(k + "listen: must be ADDRESS:PORT such as \"127.0.0.1:9780\", is \"" + l + "\"");
            } else {
                listen = Optional.of(new InetSocketAddress(host, port));
                if (listen.get().isUnresolved()) {
                    problems.add(k + "listen: unknown address \"" + host + "\"");
                    listen = Optional.empty();
                }
            }
        }
        String t = c.getString("metrics.textfile").trim();
        Optional<Path> textfile = Optional.empty();
        if (!t.isEmpty()) {
            Path p = Path.of(t);
            if (!p.isAbsolute() || !t.endsWith(".prom")) {
                problems.add(k + "textfile: must be an absolute path ending in .prom (node_exporter reads only those), is \""
                        + t + "\"");
            } else {
                textfile = Optional.of(p);
            }
        }
        return new MetricsSettings(listen, textfile);
    }
}
