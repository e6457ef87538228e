package io.barmand.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.barmand.error.BarmandException;
import io.barmand.testing.FakeBarman;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** switch-xlog, Barman's old name of switch-wal, as a config key. */
class AliasesTest {
    @TempDir
    Path tmp;

    Path conf(String body) throws IOException {
        FakeBarman barman = new FakeBarman(tmp.resolve("bin"));
        Path f = tmp.resolve("barmand.conf");
        Files.writeString(f, "barmand {\n  barman.binary = \"" + barman.script() + "\"\n  state-dir = \"" + tmp
                + "/state\"\n  control-socket = \"" + tmp + "/c.sock\"\n" + body + "\n}\n");
        return f;
    }

    Settings load(Path f) {
        return Settings.load(f, (bin, cf, t) -> Set.of("pg1", "pg2"));
    }

    @Test
    void switchXlogIsSwitchWalInAServerBlockAndInDefaults() throws IOException {
        Settings s = load(conf("""
                defaults.switch-xlog { archive-timeout = 30s }
                servers { pg1 { switch-xlog.schedule = "0 5 * * * ?" }, pg2 {} }
                """));
        JobSettings pg1 = s.servers().get("pg1").job(JobKind.SWITCH_WAL);
        assertThat(pg1.scheduleText()).isEqualTo("0 5 * * * ?");
        assertThat(pg1.archiveTimeout()).isEqualTo(Duration.ofSeconds(30));
        JobSettings pg2 = s.servers().get("pg2").job(JobKind.SWITCH_WAL);
        assertThat(pg2.scheduleText()).isEqualTo("0 0 * * * ?");
        assertThat(pg2.archiveTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void bothNamesInOneBlockIsAProblemNamingBothLines() throws IOException {
        Path f = conf("""
                servers { pg1 {
                  switch-wal.schedule = "0 5 * * * ?"
                  switch-xlog.schedule = "0 10 * * * ?"
                } }
                """);
        BarmandException e = catchThrowableOfType(BarmandException.class, () -> load(f));
        assertThat(e.exitCode()).isEqualTo(78);
        assertThat(e.getMessage()).isEqualTo(f + ": barmand.servers.pg1.switch-xlog: is the old name of switch-wal, which is "
                + "set too (line 6): keep one of them (line 7)");
    }

    @Test
    void aTypoNearTheOldNameIsStillUnknown() throws IOException {
        Path f = conf("servers { pg1 { switch-xlgo.schedule = off } }");
        BarmandException e = catchThrowableOfType(BarmandException.class, () -> load(f));
        assertThat(e.getMessage()).contains("barmand.servers.pg1.switch-xlgo: unknown key");
    }

    @Test
    void jobKindByIdTakesTheOldName() {
        assertThat(JobKind.byId("switch-xlog")).contains(JobKind.SWITCH_WAL);
        assertThat(JobKind.byId("switch-wal")).contains(JobKind.SWITCH_WAL);
        assertThat(JobKind.byId("switch")).isEmpty();
        assertThat(JobKind.byId(null)).isEmpty();
    }
}
