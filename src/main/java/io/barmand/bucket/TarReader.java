package io.barmand.bucket;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads a backup's tar (Commons Compress: ustar, PAX and GNU long names and sizes; every copy barmand ever wrote),
 * hashing each regular file and, with a {@link Sink}, writing it out as it goes. Damage is an IOException: a
 * header whose checksum is wrong, a field that does not parse, an archive cut short before its end blocks.
 */
public final class TarReader {
    public interface Visitor {
        void file(String name, long size, String sha256) throws IOException;
    }

    /** Where entries go when unpacking: a file's output (null = only hashed), directories and symlinks. */
    interface Sink {
        OutputStream file(String name) throws IOException;

        void directory(String name) throws IOException;

        void symlink(String name, String target) throws IOException;
    }

    private TarReader() {
    }

    public static void read(InputStream in, Visitor v) throws IOException {
        read(in, v, null);
    }

    /** Reads {@code in} up to the archive's end; {@code in} is left open (the caller reads what follows, and closes it). */
    public static void read(InputStream in, Visitor v, Sink sink) throws IOException {
        Strict tar = new Strict(in);
        byte[] buf = new byte[1 << 16];
        TarArchiveEntry e;
        while ((e = next(tar)) != null) {
            String name = e.getName();
            if (!e.isCheckSumOK()) {
                throw new IOException("bad tar header checksum (entry " + name + ")");
            }
            if (e.isDirectory()) {
                if (sink != null) {
                    sink.directory(name.endsWith("/") ? name.substring(0, name.length() - 1) : name);
                }
            } else if (e.isSymbolicLink()) {
                if (sink != null) {
                    sink.symlink(name, e.getLinkName());
                }
            } else if (e.isFile() && !e.isLink()) {
                MessageDigest md = Hashing.sha256();
                long n = 0;
                OutputStream out = sink == null ? null : sink.file(name);
                try {
                    int r;
                    while ((r = tar.read(buf)) > 0) {
                        md.update(buf, 0, r);
                        if (out != null) {
                            out.write(buf, 0, r);
                        }
                        n += r;
                    }
                } finally {
                    if (out != null) {
                        out.close();
                    }
                }
                if (n != e.getSize()) {
                    throw new IOException("tar cut short in " + name + " (" + n + " of " + e.getSize() + " bytes)");
                }
                v.file(name, n, Hashing.hex(md.digest()));
            }
        }
        if (tar.cutShort) {
            throw new IOException("tar ends without its end blocks");
        }
    }

    /** Commons Compress throws IllegalArgumentException for a few damaged fields: damage is an IOException here. */
    private static TarArchiveEntry next(Strict tar) throws IOException {
        try {
            return tar.getNextEntry();
        } catch (IllegalArgumentException e) {
            throw new IOException("bad tar header: " + e.getMessage(), e);
        }
    }

    /**
     * Tells an archive that ends with its zero blocks from one that stops at an entry's boundary, which Commons
     * Compress takes for the end as well (its header read comes back short, {@code null}).
     */
    private static final class Strict extends TarArchiveInputStream {
        private boolean sawEndBlock;
        private boolean cutShort;

        Strict(InputStream in) {
            super(in, StandardCharsets.UTF_8.name());
        }

        @Override
        protected boolean isEOFRecord(byte[] record) {
            if (record == null) {
                cutShort |= !sawEndBlock;
                return true;
            }
            boolean end = super.isEOFRecord(record);
            sawEndBlock |= end;
            return end;
        }
    }
}
