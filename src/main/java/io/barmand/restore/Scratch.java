package io.barmand.restore;

import io.barmand.barman.RecoverRequest;
import io.barmand.config.RestoreSettings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.process.CommandResult;
import io.barmand.process.CommandRunner;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scratch instance's folder and process: created and marked by barmand, refused when it holds something
 * that is not barmand's, configured by barmand (postgresql.conf, pg_hba.conf), started and stopped with the
 * backup's pg_ctl, and removed afterwards. Every process goes through the {@link CommandRunner}; when barmand
 * runs as root they run as {@code run-as} through runuser.
 */
final class Scratch implements Instance {
    private static final Logger log = LoggerFactory.getLogger(Scratch.class);
    static final String MARKER = ".barmand-scratch";
    /** Settings that must hold whatever barman or the primary's postgresql.auto.conf says. */
    static final Set<String> FORCED = Set.of("port", "listen_addresses", "unix_socket_directories", "archive_mode",
            "archive_command", "archive_library", "primary_conninfo", "primary_slot_name", "hot_standby",
            "max_logical_replication_workers", "max_wal_senders", "max_replication_slots", "shared_buffers",
            "hba_file", "ident_file", "config_file", "data_directory", "include", "include_dir", "include_if_exists",
            "shared_preload_libraries", "ssl", "log_directory", "logging_collector", "synchronous_standby_names",
            "wal_level", "max_connections", "work_mem", "maintenance_work_mem", "max_worker_processes",
            "max_parallel_workers", "cluster_name", "stats_temp_directory", "external_pid_file");

    private final RestoreSettings rs;
    private final CommandRunner runner;
    private final Path dir;
    private final boolean root;
    private int port;

