package io.barmand.offsite;

import io.barmand.bucket.Layout;
import io.barmand.config.OffsiteSettings;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class LayoutTest {
    static final long SEG = 16L << 20;

    @Test
    void keysFollowTheDocumentedLayout() {
        Layout l = new Layout("/site1/barman/");
        assertThat(l.data("pg1", "20261124T010203", OffsiteSettings.Codec.ZSTD)).isEqualTo("site1/barman/pg1/base/20261124T010203/data.tar.zst");
        assertThat(l.data("pg1", "20261124T010203", OffsiteSettings.Codec.GZIP)).endsWith("/data.tar.gz");
        assertThat(l.manifest("pg1", "20261124T010203")).isEqualTo("site1/barman/pg1/base/20261124T010203/manifest.json");
        assertThat(l.wal("pg1", "000000010000000A000000FF", ".zst")).isEqualTo("site1/barman/pg1/wals/000000010000000A/000000010000000A000000FF.zst");
        assertThat(l.wal("pg1", "00000002.history", "")).isEqualTo("site1/barman/pg1/wals/00000002.history");
        assertThat(l.wal("pg1", "000000010000000000000002.00000028.backup", ".zst"))
                .isEqualTo("site1/barman/pg1/wals/0000000100000000/000000010000000000000002.00000028.backup.zst");
        assertThat(new Layout("").server("pg1")).isEqualTo("pg1/");
    }

    @Test
    void walNamesAreRecognisedWithOrWithoutSuffix() {
        assertThat(Layout.walName("p/pg1/wals/0000000100000000/000000010000000000000003.zst")).contains("000000010000000000000003");
        assertThat(Layout.walName("p/pg1/wals/00000002.history")).contains("00000002.history");
        assertThat(Layout.walName("p/pg1/wals/0000000100000000/000000010000000000000003.partial")).isEmpty();
        assertThat(Layout.walName("p/pg1/wals/xlog.db")).isEmpty();
        // encrypted objects (offsite.encryption): .age after the codec's suffix
        assertThat(Layout.walName("p/pg1/wals/0000000100000000/000000010000000000000003.zst.age")).contains("000000010000000000000003");
        assertThat(Layout.walName("p/pg1/wals/0000000100000000/000000010000000000000003.age")).contains("000000010000000000000003");
        assertThat(Layout.walName("p/pg1/wals/0000000100000000/000000010000000000000003.age.zst")).isEmpty();
    }

    @Test
    void onlyAWholeKeyOfBarmandsLayoutIsAWalOfTheServer() {
        Layout l = new Layout("p");
        assertThat(l.walOf("pg1", "p/pg1/wals/0000000100000000/000000010000000000000003.zst")).contains("000000010000000000000003");
        assertThat(l.walOf("pg1", "p/pg1/wals/0000000100000000/000000010000000000000003")).contains("000000010000000000000003");
        assertThat(l.walOf("pg1", "p/pg1/wals/00000002.history")).contains("00000002.history");
        assertThat(l.walOf("pg1", "p/pg1/wals/0000000100000000/000000010000000000000003.zst.age")).contains("000000010000000000000003");
        assertThat(l.walOf("pg1", "p/pg1/wals/00000002.history.age")).contains("00000002.history");
        assertThat(l.walOf("pg1", "p/pg1/wals/0000000100000000/000000010000000000000003.lz4.age")).isEmpty();
        // another tool's objects under wals/, whose last component looks like a WAL file: not barmand's
        assertThat(l.walOf("pg1", "p/pg1/wals/other-tool/000000010000000000000003")).isEmpty();
        assertThat(l.walOf("pg1", "p/pg1/wals/000000010000000000000003")).isEmpty();
        assertThat(l.walOf("pg1", "p/pg1/wals/0000000100000001/000000010000000000000003")).isEmpty();
        assertThat(l.walOf("pg1", "p/pg1/wals/0000000100000000/sub/000000010000000000000003.zst")).isEmpty();
        assertThat(l.walOf("pg1", "p/pg1/wals/0000000100000000/000000010000000000000003.lz4")).isEmpty();
        assertThat(l.walOf("pg2", "p/pg1/wals/0000000100000000/000000010000000000000003")).isEmpty();
        assertThat(l.walOf("pg1", "q/pg1/wals/0000000100000000/000000010000000000000003")).isEmpty();
    }

    @Test
    void segmentArithmeticCrossesLogBoundaries() {
        assertThat(Layout.segmentIndex("0000000100000001000000FF", SEG)).isEqualTo(256 + 255);
        assertThat(Layout.segmentName(1, 512, SEG)).isEqualTo("000000010000000200000000");
        assertThat(Layout.segmentIndex("000000010000000100000002", 64L << 20)).isEqualTo(64 + 2);
    }

    @Test
    void gapsAreFoundPerTimeline() {
        Set<String> s = new TreeSet<>(Set.of("0000000100000000000000FE", "000000010000000100000000", "000000010000000100000001",
                "000000010000000100000004", "000000020000000100000004", "000000020000000100000005", "00000002.history"));
        assertThat(Layout.gaps(s, SEG)).containsExactly("0000000100000000000000FF",
                "000000010000000100000002..000000010000000100000003");
    }
}
