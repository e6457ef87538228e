package io.barmand.offsite;

import io.barmand.testing.ItServerLock;
import org.junit.jupiter.api.extension.ExtendWith;
import io.barmand.bucket.S3Store;
import io.barmand.bucket.Manifest;
import io.barmand.config.OffsiteSettings;
import static io.barmand.offsite.ItShell.RUN;
import static io.barmand.offsite.ItShell.psql;
import static io.barmand.offsite.ItShell.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.barmand.process.CommandResult;
import io.barmand.process.CommandRunner;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The proof: a real Barman backup (PostgreSQL 15, Barman 3.4) copied with its WAL; then, with the AWS CLI from
 * Debian as an independent client, the copy is downloaded, checked against the manifest with sha256sum, unpacked
 * with GNU tar, checked with pg_verifybackup, and started as a PostgreSQL instance whose WAL comes from the
 * download alone. The rows written after the backup are there.
 */
@ResourceLock(ItServerLock.ITOFFSITE)
@ResourceLock(ItServerLock.CLUSTER)
@ExtendWith(ItServerLock.class)
class OffsiteRestoreIT {
    static final String ACCESS = "restore-it";
    static final String SECRET = "restore-it-secret";
    static final String SERVER = "itoffsite";
    static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final S3ProxyExtension S3 = S3ProxyExtension.builder().withCredentials(ACCESS, SECRET).build();

