package io.barmand.offsite;

import io.barmand.testing.ItServerLock;
import org.junit.jupiter.api.extension.ExtendWith;
import static io.barmand.offsite.ItShell.RUN;
import static io.barmand.offsite.ItShell.psql;
import static io.barmand.offsite.ItShell.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.barmand.barman.BarmanClient;
import io.barmand.bucket.Age;
import io.barmand.bucket.Manifest;
import io.barmand.bucket.S3Store;
import io.barmand.config.JobKind;
import io.barmand.config.OffsiteSettings;
import io.barmand.config.Settings;
import io.barmand.job.JobService;
import io.barmand.process.CommandResult;
import io.barmand.restore.RestoreTestService;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Encrypted offsite copies (offsite.encryption, age), with a real Barman backup of "itoffsite" (PostgreSQL 15, Barman
 * 3.4) and S3Proxy: the key pair made by {@code barmand offsite keygen}; the backup and its WAL copied encrypted to
 * two recipients; no object in the bucket is zstd or tar; Debian's {@code age -d -i KEY}, zstd and tar make a tree
 * PostgreSQL starts from, with the rows written after the backup; {@code offsite verify --download} passes without
 * the identity and fails on one flipped byte; {@code barmand restore --from s3} refuses without the identity and
 * restores the rows with it; the restore test from S3 passes.
 */
