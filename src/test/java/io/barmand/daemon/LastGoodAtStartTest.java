package io.barmand.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.barmand.config.LastGood;
import io.barmand.config.Settings;
import io.barmand.testing.FakeBarman;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon keeps the settings it started with, for status and history on a broken file. */
class LastGoodAtStartTest {
    @TempDir
    Path tmp;

    @Test
    void theStartWritesLastGoodConf() throws Exception {
        FakeBarman fake = new FakeBarman(tmp.resolve("bin")).answer("list-servers", "list-servers.json", 0);
        Path conf = tmp.resolve("barmand.conf");
        Files.writeString(conf, """
                barmand {
                  barman.binary = "%s"
                  state-dir = "%s"
                  control-socket = "%s"
                  metrics.listen = ""
                  defaults { check.schedule = off, switch-wal.schedule = off, verify.schedule = off }
                  history.prune.schedule = off
                  report.schedule = off
                  servers { itpg { backup.schedule = off } }
                }
                """.formatted(fake.script(), tmp.resolve("state"), tmp.resolve("c.sock")));
        Daemon d = new Daemon(Settings.load(conf, null), Clock.systemUTC());
        try {
            d.start();
        } finally {
            d.stop();
        }
        Path f = tmp.resolve("state").resolve(LastGood.FILE);
        assertThat(f).exists();
        Files.writeString(conf, Files.readString(conf).replace("servers {", "colour = red\n  servers {"));
        LastGood.Loaded l = LastGood.load(conf, null);
        assertThat(l.source()).isEqualTo(LastGood.Source.LAST_GOOD);
        assertThat(l.settings().orElseThrow().servers()).containsOnlyKeys("itpg");
        assertThat(l.warning().orElseThrow()).contains("barmand.colour: unknown key").contains(f.toString());
    }
}
