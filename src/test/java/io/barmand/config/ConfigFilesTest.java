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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** conf.d/*.conf beside the main file: merged by name over it, every problem named with its own file and line. */
class ConfigFilesTest {
    @TempDir
    Path tmp;
    Path main;
    Path confd;
    final ServerCatalog knows = (bin, cf, t) -> Set.of("pg1", "pg2");

    @BeforeEach
    void setUp() throws IOException {
        FakeBarman barman = new FakeBarman(tmp.resolve("bin"));
        main = tmp.resolve("barmand.conf");
        Files.writeString(main, "barmand {\n  barman.binary = \"" + barman.script() + "\"\n  state-dir = \"" + tmp
                + "/state\"\n  control-socket = \"" + tmp + "/c.sock\"\n}\n");
        confd = Files.createDirectory(tmp.resolve("conf.d"));
    }

    Path include(String name, String body) throws IOException {
        return Files.writeString(confd.resolve(name), body);
    }

    String problems() {
        return catchThrowableOfType(BarmandException.class, () -> Settings.load(main, knows)).getMessage();
    }

    @Test
    void aServerDefinedOnlyInConfDIsConfigured() throws IOException {
        include("pg1.conf", """
                barmand.servers.pg1 {
                  backup.schedule = "30 1 * * *"
                }
                """);
        Settings s = Settings.load(main, knows);
        assertThat(s.servers()).containsOnlyKeys("pg1");
        assertThat(s.servers().get("pg1").job(JobKind.BACKUP).scheduleText()).isEqualTo("30 1 * * *");
        assertThat(s.file()).isEqualTo(main);
    }

    @Test
    void filesAreMergedByNameOverTheMainFileALaterOneWinning() throws IOException {
        Files.writeString(main, Files.readString(main).replace("\n}\n", "\n  servers.pg1.backup.timeout = 1h\n}\n"));
        include("20-late.conf", "barmand.servers.pg1.backup.timeout = 3h\n");
        include("10-early.conf", "barmand.servers.pg1.backup.timeout = 2h\nbarmand.servers.pg2 {}\n");
        include("30-old.conf.dpkg-old", "this is not read");
        include("empty.conf", "# nothing here yet\n");
        Files.createDirectory(confd.resolve("folder.conf"));
        assertThat(ConfigFiles.of(main)).containsExactly(main, confd.resolve("10-early.conf"), confd.resolve("20-late.conf"),
                confd.resolve("empty.conf"));
        Settings s = Settings.load(main, knows);
        assertThat(s.servers()).containsOnlyKeys("pg1", "pg2");
        assertThat(s.servers().get("pg1").job(JobKind.BACKUP).timeout()).isEqualTo(Duration.ofHours(3));
        assertThat(s.included()).containsExactly(confd.resolve("10-early.conf"), confd.resolve("20-late.conf"),
                confd.resolve("empty.conf"));
    }

    @Test
    void aBadValueInConfDIsNamedWithThatFileAndLine() throws IOException {
        Path pg1 = include("pg1.conf", """
                # pg1, the accounting cluster
                barmand.servers.pg1 {
                  backup.timeout = soon
                }
                """);
        String m = problems();
        assertThat(m).contains(pg1 + ": barmand.servers.pg1.backup.timeout").contains("(line 3)");
        assertThat(m).doesNotContain(main + ": barmand.servers.pg1");
    }

    @Test
    void aBadDefaultInConfDIsNamedWithThatFileWhereAServerInheritsIt() throws IOException {
        Files.writeString(main, Files.readString(main).replace("\n}\n", "\n  servers.pg1 {}\n}\n"));
        Path defaults = include("00-defaults.conf", "barmand.defaults {\n  check.schedule = \"0 61 * * * ?\"\n}\n");
        String m = problems();
        assertThat(m).contains(defaults + ": barmand.servers.pg1.check.schedule = \"0 61 * * * ?\"").contains("(line 2)");
        assertThat(m).doesNotContain(main + ": barmand.servers.pg1.check");
    }

    @Test
    void anUnknownKeyInConfDIsNamedWithThatFileAndLineBesideTheMainFilesProblems() throws IOException {
        Files.writeString(main, Files.readString(main).replace("\n}\n", "\n  shutdown-timeout = -5s\n}\n"));
        Path pg2 = include("pg2.conf", """
                barmand.servers.pg2 {
                  backup {
                    schedul = "0 2 * * *"
                  }
                }
                """);
        String m = problems();
        assertThat(m).contains(pg2 + ": barmand.servers.pg2.backup.schedul: unknown key (did you mean schedule?) (line 3)");
        assertThat(m).contains(main + ": barmand.shutdown-timeout");
        assertThat(m.indexOf(main + ": ")).as("the main file's problems first").isLessThan(m.indexOf(pg2 + ": "));
    }

    @Test
    void aSyntaxErrorInConfDNamesThatFile() throws IOException {
        Path bad = include("pg1.conf", "barmand.servers.pg1 { backup {\n");
        assertThat(problems()).startsWith(bad + ": not valid HOCON");
    }
}