    Scratch(RestoreSettings rs, CommandRunner runner) {
        this.rs = rs;
        this.runner = runner;
        this.dir = rs.scratchDir().resolve(rs.server());
        this.root = "root".equals(System.getProperty("user.name"));
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
    public RecoverRequest recoverHere(RecoverRequest request) {
        return request;
    }

    @Override
    public void mark(String marker) {
        try {
            Files.writeString(dir.resolve(MARKER), marker + "\n");
            chown(dir.resolve(MARKER));
        } catch (IOException e) {
            throw new BarmandException(Category.IO, "cannot mark " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public CommandResult tool(List<String> argv, Duration timeout) {
        return runner.run(asUser(argv), timeout);
    }

    @Override
    public String log() {
        try {
            return Files.readString(dir.resolve("scratch.log"));
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public ScratchDb db(String superuser) {
        return new ScratchDb(dir, port, superuser);
    }

    /** argv run as {@code run-as} when barmand is root, as itself otherwise. */
    List<String> asUser(List<String> argv) {
        if (!root) {
            return argv;
        }
        List<String> a = new ArrayList<>(List.of("runuser", "-u", rs.runAs(), "--"));
        a.addAll(argv);
        return a;
    }

    /**
     * Refuses a folder that is not barmand's; clears a folder barmand left behind (a crash, keep-on-failure), first
     * stopping an instance still running there; creates the folder, marked, owned by run-as, mode 0700.
     */
    @Override
    public void prepare(long neededBytes, String runInfo) {
        try {
            if (!Files.isDirectory(rs.scratchDir())) {
                Files.createDirectories(rs.scratchDir());
                chown(rs.scratchDir());
            }
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                if (Files.isSymbolicLink(dir) || !Files.isDirectory(dir)) {
                    throw refused(dir + " exists and is not a directory barmand made");
                }
                boolean empty;
                try (Stream<Path> s = Files.list(dir)) {
                    empty = s.findAny().isEmpty();
                }
                if (!empty && !Files.isRegularFile(dir.resolve(MARKER), LinkOption.NOFOLLOW_LINKS)) {
                    throw refused("scratch folder " + dir + " is not empty and has no " + MARKER
                            + " marker: it is not barmand's, refusing to touch it");
                }
                if (!empty) {
                    log.warn("removing scratch folder {} left by an earlier run ({})", dir,
                            Files.readString(dir.resolve(MARKER)).strip());
                    stopInstance(Duration.ofSeconds(30));
                }
                deleteTree(dir);
            }
            long free = Files.getFileStore(rs.scratchDir()).getUsableSpace();
            long need = (long) Math.ceil(neededBytes * rs.diskMargin());
            if (free < need) {
                throw refused(String.format(Locale.ROOT, "not enough free disk in %s: %.1f MiB free, %.1f MiB needed "
                        + "(backup with WAL x disk-margin %.2f)", rs.scratchDir(), free / 1048576.0, need / 1048576.0, rs.diskMargin()));
            }
            port = freePort();
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.writeString(dir.resolve(MARKER), runInfo + "\n");
            chown(dir);
            chown(dir.resolve(MARKER));
        } catch (IOException e) {
            throw new BarmandException(Category.IO, "cannot prepare scratch folder " + dir + ": " + e.getMessage(), e);
        }
    }

    private static BarmandException refused(String why) {
        return new BarmandException(Category.JOB_FAILED, "refused: " + why);
    }

    /** The first port of the range that is free on 127.0.0.1 and has no socket in the scratch root. */
    int freePort() {
        List<String> taken = new ArrayList<>();
        for (int p = rs.portFrom(); p <= rs.portTo(); p++) {
            if (portFree(p)) {
                return p;
            }
            taken.add(Integer.toString(p));
        }
        throw refused("no free port for the scratch instance in port-range " + rs.portFrom() + "-" + rs.portTo()
                + " (taken: " + String.join(",", taken) + ")");
    }

    static boolean portFree(int p) {
        try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(false);
        } catch (IOException e) {
            return false;
        }
        for (String sock : List.of("/var/run/postgresql/.s.PGSQL." + p, "/tmp/.s.PGSQL." + p)) {
            if (Files.exists(Path.of(sock))) {
                return false;
            }
        }
        return true;
    }

    /** The recovered cluster's major version (PG_VERSION). */
    @Override
    public String pgVersion() {
        try {
            return Files.readString(dir.resolve("PG_VERSION")).strip();
        } catch (IOException e) {
            throw new BarmandException(Category.JOB_FAILED, "recovered folder has no PG_VERSION: " + e.getMessage());
        }
    }

    /**
     * Writes postgresql.conf, pg_hba.conf and pg_ident.conf, and strips from postgresql.auto.conf every setting
     * barmand must decide (barman's restore_command and recovery targets stay).
     */
    @Override
    public void configure() {
        try {
            Path auto = dir.resolve("postgresql.auto.conf");
            if (Files.exists(auto)) {
                Files.write(auto, rewriteAuto(Files.readAllLines(auto)));
            }
            Files.writeString(dir.resolve("postgresql.conf"), conf(dir, port, rs.server(), "''"));
            Files.writeString(dir.resolve("pg_hba.conf"), HBA_LOCAL);
            Files.writeString(dir.resolve("pg_ident.conf"), "");
            for (String f : List.of("postgresql.conf", "pg_hba.conf", "pg_ident.conf", "postgresql.auto.conf")) {
                if (Files.exists(dir.resolve(f))) {
                    chown(dir.resolve(f));
                }
            }
        } catch (IOException e) {
            throw new BarmandException(Category.IO, "cannot write the scratch configuration in " + dir + ": " + e.getMessage(), e);
        }
    }

    static final String HBA_LOCAL = "# written by barmand: only the instance's own socket, in a folder only its owner can enter\n"
            + "local all all trust\n";

    /** postgresql.auto.conf with every setting barmand decides commented out (restore_command, targets stay). */
    static List<String> rewriteAuto(List<String> lines) {
        List<String> kept = new ArrayList<>();
        for (String line : lines) {
            String k = line.strip().split("[\\s=]", 2)[0].toLowerCase(Locale.ROOT);
            kept.add(FORCED.contains(k) ? "# barmand scratch: " + line : line);
        }
        return kept;
    }

    /** The scratch instance's postgresql.conf. */
    static String conf(Path dir, int port, String server, String listen) {
        {
            return String.join("\n",
                    "# written by barmand for a restore test: a scratch instance reachable only through its own socket",
                    "port = " + port,
                    "listen_addresses = " + listen,
                    "unix_socket_directories = '" + dir.toString().replace("'", "''") + "'",
                    "unix_socket_permissions = 0700",
                    "hba_file = '" + dir.resolve("pg_hba.conf").toString().replace("'", "''") + "'",
                    "ident_file = '" + dir.resolve("pg_ident.conf").toString().replace("'", "''") + "'",
                    "archive_mode = off",
                    "archive_command = ''",
                    "hot_standby = off",
                    "wal_level = replica",
                    "max_wal_senders = 0",
                    "max_replication_slots = 0",
                    "max_logical_replication_workers = 0",
                    "max_connections = 20",
                    "shared_buffers = 128MB",
                    "work_mem = 4MB",
                    "maintenance_work_mem = 64MB",
                    "max_worker_processes = 8",
                    "max_parallel_workers = 2",
                    "ssl = off",
                    "logging_collector = off",
                    "cluster_name = 'barmand-scratch-" + server + "'",
                    "synchronous_standby_names = ''",
                    "shared_preload_libraries = ''",
                    "");
        }
    }

    /** pg_ctl start -w; recovery with hot_standby off ends before the instance accepts connections. */
    @Override
    public CommandResult start(Duration timeout) {
        long secs = Math.max(5, timeout.toSeconds());
        return runner.run(asUser(List.of(rs.pgBinDir().resolve("pg_ctl").toString(), "start", "-w", "-t", Long.toString(secs),
                "-D", dir.toString(), "-l", dir.resolve("scratch.log").toString())), timeout.plusSeconds(10));
    }

    /**
     * Stops whatever instance runs in the folder: pg_ctl stop -m immediate, and if a postmaster is still there
     * afterwards (pg_ctl missing, timed out), SIGKILL it. Must run with the thread's interrupt flag cleared.
     */
    @Override
    public void stopInstance(Duration timeout) {
        Path pid = dir.resolve("postmaster.pid");
        if (!Files.exists(pid)) {
            return;
        }
        Optional<ProcessHandle> pm = postmaster();
        CommandResult r = runner.run(asUser(List.of(rs.pgBinDir().resolve("pg_ctl").toString(), "stop", "-m", "immediate",
                "-w", "-t", Long.toString(Math.max(5, timeout.toSeconds())), "-D", dir.toString())), timeout.plusSeconds(5));
        if (!r.ok()) {
            log.warn("pg_ctl stop in {} failed (exit {}): {}", dir, r.exitCode(), r.stderrTail().strip());
        }
        long deadline = System.nanoTime() + (r.ok() ? 1_000_000_000L : 5_000_000_000L);
        while (pm.isPresent() && running(pm.get()) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        pm.filter(Scratch::running).ifPresent(ph -> {
            log.warn("scratch postmaster {} still alive: SIGKILL", ph.pid());
            CommandRunner.killTree(ph, Duration.ofSeconds(2));
        });
    }

    /** Alive and not a zombie (a stopped postmaster is reparented to a PID 1 that may never reap it). */
    static boolean running(ProcessHandle ph) {
        if (!ph.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(ph.pid()), "stat"));
            int close = stat.lastIndexOf(')');
            return close < 0 || close + 2 >= stat.length() || stat.charAt(close + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    /** The postmaster running on this folder, by postmaster.pid, checked against its command line. */
    Optional<ProcessHandle> postmaster() {
        try {
            List<String> l = Files.readAllLines(dir.resolve("postmaster.pid"), StandardCharsets.UTF_8);
            if (l.size() < 2) {
                return Optional.empty();
            }
            long pid = Long.parseLong(l.get(0).strip());
            if (!Path.of(l.get(1).strip()).equals(dir)) {
                return Optional.empty();
            }
            return ProcessHandle.of(pid).filter(ph -> ph.info().command().map(c -> c.endsWith("postgres")).orElse(true));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Stops the instance and removes the folder; never throws (a cleanup must not hide the test's outcome). */
    @Override
    public String cleanup(Duration stopTimeout) {
        try {
            stopInstance(stopTimeout);
            deleteTree(dir);
            return null;
        } catch (IOException | RuntimeException e) {
            log.error("cannot remove scratch folder {}: {}", dir, e.toString());
            return "cleanup failed: " + e.getMessage();
        }
    }

    long sizeBytes() {
        final long[] n = {0};
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    n[0] += attrs.size();
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            return n[0];
        }
        return n[0];
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void delete(Path f) throws IOException {
        try {
            Files.delete(f);
        } catch (NoSuchFileException e) {
            // gone already (a socket or pid file removed by the stopping postmaster)
        }
    }

    /** Everything in the folder owned by run-as (when barmand is root): files barmand itself wrote there. */
    void chownTree() throws IOException {
        if (!root) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                chown(p);
            }
        }
    }

    private void chown(Path p) throws IOException {
        if (!root) {
            return;
        }
        UserPrincipalLookupService l = p.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal u = l.lookupPrincipalByName(rs.runAs());
        Files.setOwner(p, u);
        try {
            GroupPrincipal g = l.lookupPrincipalByGroupName(rs.runAs());
            Files.getFileAttributeView(p, java.nio.file.attribute.PosixFileAttributeView.class).setGroup(g);
        } catch (IOException e) {
            // no group of that name: keep root's
        }
    }

    static String marker(String server, Instant at) {
        return "barmand restore-test server=" + server + " pid=" + ProcessHandle.current().pid() + " started=" + at;
    }
}
