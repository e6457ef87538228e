package io.barmand.bucket;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes a folder as a POSIX tar (Commons Compress: ustar headers, a PAX header where a name, a link or a size does
 * not fit) in a fixed order, hashing every regular file (SHA-256) as it goes by. Each entry carries the file's
 * permission bits, its mtime in whole seconds and its owner as the file has it (name and number, as GNU tar
 * records them). GNU tar reads the result: {@code zstd -dc data.tar.zst | tar -x}.
 */
public final class TarWriter {
    private static final String ATTRIBUTES = "unix:mode,uid,gid,owner,group,size,lastModifiedTime,isDirectory,isSymbolicLink,isRegularFile";
    private final TarArchiveOutputStream tar;
    private final byte[] buf = new byte[1 << 20];
    private final List<Manifest.FileEntry> files = new ArrayList<>();

    /** {@code out} is not closed: {@link #finish()} writes the end of the archive and flushes. */
    public TarWriter(OutputStream out) {
        tar = new TarArchiveOutputStream(out, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    /** Adds {@code root}'s content (not root itself) with names relative to it, directories before their content. */
    public void addTree(Path root) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.walk(root)) {
            all = s.filter(p -> !p.equals(root)).sorted().toList();
        }
        for (Path p : all) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("interrupted");
            }
            String name = root.relativize(p).toString().replace('\\', '/');
            Map<String, Object> a = Files.readAttributes(p, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
            if (Boolean.TRUE.equals(a.get("isDirectory"))) {
                tar.putArchiveEntry(entry(name + "/", TarConstants.LF_DIR, a));
                tar.closeArchiveEntry();
            } else if (Boolean.TRUE.equals(a.get("isSymbolicLink"))) {
                TarArchiveEntry e = entry(name, TarConstants.LF_SYMLINK, a);
                e.setLinkName(Files.readSymbolicLink(p).toString());
                tar.putArchiveEntry(e);
                tar.closeArchiveEntry();
            } else if (Boolean.TRUE.equals(a.get("isRegularFile"))) {
                addFile(p, name, a);
            }
        }
    }

    private void addFile(Path p, String name, Map<String, Object> a) throws IOException {
        long size = (Long) a.get("size");
        TarArchiveEntry e = entry(name, TarConstants.LF_NORMAL, a);
        e.setSize(size);
        tar.putArchiveEntry(e);
        MessageDigest md = Hashing.sha256();
        long n = 0;
        try (InputStream in = Files.newInputStream(p)) {
            while (n < size) {
                int r = in.read(buf, 0, (int) Math.min(buf.length, size - n));
                if (r < 0) {
                    throw new IOException(p + " shrank while being copied (" + n + " of " + size + " bytes)");
                }
                md.update(buf, 0, r);
                tar.write(buf, 0, r);
                n += r;
            }
        }
        tar.closeArchiveEntry();
        files.add(new Manifest.FileEntry(name, n, Hashing.hex(md.digest())));
    }

    private static TarArchiveEntry entry(String name, byte type, Map<String, Object> a) {
        TarArchiveEntry e = new TarArchiveEntry(name, type);
        e.setMode((Integer) a.get("mode") & 07777);
        // whole seconds, as the ustar field holds them: a fraction would add a PAX header to every entry
        e.setModTime(FileTime.from(((FileTime) a.get("lastModifiedTime")).to(TimeUnit.SECONDS), TimeUnit.SECONDS));
        e.setUserId(((Integer) a.get("uid")).longValue());
        e.setGroupId(((Integer) a.get("gid")).longValue());
        e.setUserName(((UserPrincipal) a.get("owner")).getName());
        e.setGroupName(((GroupPrincipal) a.get("group")).getName());
        return e;
    }

    /** Ends the archive (two zero blocks; records of 512 bytes, so no padding after them, as 0.1.0 wrote) and flushes. */
    public void finish() throws IOException {
        tar.finish();
        tar.flush();
    }

    public List<Manifest.FileEntry> files() {
        return List.copyOf(files);
    }
}
