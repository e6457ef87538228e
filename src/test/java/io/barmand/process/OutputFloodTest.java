package io.barmand.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Eight 100 MiB outputs at once under the unit's JVM options (systemd/barmand.service): the JVM lives. */
class OutputFloodTest {
    @TempDir
    Path tmp;

    /** BARMAND_JAVA_OPTS of the unit, read from the unit itself. */
    static List<String> unitJavaOptions() throws Exception {
        for (String l : Files.readAllLines(Path.of("systemd/barmand.service"))) {
            if (l.startsWith("Environment=\"BARMAND_JAVA_OPTS=")) {
                String v = l.substring("Environment=\"BARMAND_JAVA_OPTS=".length(), l.length() - 1);
                return List.of(v.split(" "));
            }
        }
        throw new IllegalStateException("no BARMAND_JAVA_OPTS in systemd/barmand.service");
    }

    @Test
    void eightConcurrentOutputsOf100MiBEndUnderTheUnitsHeap() throws Exception {
        List<String> opts = unitJavaOptions();
        assertThat(opts).contains("-Xmx256m", "-XX:+ExitOnOutOfMemoryError");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(opts);
        cmd.add("-Djava.io.tmpdir=" + tmp);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), OutputFlood.class.getName(), "8", "100"));
        Path log = tmp.resolve("flood.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = p.waitFor(240, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(ended).as("ended within 240 s: %s", out).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("flood ok: 8 x 100 MiB").doesNotContain("OutOfMemoryError")
                .contains("read an output of 104857600 bytes, more than the 32 MiB barmand reads")
                .contains("kept 131" /* head + marker + tail */);
        try (var ls = Files.list(tmp)) {
            assertThat(ls.map(x -> x.getFileName().toString())).containsOnly("flood.log"); // no spill file left
        }
    }
}
