package io.barmand.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptureTest {
    @TempDir
    Path tmp;

    static byte[] digits(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ('0' + i % 10);
        }
        return b;
    }

    static void feed(Capture c, byte[] all, int step) {
        for (int i = 0; i < all.length; i += step) {
            c.write(all, i, Math.min(step, all.length - i));
        }
    }

    @Test
    void smallOutputIsKeptWholeAndItsBudgetGivenBack() throws IOException {
        OutputBudget budget = new OutputBudget(1 << 20);
        byte[] all = digits(200_000);
        try (Capture c = new Capture(budget, 1 << 20, 100, 50, false, 1 << 20, tmp)) {
            feed(c, all, 8192);
            assertThat(c.overflowed()).isFalse();
            assertThat(c.text()).isEqualTo(new String(all, StandardCharsets.US_ASCII));
            assertThat(budget.used()).isPositive();
            try (InputStream in = c.whole()) {
                assertThat(in.readAllBytes()).isEqualTo(all);
            }
            // the summary of an output a parser read whole: head and tail
            assertThat(c.summary()).startsWith("0123456789".repeat(10)).contains("[... 199850 bytes of output left out by barmand ...]")
                    .endsWith(new String(all, 200_000 - 50, 50, StandardCharsets.US_ASCII));
        }
        assertThat(budget.used()).isZero();
    }

    @Test
    void pastItsMemoryOnlyTheHeadAndTheTailStayWhateverTheWriteSizes() {
        byte[] all = digits(1_000_003);
        for (int step : new int[] {1, 7, 49, 50, 51, 8192, 1_000_003}) {
            OutputBudget budget = new OutputBudget(1 << 20);
            try (Capture c = new Capture(budget, 100_000, 100, 50, false, 0, tmp)) {
                feed(c, all, step);
                assertThat(c.overflowed()).isTrue();
                assertThat(budget.used()).as("step %d", step).isZero();
                assertThat(c.total()).isEqualTo(all.length);
                assertThat(c.text()).as("step %d", step).isEqualTo(new String(all, 0, 100, StandardCharsets.US_ASCII)
                        + "\n[... 999853 bytes of output left out by barmand ...]\n" + new String(all, all.length - 50, 50, StandardCharsets.US_ASCII));
            }
        }
    }

    @Test
    void stderrKeepsItsTailAlone() {
        try (Capture c = new Capture(new OutputBudget(1 << 20), 0, 0, 8, false, 0, tmp)) {
            c.write("hello ".getBytes(), 0, 6);
            c.write("world\n".getBytes(), 0, 6);
            assertThat(c.text()).isEqualTo("o world\n".substring(0, 8));
        }
    }

    @Test
    void anEmptyBudgetSpillsForTheParserToAPrivateFileDeletedAtClose() throws IOException {
        OutputBudget none = new OutputBudget(0);
        byte[] all = digits(3_000_000);
        Path file;
        try (Capture c = new Capture(none, 8 << 20, 64, 64, true, 32 << 20, tmp)) {
            feed(c, all, 8192);
            assertThat(c.overflowed()).isTrue();
            try (Stream<Path> ls = Files.list(tmp)) {
                file = ls.filter(p -> p.getFileName().toString().startsWith("barmand-output-")).findFirst().orElseThrow();
            }
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            try (InputStream in = c.whole()) {
                assertThat(in.readAllBytes()).isEqualTo(all);
            }
        }
        assertThat(file).doesNotExist();
    }

    @Test
    void anOutputLargerThanAParserReadsIsNotSpilledFurther() throws IOException {
        try (Capture c = new Capture(new OutputBudget(1 << 20), 1000, 10, 10, true, 100_000, tmp)) {
            feed(c, digits(200_000), 4096);
            assertThat(c.whole()).isNull();
            try (Stream<Path> ls = Files.list(tmp)) {
                assertThat(ls).isEmpty();
            }
        }
    }
}
