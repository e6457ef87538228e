package io.barmand.offsite;

import static org.assertj.core.api.Assertions.assertThat;

import io.barmand.bucket.Layout;
import io.barmand.bucket.S3Store;
import io.barmand.config.OffsiteSettings;
import io.barmand.history.Sizes;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * {@code barmand wal-restore} as PostgreSQL runs it, the packaged jar as a process per file, against S3Proxy: a
 * segment copied with zstd, one Barman had gzipped (stored as it is), a .history file, each written whole and
 * identical; a file that is not there (exit 1, one line on stderr, nothing written); a damaged object (74, or 126
 * with --fatal-errors, nothing written); a bucket that does not answer (69). The time of each call is printed.
 */
class WalRestoreIT {
    static final String ACCESS = "walrestore-it";
    static final String SECRET = "walrestore-it-secret";

    @RegisterExtension
    static final S3ProxyExtension S3 = S3ProxyExtension.builder().withCredentials(ACCESS, SECRET).build();

    @TempDir
    Path dir;
    Path conf;
    FakeBarmanHome barman;
    final List<Long> millis = new ArrayList<>();

    record Run(int exit, String out, String err, long ms) {
    }

    @BeforeEach
    void setUp() throws Exception {
        barman = new FakeBarmanHome(dir.resolve("barman"));
        barman.wal(1, 3);
        // one that Barman compressed itself: copied as it is, without barmand's suffix
        String gz = String.format("%08X%08X%08X", 1, 0, 4);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(b)) {
            g.write(("segment four ").repeat(1000).getBytes(StandardCharsets.US_ASCII));
        }
        Files.write(barman.wals.resolve(gz.substring(0, 16)).resolve(gz), b.toByteArray());
        Files.writeString(barman.wals.resolve("00000002.history"), "1\t0/5000000\tno recovery target specified\n");
        S3Test.raw(S3.getUri(), ACCESS, SECRET).createBucket(r -> r.bucket("wal"));
        OffsiteSettings s = S3Test.settings(S3.getUri(), "wal", dir, ACCESS, SECRET);
        try (S3Store store = new S3Store(s)) {
            WalCopier.WalState st = new WalCopier(store).copy("pg1", barman.wals, 16L << 20);
            assertThat(st.copied()).isEqualTo(5);
        }
        conf = barmandConf(S3.getUri().toString());
    }

    Path barmandConf(String endpoint) throws Exception {
        Path f = dir.resolve("barmand-" + Math.abs(endpoint.hashCode()) + ".conf");
        // a host without Barman: its binary and configuration named, neither there
        Files.writeString(f, "barmand {\n  barman.binary = \"/nonexistent/barman\"\n  barman.config-file = \"/nonexistent/barman.conf\"\n"
                + "  state-dir = \"" + dir.resolve("state") + "\"\n  control-socket = \"" + dir.resolve("c.sock") + "\"\n"
                + "  servers { pg1 { offsite { enabled = true, endpoint = \"" + endpoint + "\", bucket = wal, prefix = barmand,"
                + " credentials-file = \"" + dir.resolve("s3.credentials") + "\", retries.max = 0 } } }\n}\n");
        return f;
    }

    Run walRestore(Path config, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-jar", System.getProperty("barmand.jar"), "wal-restore", "--config", config.toString()));
        cmd.addAll(List.of(args));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).start();
        var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        millis.add(ms);
        Run r = new Run(p.exitValue(), out.join(), err.join(), ms);
        System.out.printf(Locale.ROOT, "wal-restore %s: exit %d in %d ms%s%n", String.join(" ", args), r.exit(), ms,
                r.err().isBlank() ? "" : ", stderr: " + r.err().strip());
        return r;
    }

    static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void eachFileAsPostgresqlAsksForItChecked() throws Exception {
        Files.createDirectories(dir.resolve("pg_wal"));
        for (int i = 1; i <= 4; i++) {
            String n = String.format("%08X%08X%08X", 1, 0, i);
            Run r = walRestore(conf, "pg1", n, "pg_wal/RECOVERYXLOG");
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).isEmpty();
            assertThat(r.err()).isEmpty();
            byte[] want = Files.readAllBytes(barman.wals.resolve(n.substring(0, 16)).resolve(n));
            if (i == 4) {
                // Barman's gzip is undone too: PostgreSQL gets the WAL file itself
                want = ("segment four ").repeat(1000).getBytes(StandardCharsets.US_ASCII);
            }
            assertThat(Files.readAllBytes(dir.resolve("pg_wal/RECOVERYXLOG"))).isEqualTo(want);
        }
        Run h = walRestore(conf, "pg1", "00000002.history", dir.resolve("pg_wal/RECOVERYHISTORY").toString());
        assertThat(h.exit()).isZero();
        assertThat(Files.readString(dir.resolve("pg_wal/RECOVERYHISTORY"))).startsWith("1\t0/5000000");
        try (var l = Files.list(dir.resolve("pg_wal"))) {
            assertThat(l.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("RECOVERYHISTORY", "RECOVERYXLOG");
        }

        // PostgreSQL probes for files that may not exist: exit 1, quietly, nothing written
        for (String absent : List.of("00000003.history", String.format("%08X%08X%08X", 1, 0, 5))) {
            Run a = walRestore(conf, "pg1", absent, "pg_wal/ABSENT");
            assertThat(a.exit()).isEqualTo(1);
            assertThat(a.out()).isEmpty();
            assertThat(a.err().strip().lines()).hasSize(1);
            assertThat(a.err()).contains(absent + " is not in s3://wal/barmand/pg1/wals/");
        }
        assertThat(dir.resolve("pg_wal/ABSENT")).doesNotExist();

        // a damaged object: its SHA-256 refuses it, nothing written; 126 asks PostgreSQL to stop, not to end recovery there
        String n2 = String.format("%08X%08X%08X", 1, 0, 2);
        String key = new Layout("barmand").wal("pg1", n2, ".zst");
        S3Test.raw(S3.getUri(), ACCESS, SECRET).putObject(r -> r.bucket("wal").key(key).metadata(java.util.Map.of("sha256",
                "0".repeat(64))), RequestBody.fromBytes("garbage".getBytes(StandardCharsets.US_ASCII)));
        Run d = walRestore(conf, "pg1", n2, "pg_wal/DAMAGED");
        assertThat(d.exit()).isEqualTo(74);
        assertThat(d.err()).contains("SHA-256 MISMATCH " + key);
        Run df = walRestore(conf, "--fatal-errors", "pg1", n2, "pg_wal/DAMAGED");
        assertThat(df.exit()).isEqualTo(126);
        assertThat(df.err()).contains("SHA-256 MISMATCH " + key).contains("recovery stops");
        assertThat(dir.resolve("pg_wal/DAMAGED")).doesNotExist();
        try (var l = Files.list(dir.resolve("pg_wal"))) {
            assertThat(l.map(p -> p.getFileName().toString()).filter(x -> x.endsWith(".tmp")).toList()).isEmpty();
        }

        // the bucket does not answer
        Path down = barmandConf("http://127.0.0.1:9");
        Run u = walRestore(down, "pg1", n2, "pg_wal/DOWN");
        assertThat(u.exit()).isEqualTo(69);
        assertThat(u.err()).contains("does not answer");
        assertThat(walRestore(down, "--fatal-errors", "pg1", n2, "pg_wal/DOWN").exit()).isEqualTo(126);

        List<Long> sorted = millis.stream().sorted().toList();
        System.out.printf(Locale.ROOT, "wal-restore: %d calls as processes (java -XX:TieredStopAtLevel=1 -jar), median %d ms, "
                + "min %d ms, max %d ms; objects %s%n", sorted.size(), sorted.get(sorted.size() / 2), sorted.get(0),
                sorted.get(sorted.size() - 1), Sizes.human(64 * 1024));
    }
}
