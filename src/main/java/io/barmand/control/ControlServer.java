package io.barmand.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.barmand.config.JobKind;
import io.barmand.job.RunOptions;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.history.RunJson;
import io.barmand.history.RunRecord;
import io.barmand.history.Trigger;
import io.barmand.schedule.JobRunner;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's control socket (AF_UNIX stream, mode 0660). One JSON request line, one JSON response line:
 * {"op":"run-now","job":"backup","server":"pg1"} -> {"ok":true,"run":{...}} once the run has finished
 * (offsite and restore-test also take "options": {"backupId": ID, "target": T} in the syntax of RunOptions,
 * checked here and by the job's service before anything is recorded, and used for that run only),
 * or {"ok":false,"category":"usage","exitCode":64,"error":"..."}. {"op":"ping"} -> {"ok":true}.
 * {"op":"reload"} -> {"ok":true,"reloaded":true,"jobs":N,"needRestart":[...]} or {"ok":true,"reloaded":false,
 * "problems":[...]} (the old settings kept). {"op":"restart-when-idle"} -> {"ok":true,"waitingFor":[...]} (empty: idle
 * now, restarting is the caller's; else the daemon exits 75 once they have ended).
 */
public class ControlServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);

    private final Path path;
    private final JobRunner runner;
    private final Lifecycle lifecycle;
    private ServerSocketChannel server;
    private Thread acceptor;
    private final Set<SocketChannel> clients = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public ControlServer(Path path, JobRunner runner) {
        this(path, runner, null);
    }

    /** With the daemon's {@link Lifecycle} (reload, restart-when-idle); null refuses those. */
    public ControlServer(Path path, JobRunner runner, Lifecycle lifecycle) {
        this.path = path;
        this.runner = runner;
        this.lifecycle = lifecycle;
    }

    public void start() {
        try {
            Files.createDirectories(path.getParent());
            if (Files.exists(path)) {
                if (ControlClient.reachable(path)) {
                    throw new BarmandException(Category.BUSY, path + ": another barmand is running (its control socket answers)");
                }
                Files.delete(path); // left by a daemon that died
            }
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
        } catch (IOException e) {
            throw new BarmandException(Category.IO, path + ": cannot open the control socket: " + e.getMessage(), e);
        }
        acceptor = new Thread(this::acceptLoop, "barmand-control");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel ch = server.accept();
                Thread t = new Thread(() -> handle(ch), "barmand-control-client");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    log.error("control socket: {}", e.getMessage());
                }
                return;
            }
        }
    }

    private void handle(SocketChannel ch) {
        clients.add(ch);
        try (ch) {
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
            OutputStream out = Channels.newOutputStream(ch);
            String line = in.readLine();
            ObjectNode resp;
            try {
                resp = answer(line);
            } catch (BarmandException e) {
                resp = error(e);
            } catch (RuntimeException e) {
                log.error("control request {} failed", line, e);
                resp = error(new BarmandException(Category.INTERNAL, e.toString(), e));
            }
            out.write((RunJson.MAPPER.writeValueAsString(resp) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            log.debug("control client gone: {}", e.getMessage());
        } finally {
            clients.remove(ch);
        }
    }

    ObjectNode answer(String line) throws IOException {
        if (line == null || line.isBlank()) {
            throw new BarmandException(Category.USAGE, "empty request");
        }
        JsonNode req = RunJson.MAPPER.readTree(line);
        String op = req.path("op").asText("");
        ObjectNode ok = RunJson.MAPPER.createObjectNode().put("ok", true);
        switch (op) {
            case "ping" -> {
                return ok.put("pid", ProcessHandle.current().pid());
            }
            case "run-now" -> {
                String job = req.path("job").asText("");
                String srv = req.path("server").asText("");
                JobKind kind = JobKind.byId(job).orElseThrow(() ->
                        new BarmandException(Category.USAGE, "unknown job '" + job + "' (" + JobKind.ids() + ")"));
                java.util.Map<String, String> om = new java.util.LinkedHashMap<>();
                req.path("options").fields().forEachRemaining(e -> om.put(e.getKey(), e.getValue().asText()));
                RunOptions options = RunOptions.fromMap(om);
                log.info("run-now {} {} requested{}", kind, srv, options.isEmpty() ? "" : " " + options);
                RunRecord r = runner.run(kind, srv, Trigger.MANUAL, options);
                ok.set("run", RunJson.toJson(r));
                return ok;
            }
            case "reload" -> {
                Lifecycle.Reload r = lifecycle().reload("the control socket (barmand reload)");
                ok.put("reloaded", r.reloaded()).put("jobs", r.jobs());
                r.problems().forEach(ok.putArray("problems")::add);
                r.needRestart().forEach(ok.putArray("needRestart")::add);
                return ok;
            }
            case "restart-when-idle" -> {
                java.util.List<String> w = lifecycle().restartWhenIdle(req.path("by").asText("the control socket"));
                w.forEach(ok.putArray("waitingFor")::add);
                return ok;
            }
            default -> throw new BarmandException(Category.USAGE, "unknown op '" + op + "'");
        }
    }

    private Lifecycle lifecycle() {
        if (lifecycle == null) {
            throw new BarmandException(Category.USAGE, "this daemon takes no reload or restart through its socket");
        }
        return lifecycle;
    }

    private static ObjectNode error(BarmandException e) {
        return RunJson.MAPPER.createObjectNode().put("ok", false).put("category", e.category().word())
                .put("exitCode", e.exitCode()).put("error", e.getMessage());
    }

    @Override
    public void close() {
        closed = true;
        try {
            if (server != null) {
                server.close();
            }
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("closing the control socket: {}", e.getMessage());
        }
    }
}
