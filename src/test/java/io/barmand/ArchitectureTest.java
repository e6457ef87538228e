package io.barmand;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The house's floors, read from the sources: every {@code import io.barmand.X...} and every fully qualified
 * {@code io.barmand.X.} in code (comments aside). No new dependency: the rules are the lists below.
 *
 * <ul>
 *   <li>Ground floor: the error type, settings, the command runner, the history, the job API, logging, state files,
 *   the vocabulary capabilities share (restore source, keep registry).
 *   It imports nothing above it.</li>
 *   <li>{@code barman}: Barman spoken in one place; imports the ground only.</li>
 *   <li>Shared middle packages (what capabilities share: the bucket, the health read from the history, the outbox, the webhooks):
 *   the ground and {@code barman} only.</li>
 *   <li>Capabilities, side by side: the ground, {@code barman} and the shared packages; never the scheduler, the
 *   daemon, the CLI, the control socket or another capability.</li>
 *   <li>Top: the scheduler (which knows no capability, only the job API), the wiring, the control socket, the daemon,
 *   the CLI and the man pages.</li>
 * </ul>
 */
class ArchitectureTest {
    static final Path MAIN = Path.of("src/main/java/io/barmand");

    static final Set<String> GROUND = Set.of("error", "config", "process", "history", "job", "log", "state", "vocabulary");
    static final Set<String> BARMAN = Set.of("barman");
    static final Set<String> SHARED = Set.of("bucket", "health", "mail", "webhook", "fleet");
    static final Set<String> CAPABILITIES = Set.of("jobs", "offsite", "restore", "retention", "report", "metrics");
    static final Set<String> TOP = Set.of("schedule", "wiring", "control", "daemon", "cli", "manual");

    /** One import (or fully qualified use) of package {@code to} in {@code file} of package {@code from}. */
    record Use(String from, String file, String to) {
        @Override
        public String toString() {
            return from + "/" + file + " -> " + to;
        }
    }

    static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?io\\.barmand\\.(\\w+)\\.");
    static final Pattern QUALIFIED = Pattern.compile("(?<![\\w.])io\\.barmand\\.(\\w+)\\.");

    static List<Use> uses() {
        List<Use> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String from = MAIN.relativize(f).getName(0).toString();
                boolean inComment = false;
                for (String line : Files.readAllLines(f)) {
                    String l = line.strip();
                    if (inComment || l.startsWith("/*")) {
                        inComment = !l.contains("*/");
                        continue;
                    }
                    if (l.startsWith("//") || l.startsWith("*")) {
                        continue;
                    }
                    Matcher m = IMPORT.matcher(l);
                    Matcher q = QUALIFIED.matcher(l.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"").replaceAll("//.*$", ""));
                    if (m.find()) {
                        add(out, from, f, m.group(1));
                    } else {
                        while (q.find()) {
                            add(out, from, f, q.group(1));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static void add(List<Use> out, String from, Path f, String to) {
        if (!to.equals(from)) {
            out.add(new Use(from, f.getFileName().toString(), to));
        }
    }

    static Set<String> union(Set<?>... sets) {
        Set<String> s = new TreeSet<>();
        for (Set<?> x : sets) {
            x.forEach(e -> s.add((String) e));
        }
        return s;
    }

    static List<String> breaking(Set<String> packages, Set<String> allowed) {
        return uses().stream().filter(u -> packages.contains(u.from()) && !allowed.contains(u.to())).map(Use::toString)
                .distinct().toList();
    }

    @Test
    void everyPackageHasItsFloor() throws IOException {
        Set<String> known = union(GROUND, BARMAN, SHARED, CAPABILITIES, TOP);
        try (Stream<Path> dirs = Files.list(MAIN)) {
            assertThat(dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).toList())
                    .as("a new package: put it on a floor of this test").allMatch(known::contains);
        }
    }

    @Test
    void theGroundFloorImportsNothingAboveIt() {
        assertThat(breaking(GROUND, GROUND)).isEmpty();
    }

    @Test
    void barmanImportsTheGroundOnly() {
        assertThat(breaking(BARMAN, GROUND)).isEmpty();
    }

    @Test
    void theSharedPackagesImportTheGroundAndBarmanOnly() {
        assertThat(breaking(SHARED, union(GROUND, BARMAN))).isEmpty();
    }

    @Test
    void noCapabilityImportsTheSchedulerTheTopOrAnotherCapability() {
        assertThat(breaking(CAPABILITIES, union(GROUND, BARMAN, SHARED))).isEmpty();
    }

    @Test
    void theSchedulerKnowsTheJobApiNotTheCapabilities() {
        assertThat(breaking(Set.of("schedule"), GROUND)).isEmpty();
    }

    /**
     * The CLI reaches the daemon only to run it ({@code barmand run}, and warm-up's walk of its start for the
     * class-data archive) and to print its version; everything else it builds through the wiring, as the daemon does.
     */
    @Test
    void theCliImportsTheDaemonOnlyToRunIt() {
        Map<String, Set<String>> allowed = Map.of("RunCommand.java", Set.of("daemon"), "Main.java", Set.of("daemon"),
                "WarmUpCommand.java", Set.of("daemon"));
        assertThat(uses().stream().filter(u -> u.from().equals("cli") && u.to().equals("daemon"))
                .filter(u -> !allowed.getOrDefault(u.file(), Set.of()).contains(u.to())).map(Use::toString).distinct())
                .isEmpty();
    }

    /** The wiring builds for the daemon and the CLI alike: it imports neither (nor the control socket). */
    @Test
    void theWiringImportsNeitherTheDaemonNorTheCli() {
        assertThat(uses().stream().filter(u -> u.from().equals("wiring") && Set.of("daemon", "cli", "control").contains(u.to()))
                .map(Use::toString).distinct()).isEmpty();
    }

    @Test
    void nothingBelowTheTopImportsIt() {
        assertThat(breaking(union(GROUND, BARMAN, SHARED, CAPABILITIES), union(GROUND, BARMAN, SHARED, CAPABILITIES)))
                .isEmpty();
    }
}
