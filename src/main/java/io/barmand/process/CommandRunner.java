package io.barmand.process;

import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every external process of barmand: drains stdout and stderr concurrently, enforces a timeout, and on
 * timeout or thread interrupt kills the process tree (descendants first, SIGTERM then SIGKILL after a grace).
 * Processes that must outlive us ({@code barman cron}, {@code receive-wal}, {@code pg_receivewal}) are never
 * killed, even when they turn up among the descendants.
 */
public class CommandRunner {
    private static final Logger log = LoggerFactory.getLogger(CommandRunner.class);
    /** The most of one command's output a parser reads (a larger one is refused as it was cut before). */
    static final int STDOUT_LIMIT = 32 * 1024 * 1024;
    /** The most of one command's standard output kept whole in memory (within the host's {@link OutputBudget}). */
    static final int STDOUT_MEMORY = 8 * 1024 * 1024;
    /** Past that, the head and the tail kept for messages. */
    static final int STDOUT_HEAD = 64 * 1024;
    static final int STDOUT_TAIL = 64 * 1024;
    /** The tail of standard error kept. */
    static final int TAIL = 8 * 1024;

    private final Clock clock;
    private final Duration killGrace;
    private final Map<String, String> extraEnv;
    private final OutputBudget budget;
    private final java.nio.file.Path spillDir;

    public CommandRunner(Clock clock, Duration killGrace) {
        this(clock, killGrace, Map.of());
    }

