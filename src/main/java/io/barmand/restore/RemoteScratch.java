package io.barmand.restore;

import io.barmand.barman.RecoverRequest;
import io.barmand.config.RestoreSettings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.process.CommandResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.LocalPortForwarder;
import net.schmizz.sshj.connection.channel.direct.Parameters;
import net.schmizz.sshj.connection.channel.direct.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scratch instance on a scratch host over SSH (sshj; the host key pinned by {@code known-hosts}, never accepted
 * blindly). {@code barman recover} over SSH copies the backup there; the instance listens on the scratch
 * host's loopback only, and barmand reaches it through an SSH tunnel from a loopback port on the backup host.
 */
final class RemoteScratch implements Instance {
    private static final Logger log = LoggerFactory.getLogger(RemoteScratch.class);
    private final RestoreSettings rs;
    private final RestoreSettings.ScratchHost h;
    private final Path dir;
    private final SSHClient ssh = new SSHClient();
    private int port;
    private ServerSocket tunnelSocket;
    private LocalPortForwarder forwarder;

    RemoteScratch(RestoreSettings rs) {
        this.rs = rs;
        this.h = rs.scratchHost().orElseThrow();
        this.dir = rs.scratchDir().resolve(rs.server());
        try {
            ssh.loadKnownHosts(h.knownHosts().toFile());
            ssh.setConnectTimeout(15_000);
            ssh.connect(h.host(), h.port());
            ssh.authPublickey(h.user(), ssh.loadKeys(h.keyFile().toString()));
        } catch (IOException e) {
            close();
            throw new BarmandException(Category.UNAVAILABLE, "cannot reach scratch host " + h.user() + "@" + h.host() + ":" + h.port()
                    + " over SSH: " + e.getMessage(), e);
        }
    }

