package io.barmand.bucket;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Reads the tar {@link TarWriter} writes (ustar + pax path/size/linkpath), hashing each regular file and, with a
 * {@link Sink}, writing it out as it goes.
 */
public final class TarReader {
    public interface Visitor {
        void file(String name, long size, String sha256) throws IOException;
    }

    /** Where entries go when unpacking: a file's output (null = only hashed), directories and symlinks. */
    interface Sink {
        java.io.OutputStream file(String name) throws IOException;

        void directory(String name) throws IOException;

        void symlink(String name, String target) throws IOException;
    }

    private TarReader() {
    }

    public static void read(InputStream in, Visitor v) throws IOException {
        read(in, v, null);
    }

    public static void read(InputStream in, Visitor v, Sink sink) throws IOException {
        byte[] h = new byte[512];
        byte[] buf = new byte[1 << 16];
        String paxPath = null;
        Long paxSize = null;
        String paxLink = null;
        while (true) {
            if (in.readNBytes(h, 0, 512) < 512) {
                throw new EOFException("tar ends without its end blocks");
            }
            if (allZero(h)) {
                return;
            }
            long sum = 0;
            for (int i = 0; i < 512; i++) {
                sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
            }
            if (sum != octal(h, 148, 8)) {
                throw new IOException("bad tar header checksum");
            }
            String name = str(h, 0, 100);
            String prefix = str(h, 345, 155);
            if (!prefix.isEmpty()) {
                name = prefix + "/" + name;
            }
            char type = (char) h[156];
            long size = octal(h, 124, 12);
            if (type == 'x') {
                byte[] data = in.readNBytes((int) size);
                skip(in, pad(size));
                String s = new String(data, StandardCharsets.UTF_8);
                for (String rec : s.split("\n")) {
                    int sp = rec.indexOf(' ');
                    int eq = rec.indexOf('=');
                    if (sp > 0 && eq > sp) {
                        String k = rec.substring(sp + 1, eq);
                        String val = rec.substring(eq + 1);
                        if (k.equals("path")) {
                            paxPath = val;
                        } else if (k.equals("size")) {
                            try {
                                paxSize = Long.parseLong(val);
                            } catch (NumberFormatException e) {
                                throw new IOException("bad tar pax header: size '" + val + "' is not a number");
                            }
                        } else if (k.equals("linkpath")) {
                            paxLink = val;
                        }
                    }
                }
                continue;
            }
            if (paxPath != null) {
                name = paxPath;
            }
            if (paxSize != null) {
                size = paxSize;
            }
            String link = paxLink != null ? paxLink : str(h, 157, 100);
            paxPath = null;
            paxSize = null;
            paxLink = null;
            if (type == '0' || type == 0) {
                MessageDigest md = Hashing.sha256();
                long left = size;
                java.io.OutputStream out = sink == null ? null : sink.file(name);
                try {
                    while (left > 0) {
                        int r = in.read(buf, 0, (int) Math.min(buf.length, left));
                        if (r < 0) {
                            throw new EOFException("tar cut short in " + name);
                        }
                        md.update(buf, 0, r);
                        if (out != null) {
                            out.write(buf, 0, r);
                        }
                        left -= r;
                    }
                } finally {
                    if (out != null) {
                        out.close();
                    }
                }
                skip(in, pad(size));
                v.file(name, size, Hashing.hex(md.digest()));
            } else if (type == '5' && sink != null) {
                sink.directory(name.endsWith("/") ? name.substring(0, name.length() - 1) : name);
                skip(in, size + pad(size));
            } else if (type == '2' && sink != null) {
                sink.symlink(name, link);
                skip(in, size + pad(size));
            } else {
                skip(in, size + pad(size));
            }
        }
    }

    private static long pad(long n) {
        long r = n % 512;
        return r == 0 ? 0 : 512 - r;
    }

    private static void skip(InputStream in, long n) throws IOException {
        in.skipNBytes(n);
    }

    private static boolean allZero(byte[] h) {
        for (byte b : h) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static String str(byte[] h, int off, int len) {
        int end = off;
        while (end < off + len && h[end] != 0) {
            end++;
        }
        return new String(h, off, end - off, StandardCharsets.UTF_8);
    }

    /** A number field of a header; not a number = a damaged tar (IOException, as every other damage here). */
    private static long octal(byte[] h, int off, int len) throws IOException {
        String s = str(h, off, len).trim();
        try {
            return s.isEmpty() ? 0 : Long.parseLong(s, 8);
        } catch (NumberFormatException e) {
            throw new IOException("bad tar header: the field at offset " + off + " is not an octal number");
        }
    }
}
