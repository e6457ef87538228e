package io.barmand.manual;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * {@code gzip -9n} as dh_compress runs it, for the files the .deb installs compressed (man pages, the changelog): no
 * name and no time in the header, so that the file depends on its text alone, and the header's "maximum
 * compression" flag (XFL = 2) and Unix as the OS, as gzip writes them (the JDK writes 0 and 0; lintian reads XFL
 * and says poor-compression-in-manual-page without it). At build time: {@code Gzip SRC DST}.
 */
public final class Gzip {
    private static final int XFL = 8;
    private static final int OS = 9;

    private Gzip() {
    }

    static byte[] gzip9n(byte[] text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length / 3 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out) {
            {
                def.setLevel(Deflater.BEST_COMPRESSION);
            }
        }) {
            gz.write(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] b = out.toByteArray();
        // the header is outside the CRC (no FHCRC): two bytes set as gzip -9 sets them
        b[XFL] = 2;
        b[OS] = 3;
        return b;
    }

    static void write(Path file, byte[] text) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, gzip9n(text));
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: Gzip SRC DST");
            System.exit(64);
        }
        write(Path.of(args[1]), Files.readAllBytes(Path.of(args[0])));
    }
}
