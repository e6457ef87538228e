package io.barmand.manual;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** The .deb's gzipped files as gzip -9n writes them: lintian reads the header's flags (poor-compression-in-manual-page). */
class GzipTest {
    @Test
    void headerSaysMaximumCompressionNoNameNoTimeAndUnix() throws Exception {
        byte[] text = ".TH BARMAND 8\n.SH NAME\nbarmand \\- drives Barman\n".repeat(50).getBytes(StandardCharsets.UTF_8);
        byte[] gz = Gzip.gzip9n(text);
        assertThat(gz[0] & 0xff).isEqualTo(0x1f);
        assertThat(gz[1] & 0xff).isEqualTo(0x8b);
        assertThat(gz[3]).as("FLG: no name, no comment, no header CRC").isZero();
        assertThat(new byte[] {gz[4], gz[5], gz[6], gz[7]}).as("MTIME").containsOnly(0);
        assertThat(gz[8]).as("XFL: maximum compression").isEqualTo((byte) 2);
        assertThat(gz[9]).as("OS: Unix").isEqualTo((byte) 3);
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            assertThat(in.readAllBytes()).isEqualTo(text);
        }
        assertThat(Gzip.gzip9n(text)).isEqualTo(gz);
    }
}