@ResourceLock(ItServerLock.ITOFFSITE)
@ResourceLock(ItServerLock.CLUSTER)
@ExtendWith(ItServerLock.class)
class EncryptedOffsiteIT {
    static final String ACCESS = "enc-it";
    static final String SECRET = "enc-it-secret";
    static final String SERVER = "itoffsite";
    static final String BUCKET = "sealed";
    static final Path PG_BIN = Path.of("/usr/lib/postgresql/15/bin");
    static final byte[] ZSTD_MAGIC = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};

    @RegisterExtension
    static final S3ProxyExtension S3 = S3ProxyExtension.builder().withCredentials(ACCESS, SECRET).build();

    record Cli(int exit, String out, String err) {
    }

    Path work;
    Path jar;

    @Test
    void anEncryptedCopyIsUnreadableWithoutTheIdentityVerifiableWithoutItAndRestorableWithIt() throws Exception {
        assertThat(Path.of("/usr/bin/age")).as("Debian's age (lab/host-deps.sh build installs it)").exists();
        String up = run(Duration.ofMinutes(5), "bash", Path.of("src/test/resources/it/offsite-fixture.sh").toAbsolutePath().toString(), "up");
        Path barmanConf = Path.of(up.lines().reduce((a, b) -> b).orElseThrow().strip());
        work = Path.of("/var/tmp/barmandit-offsite/enc-" + System.currentTimeMillis());
        Files.createDirectories(work);
        run(Duration.ofSeconds(10), "chmod", "0755", work.toString());
        jar = work.resolve("barmand.jar");
        Files.copy(Path.of(System.getProperty("barmand.jar")), jar);
        List<Path> pgdirs = new ArrayList<>();
        String id = null;
        try {
            // the key pairs: operations (by barmand), escrow (by Debian's age-keygen)
            Path key = work.resolve("ops-key.txt");
            Cli kg = barmand("offsite", "keygen", key.toString());
            assertThat(kg.exit()).as(kg.err()).isZero();
            String ops = kg.out().strip();
            assertThat(ops).startsWith("age1");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
            assertThat(Files.readString(key)).contains("# public key: " + ops).contains("AGE-SECRET-KEY-1");
            assertThat(barmand("offsite", "keygen", key.toString()).exit()).as("an existing identity is never overwritten").isEqualTo(64);
            Path escrowKey = work.resolve("escrow-key.txt");
            String escrow = run(Duration.ofSeconds(30), "bash", "-c", "age-keygen -o '" + escrowKey + "' 2>/dev/null && age-keygen -y '"
                    + escrowKey + "'").strip();

            psql("DROP TABLE IF EXISTS enc_proof; CREATE TABLE enc_proof (id int, note text);"
                    + " INSERT INTO enc_proof SELECT g, 'before' FROM generate_series(1, 1000) g");
            String backup = run(Duration.ofMinutes(5), "barman", "-c", barmanConf.toString(), "-f", "json", "backup", "--wait", SERVER);
            id = new ObjectMapper().readTree(backup).path("backup_id").asText();
            assertThat(id).matches("[0-9]{8}T[0-9]{6}");
            psql("INSERT INTO enc_proof SELECT g, 'after' FROM generate_series(1001, 1500) g");
            String wal = psql("SELECT pg_walfile_name(pg_current_wal_lsn())");
            psql("SELECT pg_switch_wal()");
            BarmanSource source = BarmanSource.of(new BarmanClient(RUN, Path.of("/usr/bin/barman"), Optional.of(barmanConf)), Duration.ofMinutes(1));
            Path archived = source.paths(SERVER).wals().resolve(wal.substring(0, 16)).resolve(wal);
            for (int i = 0; i < 120 && !Files.exists(archived); i++) {
                RUN.run(List.of("barman", "-c", barmanConf.toString(), "-q", "cron"), Duration.ofMinutes(1));
                Thread.sleep(500);
            }
            assertThat(archived).as("WAL %s archived by Barman", wal).exists();

            // the copy, as the daemon's offsite job makes it, encrypted to both recipients; the backup host has no identity
            S3Client raw = S3Test.raw(S3.getUri(), ACCESS, SECRET);
            raw.createBucket(b -> b.bucket(BUCKET));
            Path creds = S3Test.credentials(work, ACCESS, SECRET);
            OffsiteSettings s = io.barmand.testing.TestOffsite.forEndpoint(S3.getUri(), BUCKET, "proof", work.resolve("spool"))
                    .withCredentialsFile(creds)
                    .withEncryption(new OffsiteSettings.Encryption(List.of(ops, escrow), Optional.empty(), Optional.empty()));
            var c = new OffsiteService(Map.of(SERVER, s), source, S3Store::new, "it", Clock.systemUTC())
                    .execute(io.barmand.testing.Contexts.offsite(SERVER, id));
            assertThat(c.success()).as(String.valueOf(c.figures())).isTrue();

            // what the bucket holds: age files, neither zstd nor tar
            String base = "proof/" + SERVER + "/base/" + id + "/";
            Manifest m = Manifest.parse(raw.getObjectAsBytes(b -> b.bucket(BUCKET).key(base + "manifest.json")).asByteArray());
            assertThat(m.encrypted()).isTrue();
            assertThat(m.encryption().format()).isEqualTo("age");
            assertThat(m.encryption().recipients()).containsExactly(ops, escrow);
            String dataKey = base + "data.tar.zst.age";
            assertThat(m.objects().get(0).key()).isEqualTo(dataKey);
            List<String> walKeys = raw.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix("proof/" + SERVER + "/wals/")).contents()
                    .stream().map(S3Object::key).filter(k -> !k.endsWith("/")).toList();
            assertThat(walKeys).isNotEmpty().allMatch(k -> k.endsWith(".age"));
            List<String> sealedKeys = new ArrayList<>(walKeys);
            sealedKeys.add(dataKey);
            Path dl = Files.createDirectories(work.resolve("download"));
            for (String k : sealedKeys) {
                byte[] b = raw.getObjectAsBytes(r -> r.bucket(BUCKET).key(k)).asByteArray();
                assertThat(new String(b, 0, Age.MAGIC.length(), StandardCharsets.US_ASCII)).as(k).isEqualTo(Age.MAGIC);
                assertThat(java.util.Arrays.copyOf(b, 4)).as(k).isNotEqualTo(ZSTD_MAGIC);
                assertThat(b.length > 262 && new String(b, 257, 5, StandardCharsets.US_ASCII).equals("ustar")).as(k).isFalse();
                Files.write(dl.resolve(k.substring(k.lastIndexOf('/') + 1)), b);
            }
            Path tmpZst = dl.resolve("probe.zst");
            assertThat(RUN.run(List.of("zstd", "-q", "-d", "-f", dl.resolve("data.tar.zst.age").toString(), "-o", tmpZst.toString()),
                    Duration.ofMinutes(1)).ok()).as("zstd -d on the stored object").isFalse();

            // disaster day without barmand: age -d -i KEY, zstd -d, tar (the escrow key, made by age-keygen)
            Path tree = Files.createDirectories(work.resolve("by-hand"));
            run(Duration.ofMinutes(5), "bash", "-c", "cd '" + dl + "' && age -d -i '" + escrowKey + "' -o data.tar.zst data.tar.zst.age"
                    + " && zstd -q -d data.tar.zst -o data.tar && tar -x -f data.tar -C '" + tree + "'");
            for (Manifest.FileEntry f : m.files()) {
                String sum = run(Duration.ofMinutes(1), "sha256sum", tree.resolve(f.path()).toString()).split("\\s+")[0];
                assertThat(sum).as(f.path()).isEqualTo(f.sha256());
            }
            Path walDir = Files.createDirectories(work.resolve("by-hand-wal"));
            run(Duration.ofMinutes(5), "bash", "-c", "cd '" + dl + "' && for f in *.age; do [ \"$f\" = data.tar.zst.age ] && continue;"
                    + " n=\"${f%.age}\"; age -d -i '" + escrowKey + "' \"$f\" | { case \"$n\" in *.zst) zstd -q -dc > '" + walDir
                    + "'/\"${n%.zst}\";; *) cat > '" + walDir + "'/\"$n\";; esac; }; done");
            assertThat(walDir.resolve(wal)).exists();
            assertThat(Files.readAllBytes(walDir.resolve(wal))).isEqualTo(Files.readAllBytes(archived));
            Path pgdata = tree.resolve("data");
            pgdirs.add(pgdata);
            startByHand(pgdata, walDir);
            assertThat(sql(pgdata, pgPort(pgdata), "SELECT count(*) FILTER (WHERE note = 'before') || ' ' || count(*) FILTER (WHERE note = 'after') FROM enc_proof"))
                    .isEqualTo("1000 500");
            stop(pgdata);

            // offsite verify --download on the backup host: no identity there, the stored bytes are proved all the same
            Path noKey = conf("no-key", creds, barmanConf, "");
            Cli v = barmand("offsite", "verify", "--config", noKey.toString(), "--download", SERVER);
            assertThat(v.exit()).as(v.out() + v.err()).isZero();
            assertThat(v.out()).contains("encrypted (age) to " + ops + ", " + escrow
                    + ": stored bytes checked by SHA-256 only (no identity-file here: files not decrypted)")
                    .contains("verified: " + SERVER + " " + id + " (downloaded)");
            ResponseBytes<GetObjectResponse> good = raw.getObjectAsBytes(r -> r.bucket(BUCKET).key(dataKey));
            byte[] flipped = good.asByteArray().clone();
            flipped[flipped.length / 2] ^= 0x01;
            raw.putObject(b -> b.bucket(BUCKET).key(dataKey).metadata(good.response().metadata()), RequestBody.fromBytes(flipped));
            Cli bad = barmand("offsite", "verify", "--config", noKey.toString(), "--download", SERVER);
            assertThat(bad.exit()).isEqualTo(1);
            assertThat(bad.out()).contains("PROBLEM: SHA-256 MISMATCH " + dataKey);
            // with the identity the damage is named by decryption too
            Path withKey = conf("with-key", creds, barmanConf, key.toString());
            Cli bad2 = barmand("offsite", "verify", "--config", withKey.toString(), "--download", SERVER);
            assertThat(bad2.exit()).isEqualTo(1);
            assertThat(bad2.out()).contains("PROBLEM: SHA-256 MISMATCH " + dataKey).contains("PROBLEM: CORRUPT " + dataKey);
            raw.putObject(b -> b.bucket(BUCKET).key(dataKey).metadata(good.response().metadata()), RequestBody.fromBytes(good.asByteArray()));
            Cli ok2 = barmand("offsite", "verify", "--config", withKey.toString(), "--download", SERVER);
            assertThat(ok2.exit()).as(ok2.out()).isZero();
            assertThat(ok2.out()).contains(": decrypted with identity-file, every file compared");

            // barmand restore --from s3: refused without the identity, the rows back with it
            Cli refused = barmand("restore", "--config", noKey.toString(), SERVER, "--to", work.resolve("refused").toString());
            assertThat(refused.exit()).isEqualTo(78);
            assertThat(refused.err()).contains(dataKey + " is encrypted (age, to " + ops + ", " + escrow
                    + "): set offsite.encryption.identity-file");
            Path restored = work.resolve("restored/pgdata");
            Cli r = barmand("restore", "--config", withKey.toString(), SERVER, "--to", restored.toString());
            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            pgdirs.add(restored);
            int port = freePort();
            run(Duration.ofMinutes(2), "chown", "-R", "postgres:postgres", restored.toString());
            CommandResult st = RUN.run(List.of("runuser", "-u", "postgres", "--", PG_BIN.resolve("pg_ctl").toString(), "-D",
                    restored.toString(), "-l", restored.resolve("pg.log").toString(), "-o", "-p " + port + " -k " + restored
                    + " -c listen_addresses=''", "-w", "-t", "300", "start"), Duration.ofMinutes(6));
            assertThat(st.ok()).as(st.stderrTail()).isTrue();
            awaitPromoted(restored, port);
            assertThat(sql(restored, port, "SELECT count(*) FILTER (WHERE note = 'after') FROM enc_proof")).isEqualTo("500");
            stop(restored);

            // wal-restore's fetch of one encrypted WAL file, with the identity: the file as Barman archived it
            try (S3Store store = new S3Store(Settings.load(withKey, null).offsite().get(SERVER))) {
                Path one = work.resolve("one-wal");
                var w = new io.barmand.bucket.S3Download(store).fetchWal(SERVER, wal, one);
                assertThat(w.problem()).isNull();
                assertThat(w.key()).endsWith(wal + ".zst.age");
                assertThat(Files.readAllBytes(one)).isEqualTo(Files.readAllBytes(archived));
            }

            // the restore test from S3 of the encrypted copy
            Settings settings = Settings.load(withKey, null);
            RestoreTestService svc = new RestoreTestService(new BarmanClient(RUN, settings.barmanBinary(), settings.barmanConfigFile()),
                    RUN, settings.restore(), Clock.systemUTC(), settings.offsite(), S3Store::new);
            JobService.Result rt = svc.execute(SERVER, settings.servers().get(SERVER).job(JobKind.RESTORE_TEST));
            System.out.println("restore test from s3, encrypted copy: " + rt.figures());
            assertThat(rt.success()).as(String.valueOf(rt.figures())).isTrue();
            assertThat(rt.figures().backupId()).isEqualTo(id);
            assertThat(rt.figures().facts().text("rows")).hasValueSatisfying(t -> assertThat(t).contains("postgres:public.enc_proof=1500"));
        } finally {
            for (Path d : pgdirs) {
                stop(d);
            }
            if (id != null) {
                RUN.run(List.of("barman", "-c", barmanConf.toString(), "delete", SERVER, id), Duration.ofMinutes(2));
            }
            RUN.run(List.of("rm", "-rf", work.toString()), Duration.ofMinutes(2));
        }
    }

    /** A barmand.conf reading the copy; {@code identity}: identity-file, or "" for none. */
    Path conf(String name, Path creds, Path barmanConf, String identity) throws IOException {
        Path f = work.resolve(name + ".conf");
        Files.writeString(f, "barmand {\n"
                + "  barman.config-file = \"" + barmanConf + "\"\n"
                + "  state-dir = \"" + work.resolve("state-" + name) + "\"\n"
                + "  control-socket = \"" + work.resolve(name + ".sock") + "\"\n"
                + "  servers { " + SERVER + " {\n"
                + "    offsite { enabled = true, endpoint = \"" + S3.getUri() + "\", bucket = " + BUCKET + ", prefix = proof,\n"
                + "              credentials-file = \"" + creds + "\", spool-dir = \"" + work.resolve("spool-" + name) + "\"\n"
                + "              encryption.identity-file = \"" + identity + "\" }\n"
                + "    restore-test { source = \"s3\", scratch-dir = \"" + work.resolve("scratch") + "\", timeout = 10m,"
                + " port-range = \"54380-54399\", verify.tables = [\"postgres:public.enc_proof\"] }\n"
                + "  } }\n}\n");
        return f;
    }

    Cli barmand(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        var out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        var err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
        Cli c = new Cli(p.exitValue(), out.join(), err.join());
        System.out.println("$ barmand " + String.join(" ", args) + "\n" + c.out() + c.err() + "(exit " + c.exit() + ")");
        return c;
    }

    static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    final Map<Path, Integer> ports = new java.util.HashMap<>();

    int pgPort(Path pgdata) {
        return ports.get(pgdata);
    }

    /** PostgreSQL on the tree made by hand, its restore_command copying from the WAL decrypted by hand. */
    void startByHand(Path pgdata, Path walDir) throws Exception {
        int port = freePort();
        ports.put(pgdata, port);
        Files.writeString(pgdata.resolve("postgresql.conf"), """
                port = %d
                listen_addresses = ''
                unix_socket_directories = '%s'
                restore_command = 'cp "%s/%%f" "%%p"'
                recovery_target_timeline = 'latest'
                archive_mode = off
                shared_buffers = 32MB
                """.formatted(port, pgdata, walDir));
        Files.writeString(pgdata.resolve("pg_hba.conf"), "local all all trust\n");
        Files.writeString(pgdata.resolve("pg_ident.conf"), "");
        Files.writeString(pgdata.resolve("recovery.signal"), "");
        run(Duration.ofMinutes(1), "chmod", "-R", "a+rX", walDir.toString());
        run(Duration.ofMinutes(1), "chown", "-R", "postgres:postgres", pgdata.toString());
        run(Duration.ofMinutes(1), "chmod", "0700", pgdata.toString());
        run(Duration.ofMinutes(3), "runuser", "-u", "postgres", "--", PG_BIN.resolve("pg_ctl").toString(), "-D", pgdata.toString(),
                "-l", pgdata.resolve("pg.log").toString(), "-w", "-t", "120", "start");
        awaitPromoted(pgdata, port);
    }

    static void awaitPromoted(Path dir, int port) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            CommandResult r = RUN.run(List.of("runuser", "-u", "postgres", "--", "psql", "-X", "-At", "-h", dir.toString(), "-p",
                    Integer.toString(port), "-d", "postgres", "-c", "SELECT pg_is_in_recovery()"), Duration.ofSeconds(30));
            if (r.ok() && r.stdout().strip().equals("f")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not promoted: " + dir);
    }

    static String sql(Path dir, int port, String q) {
        return run(Duration.ofMinutes(1), "runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
                "-h", dir.toString(), "-p", Integer.toString(port), "-d", "postgres", "-c", q);
    }

    static void stop(Path pgdata) {
        if (Files.exists(pgdata.resolve("postmaster.pid"))) {
            RUN.run(List.of("runuser", "-u", "postgres", "--", PG_BIN.resolve("pg_ctl").toString(), "-D", pgdata.toString(),
                    "-m", "immediate", "stop"), Duration.ofMinutes(1));
        }
    }

    static int freePort() {
        for (int p = 54420; p <= 54439; p++) {
            try (ServerSocket s = new ServerSocket(p, 1, java.net.InetAddress.getLoopbackAddress())) {
                if (!Files.exists(Path.of("/var/run/postgresql/.s.PGSQL." + p))) {
                    return p;
                }
            } catch (IOException e) {
                // taken
            }
        }
        throw new IllegalStateException("no free port in 54420-54439");
    }
}