    @Test
    void aCopyDownloadedWithTheAwsCliRestoresToTheLatestWalFromS3Alone() throws Exception {
        assertThat(Path.of("/usr/bin/aws")).as("the AWS CLI from Debian (lab/host-deps.sh build installs awscli)").exists();
        String up = run(Duration.ofMinutes(5), "bash", Path.of("src/test/resources/it/offsite-fixture.sh").toAbsolutePath().toString(), "up");
        Path conf = Path.of(up.lines().reduce((a, b) -> b).orElseThrow().strip());
        Path work = Path.of("/var/tmp/barmandit-offsite/it-" + System.currentTimeMillis());
        Files.createDirectories(work);
        run(Duration.ofSeconds(10), "chmod", "0755", work.toString());
        Path pgdata = work.resolve("restore/data");
        try {
            psql("DROP TABLE IF EXISTS offsite_proof; CREATE TABLE offsite_proof (id int, note text);"
                    + " INSERT INTO offsite_proof SELECT g, 'before' FROM generate_series(1, 1000) g");
            String backup = run(Duration.ofMinutes(5), "barman", "-c", conf.toString(), "-f", "json", "backup", "--wait", SERVER);
            String id = JSON.readTree(backup).path("backup_id").asText();
            assertThat(id).matches("[0-9]{8}T[0-9]{6}");
            // rows after the backup: only the WAL can bring them back
            psql("INSERT INTO offsite_proof SELECT g, 'after' FROM generate_series(1001, 1500) g");
            String wal = psql("SELECT pg_walfile_name(pg_current_wal_lsn())");
            psql("SELECT pg_switch_wal()");
            BarmanSource source = BarmanSource.of(new io.barmand.barman.BarmanClient(RUN, Path.of("/usr/bin/barman"), Optional.of(conf)), Duration.ofMinutes(1));
            io.barmand.barman.BarmanRecords.ServerPaths paths = source.paths(SERVER);
            Path archived = paths.wals().resolve(wal.substring(0, 16)).resolve(wal);
            for (int i = 0; i < 120 && !Files.exists(archived); i++) {
                RUN.run(List.of("barman", "-c", conf.toString(), "-q", "cron"), Duration.ofMinutes(1));
                Thread.sleep(500);
            }
            assertThat(archived).as("WAL %s archived by Barman", wal).exists();

            // the copy, as the daemon's job does it
            S3Test.raw(S3.getUri(), ACCESS, SECRET).createBucket(b -> b.bucket("backups"));
            OffsiteSettings s = io.barmand.testing.TestOffsite.forEndpoint(S3.getUri(), "backups", "proof", work.resolve("spool"))
                    .withCredentialsFile(S3Test.credentials(work, ACCESS, SECRET));
            OffsiteService svc = new OffsiteService(Map.of(SERVER, s), source, S3Store::new, "it", Clock.systemUTC());
            var r = svc.execute(io.barmand.testing.Contexts.offsite(SERVER, id));
            assertThat(r.success()).as(String.valueOf(r.figures())).isTrue();
            assertThat(r.figures().facts().text("backup")).contains(id);
            assertThat(r.figures().facts().text("backup-copy")).contains("copied");

            // an independent client: the AWS CLI downloads the server's folder
            Path dl = work.resolve("download");
            CommandRunner aws = new CommandRunner(Clock.systemUTC(), Duration.ofSeconds(3), Map.of(
                    "AWS_ACCESS_KEY_ID", ACCESS, "AWS_SECRET_ACCESS_KEY", SECRET, "AWS_DEFAULT_REGION", "us-east-1",
                    "AWS_CONFIG_FILE", "/dev/null", "AWS_SHARED_CREDENTIALS_FILE", "/dev/null"));
            CommandResult cp = aws.run(List.of("/usr/bin/aws", "--endpoint-url", S3.getUri().toString(), "s3", "cp", "--recursive",
                    // S3Proxy's filesystem backend lists its folders as "name/" keys: not objects of ours
                    "--only-show-errors", "--exclude", "*/", "s3://backups/proof/" + SERVER + "/", dl.toString()),
                    Duration.ofMinutes(5));
            assertThat(cp.ok()).as("aws s3 cp: %s", cp.stderrTail()).isTrue();
            Path bdir = dl.resolve("base").resolve(id);
            Manifest m = Manifest.parse(Files.readAllBytes(bdir.resolve("manifest.json")));
            String tarSha = run(Duration.ofMinutes(1), "sha256sum", bdir.resolve("data.tar.zst").toString()).split("\\s+")[0];
            assertThat(tarSha).isEqualTo(m.objects().get(0).sha256());
            assertThat(Files.readString(bdir.resolve("backup.info"))).isEqualTo(m.backupInfo());

            // unpack with zstd and GNU tar; every file as the manifest says
            Path restore = Files.createDirectories(work.resolve("restore"));
            run(Duration.ofMinutes(5), "bash", "-c", "zstd -q -dc '" + bdir.resolve("data.tar.zst") + "' | tar -x -C '" + restore + "'");
            for (Manifest.FileEntry f : m.files()) {
                String sum = run(Duration.ofMinutes(1), "sha256sum", restore.resolve(f.path()).toString()).split("\\s+")[0];
                assertThat(sum).as(f.path()).isEqualTo(f.sha256());
            }
            assertThat(pgdata.resolve("backup_manifest")).exists();
            run(Duration.ofMinutes(2), BIN.resolve("pg_verifybackup").toString(), "-n", pgdata.toString());

            // start it with a restore_command that reads the downloaded WAL only
            int port;
            try (ServerSocket ss = new ServerSocket(0)) {
                port = ss.getLocalPort();
            }
            Path fetch = work.resolve("restore-wal.sh");
            Files.writeString(fetch, """
                    #!/bin/sh
                    # restore_command: %%f from the WAL downloaded from S3 (zstd-compressed or as Barman stored it)
                    d='%s'
                    for c in "$d"/*/"$1".zst "$d/$1".zst; do [ -f "$c" ] && exec zstd -q -dc "$c" > "$2"; done
                    for c in "$d"/*/"$1" "$d/$1"; do [ -f "$c" ] && exec cp "$c" "$2"; done
                    exit 1
                    """.formatted(dl.resolve("wals")));
            Files.writeString(pgdata.resolve("postgresql.conf"), """
                    port = %d
                    listen_addresses = ''
                    unix_socket_directories = '%s'
                    restore_command = 'sh %s %%f %%p'
                    recovery_target_timeline = 'latest'
                    archive_mode = off
                    shared_buffers = 32MB
                    """.formatted(port, work.resolve("restore"), fetch));
            Files.writeString(pgdata.resolve("pg_hba.conf"), "local all all trust\n");
            Files.writeString(pgdata.resolve("pg_ident.conf"), "");
            Files.writeString(pgdata.resolve("recovery.signal"), "");
            run(Duration.ofMinutes(1), "chmod", "-R", "a+rX", dl.toString(), fetch.toString());
            run(Duration.ofMinutes(1), "chown", "-R", "postgres:postgres", restore.toString());
            run(Duration.ofMinutes(1), "chmod", "0700", pgdata.toString());
            run(Duration.ofMinutes(3), "runuser", "-u", "postgres", "--", BIN.resolve("pg_ctl").toString(), "-D", pgdata.toString(),
                    "-l", restore.resolve("postgresql.log").toString(), "-w", "-t", "120", "start");
            String inRecovery = "t";
            for (int i = 0; i < 120 && inRecovery.equals("t"); i++) {
                inRecovery = run(Duration.ofSeconds(30), "runuser", "-u", "postgres", "--", "psql", "-X", "-At", "-h",
                        restore.toString(), "-p", Integer.toString(port), "-d", "postgres", "-c", "SELECT pg_is_in_recovery()");
                Thread.sleep(500);
            }
            assertThat(inRecovery).as("promoted at the end of the WAL").isEqualTo("f");
            String counts = run(Duration.ofSeconds(30), "runuser", "-u", "postgres", "--", "psql", "-X", "-At", "-h",
                    restore.toString(), "-p", Integer.toString(port), "-d", "postgres", "-c",
                    "SELECT count(*) FILTER (WHERE note = 'before') || ' ' || count(*) FILTER (WHERE note = 'after') FROM offsite_proof");
            assertThat(counts).isEqualTo("1000 500");
            String log = Files.readString(restore.resolve("postgresql.log"));
            assertThat(log).contains("restored log file \"" + wal + "\" from archive");
        } finally {
            if (Files.exists(pgdata.resolve("postmaster.pid"))) {
                RUN.run(List.of("runuser", "-u", "postgres", "--", BIN.resolve("pg_ctl").toString(), "-D", pgdata.toString(),
                        "-m", "immediate", "stop"), Duration.ofMinutes(1));
            }
            RUN.run(List.of("rm", "-rf", work.toString()), Duration.ofMinutes(2));
        }
    }

    static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return new ArrayList<>(s.filter(Files::isRegularFile).toList());
        }
    }
}
