package io.barmand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

/** The packaged daemon and CLI as separate processes: {@code java -jar ${barmand.jar} ...}. */
public final class Barmand {
    static final ObjectMapper JSON = new ObjectMapper();

    static String jar() {
        String jar = System.getProperty("barmand.jar");
        assertThat(jar).as("system property barmand.jar (set by failsafe)").isNotNull();
        assertThat(Path.of(jar)).exists();
        return jar;
    }

    static List<String> java(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-jar", jar()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** A CLI call's result. */
    public record Cli(int exit, String out, String err) {
    }

    public static Cli cli(String... args) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(java(args)).start();
        var outF = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        var errF = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
        return new Cli(p.exitValue(), outF.join(), errF.join());
    }

    /** Starts `barmand run-now` without waiting for it. */
    public static Process startCli(Path log, String... args) throws IOException {
        return new ProcessBuilder(java(args)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The history as `barmand history --json` prints it. */
    public static List<JsonNode> history(Path conf) throws IOException, InterruptedException {
        Cli c = cli("history", "--config", conf.toString(), "--json", "--limit", "200");
        assertThat(c.exit()).as("history: %s", c.err()).isZero();
        return StreamSupport.stream(JSON.readTree(c.out()).spliterator(), false).toList();
    }

    /** A running daemon. */
    public static final class Daemon implements AutoCloseable {
        final Process process;
        final Path log;

        private Daemon(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        /**
         * Starts {@code barmand run} with SIGHUP at its default disposition, as systemd starts it, whatever the test
         * runner's (a runner under nohup ignores SIGHUP, and an ignored signal stays ignored across exec).
         */
        public static Daemon start(Path conf, Path log) throws IOException {
            return start(conf, log, "--default-signal=HUP");
        }

        /** With the signal dispositions {@code env} sets ({@code --default-signal=HUP}, {@code --ignore-signal=HUP}). */
        public static Daemon start(Path conf, Path log, String envSignalOption) throws IOException {
            List<String> cmd = new ArrayList<>(List.of("/usr/bin/env", envSignalOption));
            cmd.addAll(java("run", "--config", conf.toString()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            Daemon d = new Daemon(p, log);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> d.logText().contains("barmand ready") || !p.isAlive());
            assertThat(p.isAlive()).as("daemon died at start:\n%s", d.logText()).isTrue();
            return d;
        }

        public String logText() throws IOException {
            return Files.exists(log) ? Files.readString(log) : "";
        }

        /** SIGTERM, then wait; returns the exit code. */
        public int stop(Duration max) throws InterruptedException {
            process.destroy();
            assertThat(process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS)).as("daemon exits within %s", max).isTrue();
            return process.exitValue();
        }

        public Process process() {
            return process;
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        }
    }

    /** Live processes whose command line contains every fragment. */
    public static List<String> processes(String... fragments) {
        return ProcessHandle.allProcesses().map(ph -> ph.pid() + " " + ph.info().commandLine().orElse(""))
                .filter(cl -> java.util.Arrays.stream(fragments).allMatch(cl::contains)).toList();
    }
}
