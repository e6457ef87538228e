package io.barmand.daemon;

import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One daemon per state-dir: an exclusive lock on {@code STATE-DIR/barmand.lock}, taken before the history is opened
 * and held for the daemon's life; the kernel releases it when the process dies, even with -9. The file says the
 * holder's pid, for the message of a second {@code barmand run}, which exits 75 without touching anything.
 *
 * <p>The lock is a POSIX record lock: closing any descriptor of the file releases every lock the process holds on it,
 * so the holder never opens the file again, and a second daemon in the same JVM (tests) is refused from memory.
 */
public final class InstanceLock implements AutoCloseable {
    public static final String FILE = "barmand.lock";
    /** the lock files this JVM holds (a second FileChannel on one of them must never be opened, see above) */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private InstanceLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock of {@code stateDir}, or throws BUSY (exit 75) naming the pid of the daemon that holds it. */
    public static InstanceLock acquire(Path stateDir) {
        Path f = stateDir.resolve(FILE).toAbsolutePath().normalize();
        if (!HELD.add(f)) {
            throw busy(f, ProcessHandle.current().pid());
        }
        FileChannel ch = null;
        try {
            Files.createDirectories(stateDir);
            ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null;
            }
            if (l == null) {
                String pid = pidIn(ch);
                FileChannel c = ch;
                ch = null;
                // this process holds no lock on the file: closing this descriptor releases nothing
                c.close();
                HELD.remove(f);
                throw busy(f, pid);
            }
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            ch.force(false);
            return new InstanceLock(f, ch, l);
        } catch (IOException e) {
            HELD.remove(f);
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // the open failure is what the admin needs to read
                }
            }
            throw new BarmandException(Category.IO, f + ": cannot take the lock of the state-dir: " + e.getMessage(), e);
        }
    }

    private static BarmandException busy(Path f, Object pid) {
        return new BarmandException(Category.BUSY, f + ": another barmand (pid " + pid + ") is running with state-dir "
                + f.getParent() + "; this one stops here without touching the history (one daemon per state-dir)");
    }

    /** The pid the holder wrote, read through the channel already open ("unknown" while it is being written). */
    private static String pidIn(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(32);
        ch.read(b, 0);
        String s = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim();
        return s.matches("\\d+") ? s : "unknown";
    }

    public Path file() {
        return file;
    }

    /** Releases the lock (the pid stays in the file: the next holder overwrites it). */
    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the descriptor is gone either way, and with it the lock
        } finally {
            HELD.remove(file);
        }
    }
}
