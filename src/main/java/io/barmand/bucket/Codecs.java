package io.barmand.bucket;

import io.barmand.config.OffsiteSettings;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Compression of uploaded bytes: zstd (zstd-jni) or gzip (the JDK), at a level. */
public final class Codecs {
    private Codecs() {
    }

    public static OutputStream compress(OutputStream out, OffsiteSettings.Codec codec, int level) throws IOException {
        return switch (codec) {
            // with its content checksum, so that `zstd -d` itself refuses a corrupted download
            case ZSTD -> new ZstdOutputStreamNoFinalizer(out, level).setChecksum(true);
            case GZIP -> new GZIPOutputStream(out, 1 << 16) {
                {
                    def.setLevel(level);
                }
            };
            case NONE -> out;
        };
    }

    static InputStream decompress(InputStream in, OffsiteSettings.Codec codec) throws IOException {
        return switch (codec) {
            case ZSTD -> new ZstdInputStreamNoFinalizer(in);
            case GZIP -> new GZIPInputStream(in, 1 << 16);
            case NONE -> in;
        };
    }

    /** Whether a file already carries a compression Barman applied (gzip, bzip2, zstd, lz4, xz, snappy frame). */
    public static boolean alreadyCompressed(byte[] head, int n) {
        if (n >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return true;
        }
        if (n >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') {
            return true;
        }
        if (n >= 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5 && (head[2] & 0xff) == 0x2f && (head[3] & 0xff) == 0xfd) {
            return true;
        }
        if (n >= 4 && (head[0] & 0xff) == 0x04 && (head[1] & 0xff) == 0x22 && (head[2] & 0xff) == 0x4d && (head[3] & 0xff) == 0x18) {
            return true;
        }
        if (n >= 6 && (head[0] & 0xff) == 0xfd && head[1] == '7' && head[2] == 'z' && head[3] == 'X' && head[4] == 'Z') {
            return true;
        }
        return n >= 4 && (head[0] & 0xff) == 0xff && head[1] == 0x06 && head[2] == 0x00 && head[3] == 0x00;
    }
}