    public CommandRunner(Clock clock, Duration killGrace, Map<String, String> extraEnv) {
        this(clock, killGrace, extraEnv, OutputBudget.HOST, java.nio.file.Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** {@code spillDir}: where an output too large for memory is spilled for its parser (the unit's private /tmp). */
    public CommandRunner(Clock clock, Duration killGrace, Map<String, String> extraEnv, OutputBudget budget,
                         java.nio.file.Path spillDir) {
        this.clock = clock;
        this.killGrace = killGrace;
        this.extraEnv = Map.copyOf(extraEnv);
        this.budget = budget;
        this.spillDir = spillDir;
    }

    /** Reads a command's whole standard output (JSON, say) from a stream; the stream is closed by the runner. */
    @FunctionalInterface
    public interface StdoutReader<T> {
        T read(InputStream stdout) throws IOException;
    }

    /**
     * A command's result and what its reader made of its whole standard output.
     *
     * @param value null when the reader failed or the output was not read ({@code problem} says why)
     * @param problem why there is no value: the reader's error, or an output larger than barmand reads
     * @param tooLarge the output was larger than barmand reads (32 MiB): not read at all
     */
    public record Read<T>(CommandResult result, T value, String problem, boolean tooLarge) {
    }

    /**
     * Runs {@code argv} and waits for it, at most {@code timeout}. When the calling thread is interrupted
     * the process tree is killed, the result says {@code interrupted} and the thread's interrupt flag is set
     * again.
     */
    public CommandResult run(List<String> argv, Duration timeout) {
        return run(argv, timeout, null);
    }

    /** The same, with the command's standard input read from {@code stdin} (null: none). */
    public CommandResult run(List<String> argv, Duration timeout, java.nio.file.Path stdin) {
        Execution x = execute(argv, timeout, stdin, false);
        try {
            return x.result(x.out.text());
        } finally {
            x.close();
        }
    }

    /**
     * Runs {@code argv} as {@link #run} does and gives its whole standard output (up to 32 MiB, read from memory or
     * from a spill file, never copied into one string) to {@code reader} once the command has ended. The result's
     * stdout is the output's head and tail.
     */
    public <T> Read<T> run(List<String> argv, Duration timeout, java.nio.file.Path stdin, StdoutReader<T> reader) {
        Execution x = execute(argv, timeout, stdin, true);
        try {
            CommandResult r = x.result(x.out.summary());
            try (InputStream in = x.out.whole()) {
                if (in == null) {
                    return new Read<>(r, null, "an output of " + x.out.total() + " bytes, more than the "
                            + STDOUT_LIMIT / (1024 * 1024) + " MiB barmand reads", true);
                }
                return new Read<>(r, reader.read(in), null, false);
            } catch (IOException e) {
                return new Read<>(r, null, e.getMessage(), false);
            }
        } finally {
            x.close();
        }
    }

    /** A command that ran, with what was kept of its output; closing it gives back the memory and the spill file. */
    private record Execution(List<String> argv, int exit, Capture out, Capture err, Instant started, Duration took,
                             boolean timedOut, boolean interrupted) implements AutoCloseable {
        CommandResult result(String stdout) {
            return new CommandResult(List.copyOf(argv), exit, stdout, err.text(), started, took, timedOut, interrupted);
        }

        @Override
        public void close() {
            out.close();
            err.close();
        }
    }

    private Execution execute(List<String> argv, Duration timeout, java.nio.file.Path stdin, boolean whole) {
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder(argv);
        // the unit's notify socket is barmand's own: a scratch PostgreSQL (built with systemd) would send READY=1 to it
        pb.environment().remove("NOTIFY_SOCKET");
        pb.environment().putAll(extraEnv);
        if (stdin != null) {
            pb.redirectInput(stdin.toFile());
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new BarmandException(Category.UNAVAILABLE, "cannot start " + argv.get(0) + ": " + e.getMessage(), e);
        }
        if (stdin == null) {
            try {
                p.getOutputStream().close();
            } catch (IOException ignored) {
                // nothing to close
            }
        }
        Capture outCapture = new Capture(budget, STDOUT_MEMORY, STDOUT_HEAD, STDOUT_TAIL, whole, STDOUT_LIMIT, spillDir);
        Capture errCapture = new Capture(budget, 0, 0, TAIL, false, 0, spillDir);
        Drainer out = new Drainer(p.getInputStream(), outCapture, "stdout-" + p.pid());
        Drainer err = new Drainer(p.getErrorStream(), errCapture, "stderr-" + p.pid());
        out.start();
        err.start();
        boolean timedOut = false;
        boolean interrupted = false;
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                timedOut = true;
                log.warn("{} ran past its timeout of {}: killing it", argv, timeout);
                killTree(p.toHandle(), killGrace);
            }
        } catch (InterruptedException e) {
            interrupted = true;
            log.warn("interrupted while running {}: killing it", argv);
            killTree(p.toHandle(), killGrace);
        }
        int exit;
        try {
            // after a kill, waiting is bounded by the grace already spent; be safe anyway
            exit = p.waitFor(killGrace.toMillis() + 5000, TimeUnit.MILLISECONDS) ? p.exitValue() : -1;
        } catch (InterruptedException e) {
            interrupted = true;
            exit = -1;
        }
        long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        out.await(drainDeadline);
        err.await(drainDeadline);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        log.debug("{} -> exit {} in {} ms{}{}{}", argv, exit, took.toMillis(), timedOut ? " (timed out)" : "",
                interrupted ? " (interrupted)" : "", outCapture.overflowed() ? " (" + outCapture.total() + " bytes of output)" : "");
        return new Execution(argv, exit, outCapture, errCapture, started, took, timedOut, interrupted);
    }

    /**
     * True for processes barmand must never kill: barman's long-lived WAL streaming and its cron. Decided on the
     * process's argv (/proc/PID/cmdline), by program and subcommand, never by a substring: {@code barman check -- cron}
     * (a server named cron) is not {@code barman cron}.
     */
    public static boolean isProtected(ProcessHandle ph) {
        return isProtectedArgv(argv(ph));
    }

    /** The argv of a process: /proc/PID/cmdline, split at its NULs; else what the JDK says (one word per argument). */
    static List<String> argv(ProcessHandle ph) {
        try {
            byte[] b = java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc", Long.toString(ph.pid()), "cmdline"));
            List<String> a = new ArrayList<>();
            int from = 0;
            for (int i = 0; i < b.length; i++) {
                if (b[i] == 0) {
                    a.add(new String(b, from, i - from, StandardCharsets.UTF_8));
                    from = i + 1;
                }
            }
            if (from < b.length) {
                a.add(new String(b, from, b.length - from, StandardCharsets.UTF_8));
            }
            if (!a.isEmpty()) {
                return a;
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not Linux: below
        }
        ProcessHandle.Info info = ph.info();
        List<String> a = new ArrayList<>();
        info.command().ifPresent(a::add);
        info.arguments().ifPresent(x -> a.addAll(List.of(x)));
        return a;
    }

    /** Barman's global options that take a value (barman/cli.py): the word after them is not the subcommand. */
    private static final java.util.Set<String> BARMAN_VALUE_OPTIONS = java.util.Set.of("-c", "--config", "-f", "--format",
            "--log-level", "--color", "--colour");
    private static final java.util.Set<String> PROTECTED_SUBCOMMANDS = java.util.Set.of("cron", "receive-wal");

    /**
     * {@code pg_receivewal}/{@code pg_receivexlog}, or barman (run as itself, or as the script of an interpreter:
     * {@code python3 /usr/bin/barman ...}, {@code python3 -m barman.cli ...}) whose subcommand is {@code cron} or
     * {@code receive-wal}.
     */
    static boolean isProtectedArgv(List<String> argv) {
        if (argv.isEmpty()) {
            return false;
        }
        String program = basename(argv.get(0));
        if (program.equals("pg_receivewal") || program.equals("pg_receivexlog")) {
            return true;
        }
        int i = 1;
        if (!program.equals("barman")) {
            if (!program.matches("python[0-9.]*|sh|bash|dash")) {
                return false;
            }
            // the interpreter's own options, then its script (or -m module)
            while (i < argv.size() && argv.get(i).startsWith("-") && !argv.get(i).equals("-m")) {
                i++;
            }
            if (i >= argv.size()) {
                return false;
            }
            if (argv.get(i).equals("-m")) {
                if (i + 1 >= argv.size() || !argv.get(i + 1).matches("barman(\\.cli)?")) {
                    return false;
                }
                i += 2;
            } else if (basename(argv.get(i)).equals("barman")) {
                i++;
            } else {
                return false;
            }
        }
        // barman's global options, then its subcommand
        while (i < argv.size()) {
            String a = argv.get(i);
            if (BARMAN_VALUE_OPTIONS.contains(a)) {
                i += 2;
            } else if (a.startsWith("-")) {
                i++;
            } else {
                return PROTECTED_SUBCOMMANDS.contains(a);
            }
        }
        return false;
    }

    private static String basename(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }

    /**
     * Kills a process and its descendants: the descendants are listed before anything is killed (a dead
     * parent's children are re-parented and no longer found), then SIGTERM to all, then, after {@code grace},
     * SIGKILL to what is still alive plus anything the tree spawned meanwhile. Protected processes (and what runs
     * under them) are left alone.
     */
    public static void killTree(ProcessHandle root, Duration grace) {
        java.util.Set<ProcessHandle> targets = new java.util.LinkedHashSet<>(killable(root));
        for (ProcessHandle ph : targets) {
            ph.destroy();
        }
        long deadline = System.nanoTime() + grace.toNanos();
        for (ProcessHandle ph : targets) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                try {
                    ph.onExit().get(left, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (Exception e) {
                    // still alive: SIGKILL below
                }
            }
        }
        if (root.isAlive()) {
            targets.addAll(killable(root)); // spawned after the first look
        }
        // SIGKILL parents first: a parent that sees its child die first could still spawn the next command
        List<ProcessHandle> topDown = new ArrayList<>(targets);
        java.util.Collections.reverse(topDown);
        for (ProcessHandle ph : topDown) {
            if (ph.isAlive()) {
                log.warn("process {} still alive {} after SIGTERM: SIGKILL", ph.pid(), grace);
                ph.destroyForcibly();
            }
        }
    }

    /** The root and its descendants, children before parents, without protected processes and their subtrees. */
    static List<ProcessHandle> killable(ProcessHandle root) {
        List<ProcessHandle> out = new ArrayList<>();
        collect(root, out);
        return out;
    }

    private static void collect(ProcessHandle ph, List<ProcessHandle> out) {
        if (isProtected(ph)) {
            log.info("not killing protected process {} ({})", ph.pid(), String.join(" ", argv(ph)));
            return;
        }
        ph.children().forEach(c -> collect(c, out));
        out.add(ph);
    }

    /** Reads a stream to its end on its own thread into its {@link Capture}. */
    private static final class Drainer extends Thread {
        private final InputStream in;
        private final Capture capture;

        Drainer(InputStream in, Capture capture, String name) {
            super(name);
            this.in = in;
            this.capture = capture;
            setDaemon(true);
        }

        @Override
        public void run() {
            byte[] b = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(b)) >= 0) {
                    capture.write(b, 0, n);
                }
            } catch (IOException e) {
                // the process was killed and the pipe closed: keep what we have
            }
        }

        void await(long deadlineNanos) {
            try {
                join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
