package io.barmand.restore;

import io.barmand.testing.ItServerLock;
import org.junit.jupiter.api.extension.ExtendWith;
import static org.assertj.core.api.Assertions.assertThat;

import io.barmand.config.Settings;
import io.barmand.process.CommandResult;
import io.barmand.job.JobService;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The scratch-host path against a real sshd on loopback, started by the test (as root, no systemd) with a generated
 * host key pinned in a known_hosts file and a generated client key; the "scratch host" user is postgres.
 */
@ResourceLock(ItServerLock.ITRESTORE)
@ResourceLock(ItServerLock.CLUSTER)
@ExtendWith(ItServerLock.class)
class RestoreSshIT {
    Path dir;
    Path scratch;
    Process sshd;
    int sshPort;

    static CommandResult sh(String... argv) {
        CommandResult r = RestoreFixture.RUNNER.run(List.of(argv), Duration.ofMinutes(1));
        assertThat(r.exitCode()).as("%s: %s", r.command(), r.stderrTail()).isZero();
        return r;
    }

    @BeforeEach
    void sshd() throws Exception {
        RestoreFixture.barmanConf();
        if (RestoreFixture.barman().listBackups(RestoreFixture.SERVER, Duration.ofMinutes(1)).stream()
                .noneMatch(b -> "DONE".equals(b.status()))) {
            RestoreFixture.backup();
        }
        dir = Files.createTempDirectory(Path.of("/var/tmp"), "barmand-restore-ssh-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        scratch = dir.resolve("scratch");
        Files.createDirectories(scratch);
        sh("chown", "postgres:postgres", scratch.toString());
        sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host_key").toString());
        sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("client_key").toString());
        // barman recover runs ssh as barman: the key must be barman's to read
        sh("chown", "barman", dir.resolve("client_key").toString());
        Files.copy(dir.resolve("client_key.pub"), dir.resolve("authorized_keys"));
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            sshPort = s.getLocalPort();
        }
        Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "Port " + sshPort, "ListenAddress 127.0.0.1", "HostKey " + dir.resolve("host_key"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"), "StrictModes no", "PasswordAuthentication no",
                "KbdInteractiveAuthentication no", "UsePAM yes", "AllowUsers postgres", "PidFile " + dir.resolve("sshd.pid"), ""));
        String hostKey = Files.readString(dir.resolve("host_key.pub")).strip().split(" ")[1];
        Files.writeString(dir.resolve("known_hosts"), "[127.0.0.1]:" + sshPort + " ssh-ed25519 " + hostKey + "\n");
        Files.createDirectories(Path.of("/run/sshd"));
        sshd = new ProcessBuilder("/usr/sbin/sshd", "-D", "-f", dir.resolve("sshd_config").toString(), "-E",
                dir.resolve("sshd.log").toString()).start();
        for (int i = 0; i < 50 && !Files.exists(dir.resolve("sshd.pid")); i++) {
            Thread.sleep(100);
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (sshd != null) {
            sshd.destroy();
            sshd.waitFor();
        }
        for (ProcessHandle p : RestoreFixture.postgresOn(scratch)) {
            p.destroyForcibly();
        }
        Scratch.deleteTree(dir);
    }

    String block(String knownHosts) {
        return "scratch-dir = \"" + scratch + "\"\n"
                + "timeout = 10m\n"
                + "port-range = \"54340-54349\"\n"
                + "verify.tables = [\"restoreit:public.accounts\"]\n"
                + "scratch-host { host = \"127.0.0.1\", port = " + sshPort + ", user = postgres, key-file = \""
                + dir.resolve("client_key") + "\", known-hosts = \"" + knownHosts + "\" }\n";
    }

    @Test
    void restoreTestOnAScratchHostOverSsh() throws IOException {
        Settings s = RestoreFixture.settings(dir, block(dir.resolve("known_hosts").toString()));
        JobService.Result r = RestoreFixture.service(s).execute(RestoreFixture.SERVER, RestoreFixture.job(s));
        System.out.println("over ssh: " + r.figures());
        assertThat(r.success()).as(r.figures().toString()).isTrue();
        assertThat(r.figures().facts().seconds("rto")).hasValueSatisfying(t -> assertThat(t).isPositive());
        assertThat(r.figures().facts().seconds("amcheck")).isPresent();
        assertThat(r.figures().facts().text("rows")).hasValueSatisfying(t -> assertThat(t).contains("restoreit:public.accounts="));
        assertThat(scratch.resolve(RestoreFixture.SERVER)).doesNotExist();
        assertThat(RestoreFixture.postgresOn(scratch)).isEmpty();
    }

    @Test
    void anUnknownHostKeyIsRefused() throws IOException {
        Path other = dir.resolve("other_known_hosts");
        sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("other_key").toString());
        Files.writeString(other, "[127.0.0.1]:" + sshPort + " ssh-ed25519 "
                + Files.readString(dir.resolve("other_key.pub")).strip().split(" ")[1] + "\n");
        Settings s = RestoreFixture.settings(dir, block(other.toString()));
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(
                () -> RestoreFixture.service(s).execute(RestoreFixture.SERVER, RestoreFixture.job(s)));
        assertThat(t).hasMessageContaining("cannot reach scratch host");
        assertThat(scratch.resolve(RestoreFixture.SERVER)).doesNotExist();
    }
}