    static String q(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Runs a shell command on the scratch host. */
    CommandResult exec(String cmd, Duration timeout, String stdin) {
        Instant t0 = Instant.now();
        long n0 = System.nanoTime();
        try (Session s = ssh.startSession()) {
            Session.Command c = s.exec(cmd);
            if (stdin != null) {
                c.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            c.getOutputStream().close();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread drain = new Thread(() -> copy(c.getErrorStream(), err), "ssh-stderr");
            drain.setDaemon(true);
            drain.start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            copy(c.getInputStream(), out);
            c.join(timeout.toMillis(), TimeUnit.MILLISECONDS);
            drain.join(5000);
            Integer exit = c.getExitStatus();
            boolean interrupted = Thread.currentThread().isInterrupted();
            return new CommandResult(List.of("ssh", h.host(), cmd), exit == null ? -1 : exit, out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8), t0, Duration.ofNanos(System.nanoTime() - n0), exit == null && !interrupted, interrupted);
        } catch (IOException e) {
            throw new BarmandException(Category.UNAVAILABLE, "ssh " + h.host() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BarmandException(Category.INTERRUPTED, "ssh " + h.host() + " interrupted (daemon stopping)");
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        byte[] b = new byte[8192];
        try {
            int n;
            while ((n = in.read(b)) >= 0) {
                out.write(b, 0, n);
            }
        } catch (IOException e) {
            // channel closed
        }
    }

    private String pgBin(String tool) {
        return q(rs.pgBinDir().resolve(tool).toString());
    }

    @Override
    public Path dir() {
        return dir;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public void prepare(long neededBytes, String marker) {
        String d = q(dir.toString());
        String script = String.join("\n",
                "d=" + d + "; root=" + q(rs.scratchDir().toString()),
                "mkdir -p \"$root\" || exit 4",
                "if [ -L \"$d\" ] || { [ -e \"$d\" ] && [ ! -d \"$d\" ]; }; then echo \"$d exists and is not a directory barmand made\"; exit 3; fi",
                "if [ -d \"$d\" ] && [ -n \"$(ls -A \"$d\")\" ] && [ ! -f \"$d/" + Scratch.MARKER + "\" ]; then",
                "  echo \"scratch folder $d on " + h.host() + " is not empty and has no " + Scratch.MARKER
                        + " marker: it is not barmand's, refusing to touch it\"; exit 3; fi",
                "if [ -f \"$d/postmaster.pid\" ]; then " + pgBin("pg_ctl") + " stop -m immediate -w -D \"$d\" >/dev/null 2>&1; fi",
                "rm -rf \"$d\" || exit 4",
                "free=$(df -B1 --output=avail \"$root\" | tail -1 | tr -d ' ')",
                "if [ \"$free\" -lt " + (long) Math.ceil(neededBytes * rs.diskMargin()) + " ]; then echo \"not enough free disk in $root on "
                        + h.host() + ": $free bytes free, " + (long) Math.ceil(neededBytes * rs.diskMargin()) + " needed\"; exit 3; fi",
                "for p in $(seq " + rs.portFrom() + " " + rs.portTo() + "); do",
                "  if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null && [ ! -e /var/run/postgresql/.s.PGSQL.$p ] && [ ! -e /tmp/.s.PGSQL.$p ]; then",
                "    mkdir -m 0700 \"$d\" && printf '%s\\n' " + q(marker) + " > \"$d/" + Scratch.MARKER + "\" && echo PORT=$p && exit 0",
                "    exit 4; fi",
                "done",
                "echo \"no free port for the scratch instance on " + h.host() + " in port-range " + rs.portFrom() + "-" + rs.portTo() + "\"; exit 3");
        CommandResult r = exec("bash -s", Duration.ofMinutes(2), script);
        String out = r.stdout().strip();
        if (r.exitCode() == 0 && out.startsWith("PORT=")) {
            port = Integer.parseInt(out.substring(5).strip());
            return;
        }
        if (r.exitCode() == 3) {
            throw new BarmandException(Category.JOB_FAILED, "refused: " + out);
        }
        throw new BarmandException(Category.IO, "cannot prepare scratch folder " + dir + " on " + h.host() + ": exit " + r.exitCode()
                + ": " + (out + " " + r.stderrTail()).strip());
    }

    @Override
    public RecoverRequest recoverHere(RecoverRequest request) {
        return request.over(new RecoverRequest.Ssh(h.user(), h.host(), h.port(), h.keyFile(), h.knownHosts()));
    }

    @Override
    public void mark(String marker) {
        exec("printf '%s\\n' " + q(marker) + " > " + q(dir.resolve(Scratch.MARKER).toString()), Duration.ofSeconds(30), null);
    }

    @Override
    public String pgVersion() {
        CommandResult r = exec("cat " + q(dir.resolve("PG_VERSION").toString()), Duration.ofSeconds(30), null);
        if (r.exitCode() != 0) {
            throw new BarmandException(Category.JOB_FAILED, "recovered folder on " + h.host() + " has no PG_VERSION");
        }
        return r.stdout().strip();
    }

    @Override
    public void configure() {
        String auto = dir.resolve("postgresql.auto.conf").toString();
        CommandResult r = exec("cat " + q(auto) + " 2>/dev/null", Duration.ofSeconds(30), null);
        List<String> lines = r.stdout().isEmpty() ? List.of() : Arrays.asList(r.stdout().split("\n"));
        // loopback only (the tunnel's far end); trust for the instance's own socket and loopback of the scratch host
        String hba = Scratch.HBA_LOCAL + "host all all 127.0.0.1/32 trust\n";
        writeFile(auto, String.join("\n", Scratch.rewriteAuto(lines)) + "\n");
        writeFile(dir.resolve("postgresql.conf").toString(), Scratch.conf(dir, port, rs.server(), "'127.0.0.1'"));
        writeFile(dir.resolve("pg_hba.conf").toString(), hba);
        writeFile(dir.resolve("pg_ident.conf").toString(), "");
    }

    private void writeFile(String path, String content) {
        CommandResult r = exec("cat > " + q(path), Duration.ofSeconds(30), content);
        if (r.exitCode() != 0) {
            throw new BarmandException(Category.IO, "cannot write " + path + " on " + h.host() + ": " + r.stderrTail().strip());
        }
    }

    @Override
    public CommandResult start(Duration timeout) {
        long secs = Math.max(5, timeout.toSeconds());
        return exec(pgBin("pg_ctl") + " start -w -t " + secs + " -D " + q(dir.toString()) + " -l "
                + q(dir.resolve("scratch.log").toString()), timeout.plusSeconds(10), null);
    }

    @Override
    public CommandResult tool(List<String> argv, Duration timeout) {
        List<String> quoted = new ArrayList<>();
        argv.forEach(a -> quoted.add(q(a)));
        return exec(String.join(" ", quoted), timeout, null);
    }

    @Override
    public String log() {
        return exec("cat " + q(dir.resolve("scratch.log").toString()), Duration.ofSeconds(30), null).stdout();
    }

    @Override
    public synchronized ScratchDb db(String superuser) {
        if (forwarder == null) {
            try {
                tunnelSocket = new ServerSocket();
                tunnelSocket.setReuseAddress(true);
                tunnelSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                forwarder = ssh.newLocalPortForwarder(new Parameters("127.0.0.1", tunnelSocket.getLocalPort(), "127.0.0.1", port),
                        tunnelSocket);
                Thread t = new Thread(() -> {
                    try {
                        forwarder.listen();
                    } catch (IOException e) {
                        log.debug("tunnel to {} closed: {}", h.host(), e.toString());
                    }
                }, "restore-test-tunnel-" + rs.server());
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                throw new BarmandException(Category.IO, "cannot open the SSH tunnel to " + h.host() + ": " + e.getMessage(), e);
            }
        }
        return new ScratchDb(dir, tunnelSocket.getLocalPort(), superuser, true);
    }

    @Override
    public void stopInstance(Duration timeout) {
        String d = q(dir.toString());
        CommandResult r = exec("if [ -f " + d + "/postmaster.pid ]; then " + pgBin("pg_ctl") + " stop -m immediate -w -t "
                + Math.max(5, timeout.toSeconds()) + " -D " + d + "; fi", timeout.plusSeconds(5), null);
        if (r.exitCode() != 0) {
            log.warn("pg_ctl stop in {} on {} failed (exit {}): {}", dir, h.host(), r.exitCode(), r.stderrTail().strip());
        }
    }

    @Override
    public String cleanup(Duration stopTimeout) {
        try {
            closeTunnel();
            stopInstance(stopTimeout);
            CommandResult r = exec("rm -rf " + q(dir.toString()), Duration.ofMinutes(5), null);
            return r.exitCode() == 0 ? null : "cleanup failed on " + h.host() + ": " + r.stderrTail().strip();
        } catch (RuntimeException e) {
            log.error("cannot remove scratch folder {} on {}: {}", dir, h.host(), e.toString());
            return "cleanup failed: " + e.getMessage();
        } finally {
            close();
        }
    }

    private synchronized void closeTunnel() {
        try {
            if (forwarder != null) {
                forwarder.close();
            }
            if (tunnelSocket != null) {
                tunnelSocket.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
        forwarder = null;
    }

    @Override
    public void close() {
        closeTunnel();
        try {
            ssh.disconnect();
        } catch (IOException e) {
            // gone
        }
    }

    @Override
    public String toString() {
        return h.user() + "@" + h.host() + ":" + dir + String.format(Locale.ROOT, " (port %d)", port);
    }
}
