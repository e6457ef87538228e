package io.barmand.offsite;

import io.barmand.bucket.Hashing;
import io.barmand.bucket.Manifest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The hand-written tar writer of barmand 0.1.0 (io.barmand.bucket.TarWriter up to commit 6004ad9), unchanged but
 * for its name: the format of every copy already in a bucket (ustar, the ustar prefix or a PAX path for long names,
 * PAX size above 8 GiB, uid/gid 0 and the names postgres/postgres). Kept so that tests read such copies with
 * today's reader, and so that bench/tar compares the two writers.
 */
final class LegacyTarWriter {
    private static final int BLOCK = 512;
    private final OutputStream out;
    private final byte[] buf = new byte[1 << 20];
    private final List<Manifest.FileEntry> files = new ArrayList<>();
    private long written;

    LegacyTarWriter(OutputStream out) {
        this.out = out;
    }

    /** Adds {@code root}'s content (not root itself) with names relative to it, directories before their content. */
    public void addTree(Path root) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.walk(root)) {
            all = s.filter(p -> !p.equals(root)).sorted().toList();
        }
        for (Path p : all) {
            if (Thread.currentThread().isInterrupted()) {
                throw new java.io.InterruptedIOException("interrupted");
            }
            String name = root.relativize(p).toString().replace('\\', '/');
            PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isDirectory()) {
                header(name + "/", '5', 0, mode(a.permissions()), a.lastModifiedTime().toMillis() / 1000, "");
            } else if (a.isSymbolicLink()) {
                header(name, '2', 0, mode(a.permissions()), a.lastModifiedTime().toMillis() / 1000, Files.readSymbolicLink(p).toString());
            } else if (a.isRegularFile()) {
                addFile(p, name, a);
            }
        }
    }

    private void addFile(Path p, String name, PosixFileAttributes a) throws IOException {
        long size = a.size();
        header(name, '0', size, mode(a.permissions()), a.lastModifiedTime().toMillis() / 1000, "");
        MessageDigest md = Hashing.sha256();
        long n = 0;
        try (InputStream in = Files.newInputStream(p)) {
            while (n < size) {
                int r = in.read(buf, 0, (int) Math.min(buf.length, size - n));
                if (r < 0) {
                    throw new IOException(p + " shrank while being copied (" + n + " of " + size + " bytes)");
                }
                md.update(buf, 0, r);
                out.write(buf, 0, r);
                n += r;
            }
        }
        written += n;
        pad(n);
        files.add(new Manifest.FileEntry(name, n, Hashing.hex(md.digest())));
    }

    public void finish() throws IOException {
        out.write(new byte[BLOCK * 2]);
        written += BLOCK * 2L;
        out.flush();
    }

    public List<Manifest.FileEntry> files() {
        return List.copyOf(files);
    }

    private void pad(long n) throws IOException {
        int rem = (int) (n % BLOCK);
        if (rem != 0) {
            out.write(new byte[BLOCK - rem]);
            written += BLOCK - rem;
        }
    }

    private static int mode(Set<PosixFilePermission> perms) {
        int m = 0;
        for (PosixFilePermission p : perms) {
            m |= switch (p) {
                case OWNER_READ -> 0400;
                case OWNER_WRITE -> 0200;
                case OWNER_EXECUTE -> 0100;
                case GROUP_READ -> 040;
                case GROUP_WRITE -> 020;
                case GROUP_EXECUTE -> 010;
                case OTHERS_READ -> 04;
                case OTHERS_WRITE -> 02;
                case OTHERS_EXECUTE -> 01;
            };
        }
        return m;
    }

    private void header(String name, char type, long size, int mode, long mtime, String link) throws IOException {
        byte[] nb = name.getBytes(StandardCharsets.UTF_8);
        byte[] lb = link.getBytes(StandardCharsets.UTF_8);
        String ustarName = name;
        String ustarPrefix = "";
        if (nb.length > 100) {
            int cut = name.lastIndexOf('/', Math.min(name.length() - 2, 155));
            if (cut > 0 && name.substring(0, cut).getBytes(StandardCharsets.UTF_8).length <= 155
                    && name.substring(cut + 1).getBytes(StandardCharsets.UTF_8).length <= 100) {
                ustarPrefix = name.substring(0, cut);
                ustarName = name.substring(cut + 1);
            } else {
                pax("path", name);
                ustarName = name.substring(0, Math.min(name.length(), 99));
            }
        }
        if (lb.length > 100) {
            pax("linkpath", link);
            link = "";
        }
        if (size > 077777777777L) {
            pax("size", Long.toString(size));
        }
        block(ustarName, type, size > 077777777777L ? 0 : size, mode, mtime, link, ustarPrefix);
    }

    private void pax(String key, String value) throws IOException {
        String rec = " " + key + "=" + value + "\n";
        int len = rec.getBytes(StandardCharsets.UTF_8).length;
        int total = len + Integer.toString(len).length();
        if (Integer.toString(total).length() != Integer.toString(len).length()) {
            total++;
        }
        byte[] data = (total + rec).getBytes(StandardCharsets.UTF_8);
        block("PaxHeader", 'x', data.length, 0644, 0, "", "");
        out.write(data);
        written += data.length;
        pad(data.length);
    }

    private void block(String name, char type, long size, int mode, long mtime, String link, String prefix) throws IOException {
        byte[] h = new byte[BLOCK];
        put(h, 0, 100, name);
        octal(h, 100, 8, mode);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, mtime);
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        h[156] = (byte) type;
        put(h, 157, 100, link);
        put(h, 257, 6, "ustar");
        h[263] = '0';
        h[264] = '0';
        put(h, 265, 32, "postgres");
        put(h, 297, 32, "postgres");
        put(h, 345, 155, prefix);
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        String cs = String.format("%06o", sum);
        put(h, 148, 6, cs);
        h[154] = 0;
        h[155] = ' ';
        out.write(h);
        written += BLOCK;
    }

    private static void put(byte[] h, int off, int len, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, h, off, Math.min(len, b.length));
    }

    private static void octal(byte[] h, int off, int len, long v) {
        String s = Long.toOctalString(v);
        String padded = "0".repeat(Math.max(0, len - 1 - s.length())) + s;
        put(h, off, len - 1, padded);
        h[off + len - 1] = 0;
    }
}
