package io.barmand.barman;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The WAL chain of a backup in a Barman xlog.db: whole, with a hole, across a log id and a timeline switch. */
class WalChainTest {
    static final long MB16 = 16L << 20;
    @TempDir
    Path tmp;

    Path xlog(String... names) throws Exception {
        StringBuilder b = new StringBuilder();
        double t = 1_765_000_000;
        for (String n : names) {
            b.append(n).append('\t').append(16777216).append('\t').append(t++).append("\tgzip\n");
        }
        Path p = tmp.resolve("xlog.db");
        Files.writeString(p, b.toString());
        return p;
    }

    @Test
    void aWholeChainAcrossALogIdAndATimelineSwitch() throws Exception {
        Path p = xlog("0000000100000000000000FE", "0000000100000000000000FF", "000000010000000100000000",
                "000000010000000100000000.00000028.backup", "00000002.history", "000000020000000100000001",
                "000000020000000100000002");
        WalChain.Scan s = WalChain.read(p, "0000000100000000000000FF", "000000010000000100000000", MB16);
        assertThat(s.firstMissing()).isEmpty();
        assertThat(s.newest()).map(RestorePoint.Wal::name).contains("000000020000000100000002");
        assertThat(s.newest().get().archived()).isEqualTo(Instant.ofEpochSecond(1_765_000_006));
    }

    @Test
    void aHoleAfterTheBackupIsNamed() throws Exception {
        Path p = xlog("000000010000000000000003", "000000010000000000000004", "000000010000000000000006");
        assertThat(WalChain.read(p, "000000010000000000000003", "000000010000000000000003", MB16).firstMissing())
                .contains("000000010000000000000005");
        // a hole before the backup does not matter
        assertThat(WalChain.read(p, "000000010000000000000006", "000000010000000000000006", MB16).firstMissing()).isEmpty();
    }

    @Test
    void theBackupsEndWalNotYetArchivedIsMissing() throws Exception {
        Path p = xlog("000000010000000000000003");
        assertThat(WalChain.read(p, "000000010000000000000003", "000000010000000000000004", MB16).firstMissing())
                .contains("000000010000000000000004");
    }

    @Test
    void sixtyFourMegabyteSegmentsWrapAt3F() throws Exception {
        Path p = xlog("00000001000000000000003F", "000000010000000100000000");
        assertThat(WalChain.read(p, "00000001000000000000003F", null, 64L << 20).firstMissing()).isEmpty();
        assertThat(WalChain.read(p, "00000001000000000000003F", null, MB16).firstMissing()).contains("000000010000000000000040");
    }

    @Test
    void withoutABackupOnlyTheNewestIsRead() throws Exception {
        Path p = xlog("000000010000000300000060", "000000010000000300000063");
        WalChain.Scan s = WalChain.read(p, null, null, MB16);
        assertThat(s.newest()).map(RestorePoint.Wal::name).contains("000000010000000300000063");
        assertThat(s.firstMissing()).isEmpty();
    }

    @Test
    void aScanIsKeptWhileTheFileIsUnchanged() throws Exception {
        Path p = xlog("000000010000000000000003", "000000010000000000000005");
        WalChain c = new WalChain();
        WalChain.Scan first = c.scan(p, "000000010000000000000003", null, MB16);
        assertThat(c.scan(p, "000000010000000000000003", null, MB16)).isSameAs(first);
        Files.writeString(p, Files.readString(p) + "000000010000000000000004\t1\t1765000009.0\tgzip\n");
        assertThat(c.scan(p, "000000010000000000000003", null, MB16).firstMissing()).isEmpty();
    }
}
