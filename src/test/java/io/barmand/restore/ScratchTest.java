package io.barmand.restore;

import io.barmand.config.RestoreSettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.barmand.error.BarmandException;
import io.barmand.process.CommandRunner;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScratchTest {
    @TempDir
    Path tmp;

    RestoreSettings rs(int from, int to, double margin) {
        return new RestoreSettings("pg1", io.barmand.vocabulary.RestoreSource.BARMAN, "latest", RestoreSettings.Target.END, tmp.resolve("scratch"), "nobody",
                Path.of("/usr/lib/postgresql/15/bin"), "postgres", from, to, false, margin,
                new RestoreSettings.Verify(true, List.of(), List.of(), List.of()),
                new RestoreSettings.Canary(false, "", "", Optional.empty(), "postgres", "barmand", "canary", Duration.ofSeconds(5)),
                Optional.empty());
    }

    Scratch scratch(RestoreSettings rs) {
        return new Scratch(rs, new CommandRunner(Clock.systemUTC(), Duration.ofSeconds(1)));
    }

    @Test
    void refusesAFolderThatIsNotBarmands() throws IOException {
        Path foreign = tmp.resolve("scratch/pg1");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("base"), "precious");
        Throwable t = catchThrowable(() -> scratch(rs(54320, 54339, 1.0)).prepare(1, "test"));
        assertThat(t).isInstanceOf(BarmandException.class).hasMessageContaining("not barmand's");
        assertThat(foreign.resolve("base")).hasContent("precious");
    }

    @Test
    void clearsItsOwnLeftoversAndMarksTheNewFolder() throws IOException {
        Path old = tmp.resolve("scratch/pg1");
        Files.createDirectories(old);
        Files.writeString(old.resolve(Scratch.MARKER), "barmand restore-test server=pg1 pid=1");
        Files.writeString(old.resolve("PG_VERSION"), "15");
        Scratch s = scratch(rs(54320, 54339, 1.0));
        s.prepare(1, "run 2");
        assertThat(old.resolve("PG_VERSION")).doesNotExist();
        assertThat(old.resolve(Scratch.MARKER)).hasContent("run 2");
        assertThat(Files.getPosixFilePermissions(old)).hasSize(3);
    }

    @Test
    void refusesWhenThePortIsTakenOrDiskIsShort() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int p = taken.getLocalPort();
            assertThat(catchThrowable(() -> scratch(rs(p, p, 1.0)).prepare(1, "x"))).hasMessageContaining("no free port");
        }
        assertThat(catchThrowable(() -> scratch(rs(54320, 54339, 1.0)).prepare(Long.MAX_VALUE / 2, "x")))
                .hasMessageContaining("not enough free disk");
        assertThat(tmp.resolve("scratch/pg1")).doesNotExist();
    }

    @Test
    void configurationOverridesWhatTheBackupBrings() throws IOException {
        Scratch s = scratch(rs(54320, 54339, 1.0));
        s.prepare(1, "x");
        Path auto = s.dir().resolve("postgresql.auto.conf");
        Files.writeString(auto, "primary_conninfo = 'host=prod'\narchive_command = 'false'\nrestore_command = 'cp barman_wal/%f %p'\n"
                + "recovery_target_time = '2026-11-24 01:00:00+00:00'\nshared_preload_libraries = 'pg_stat_statements'\n");
        s.configure();
        String a = Files.readString(auto);
        assertThat(a).contains("# barmand scratch: primary_conninfo", "# barmand scratch: archive_command",
                "# barmand scratch: shared_preload_libraries", "\nrestore_command = 'cp barman_wal/%f %p'",
                "\nrecovery_target_time = ");
        String conf = Files.readString(s.dir().resolve("postgresql.conf"));
        assertThat(conf).contains("listen_addresses = ''", "archive_mode = off", "max_logical_replication_workers = 0",
                "port = " + s.port(), "unix_socket_directories = '" + s.dir() + "'", "hot_standby = off");
        assertThat(Files.readString(s.dir().resolve("pg_hba.conf"))).contains("local all all trust").doesNotContain("host");
    }

    @Test
    void amcheckFindingsNameRelationAndBlock() {
        var r = new io.barmand.process.CommandResult(List.of("pg_amcheck"), 2,
                "heap table \"app.public.orders\", block 7, offset 3:\n    line pointer redirection to item at offset 99 exceeds maximum offset 12\n"
                        + "btree index \"app.public.orders_pkey\":\n    ERROR:  index \"orders_pkey\" lacks a main relation fork\n",
                "", java.time.Instant.EPOCH, Duration.ZERO, false, false);
        assertThat(Verifier.amcheckFindings(r)).contains("heap table \"app.public.orders\", block 7", "orders_pkey");
    }
}
