package io.barmand.process;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What barmand keeps of one output stream of a command. The whole output stays in memory while it is small
 * ({@code memoryLimit}) and the {@link OutputBudget} has room, in chunks that are never copied to grow; past that,
 * only its first {@code headSize} and last {@code tailSize} bytes stay, and, when a parser needs the whole output,
 * the rest goes to a spill file (0600, in the temporary folder, deleted by {@link #close}) up to {@code fullLimit}.
 * Thread-safe: the drainer writes while the runner may already read what is there.
 */
final class Capture implements AutoCloseable {
    static final int CHUNK = 64 * 1024;

    private final OutputBudget budget;
    private final long memoryLimit;
    private final int headSize;
    private final int tailSize;
    private final long fullLimit;
    private final boolean spill;
    private final Path spillDir;

    private final List<byte[]> chunks = new ArrayList<>();
    private int lastUsed; // bytes used in the last chunk
    private long inMemory; // bytes in chunks
    private long taken; // budget held
    private boolean overflowed;
    private byte[] head = new byte[0];
    private int headUsed;
    private final byte[] ring;
    private long total;
    private Path spillFile;
    private OutputStream spillOut;
    private long spilled;
    private boolean tooLarge;
    private boolean closed;

    /**
     * @param memoryLimit at most this much of the whole output in memory (0: head and tail only)
     * @param spill a parser will want the whole output (up to {@code fullLimit}): spill past the memory
     */
    Capture(OutputBudget budget, long memoryLimit, int headSize, int tailSize, boolean spill, long fullLimit, Path spillDir) {
        this.budget = budget;
        this.memoryLimit = memoryLimit;
        this.headSize = headSize;
        this.tailSize = tailSize;
        this.spill = spill;
        this.fullLimit = fullLimit;
        this.spillDir = spillDir;
        this.ring = new byte[tailSize];
    }

    synchronized void write(byte[] b, int off, int n) {
        if (closed) {
            return;
        }
        toRing(b, off, n);
        total += n;
        if (!overflowed && !toChunks(b, off, n)) {
            overflow();
        }
        if (overflowed) {
            int h = Math.min(n, headSize - headUsed);
            if (h > 0) {
                System.arraycopy(b, off, head, headUsed, h);
                headUsed += h;
            }
            toSpill(b, off, n);
        }
    }

    /** The last tailSize bytes, in a ring whose next write goes at total % tailSize. */
    private void toRing(byte[] b, int off, int n) {
        if (tailSize == 0) {
            return;
        }
        int k = Math.min(n, tailSize);
        int from = off + n - k;
        int pos = (int) ((total + n - k) % tailSize);
        int first = Math.min(k, tailSize - pos);
        System.arraycopy(b, from, ring, pos, first);
        System.arraycopy(b, from + first, ring, 0, k - first);
    }

    /** Appends to the chunks; false when the memory limit or the budget says no (nothing appended then). */
    private boolean toChunks(byte[] b, int off, int n) {
        if (inMemory + n > memoryLimit) {
            return false;
        }
        int room = chunks.isEmpty() ? 0 : CHUNK - lastUsed;
        int need = n - room;
        int more = need <= 0 ? 0 : (need + CHUNK - 1) / CHUNK;
        if (more > 0 && !budget.tryTake((long) more * CHUNK)) {
            return false;
        }
        taken += (long) more * CHUNK;
        int done = 0;
        while (done < n) {
            if (chunks.isEmpty() || lastUsed == CHUNK) {
                chunks.add(new byte[CHUNK]);
                lastUsed = 0;
            }
            int k = Math.min(n - done, CHUNK - lastUsed);
            System.arraycopy(b, off + done, chunks.get(chunks.size() - 1), lastUsed, k);
            lastUsed += k;
            done += k;
        }
        inMemory += n;
        return true;
    }

    /** From now on head and tail only (and the spill file): the chunks go to the file, their budget is given back. */
    private void overflow() {
        overflowed = true;
        head = new byte[headSize];
        if (spill) {
            try {
                spillFile = Files.createTempFile(spillDir, "barmand-output-", ".spill",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                spillOut = Files.newOutputStream(spillFile);
            } catch (IOException | UnsupportedOperationException e) {
                tooLarge = true; // no file: the whole output cannot be read (the parser is told)
                spillFile = null;
            }
        }
        for (int i = 0; i < chunks.size(); i++) {
            byte[] c = chunks.get(i);
            int len = i == chunks.size() - 1 ? lastUsed : CHUNK;
            int h = Math.min(len, headSize - headUsed);
            if (h > 0) {
                System.arraycopy(c, 0, head, headUsed, h);
                headUsed += h;
            }
            toSpill(c, 0, len);
        }
        chunks.clear();
        inMemory = 0;
        budget.give(taken);
        taken = 0;
    }

    private void toSpill(byte[] b, int off, int n) {
        if (spillOut == null || tooLarge) {
            return;
        }
        if (spilled + n > fullLimit) {
            tooLarge = true;
            deleteSpill();
            return;
        }
        try {
            spillOut.write(b, off, n);
            spilled += n;
        } catch (IOException e) {
            tooLarge = true;
            deleteSpill();
        }
    }

    /** How many bytes the stream carried. */
    synchronized long total() {
        return total;
    }

    /** True when only the head and the tail are in memory. */
    synchronized boolean overflowed() {
        return overflowed;
    }

    /**
     * The output as text: all of it while it was kept in memory; else its head, a line saying how much was left out,
     * and its tail ({@code headSize} 0: the tail alone, as for stderr).
     */
    synchronized String text() {
        return overflowed ? headAndTail() : new String(firstBytes(inMemory), StandardCharsets.UTF_8);
    }

    /** Its head and tail only, even when all of it is in memory (the text of an output a parser reads whole). */
    synchronized String summary() {
        return !overflowed && total <= (long) headSize + tailSize ? text() : headAndTail();
    }

    private String headAndTail() {
        byte[] h = overflowed ? head : firstBytes(Math.min(headSize, inMemory));
        int hLen = overflowed ? headUsed : h.length;
        byte[] tail = tail((int) Math.min(tailSize, total - hLen));
        if (headSize == 0) {
            return new String(tail, StandardCharsets.UTF_8);
        }
        long skipped = total - hLen - tail.length;
        return new String(h, 0, hLen, StandardCharsets.UTF_8)
                + (skipped > 0 ? "\n[... " + skipped + " bytes of output left out by barmand ...]\n" : "")
                + new String(tail, StandardCharsets.UTF_8);
    }

    /** The first {@code n} bytes of the chunks, in one array. */
    private byte[] firstBytes(long n) {
        byte[] all = new byte[(int) n];
        int at = 0;
        for (int i = 0; i < chunks.size() && at < all.length; i++) {
            int len = Math.min(i == chunks.size() - 1 ? lastUsed : CHUNK, all.length - at);
            System.arraycopy(chunks.get(i), 0, all, at, len);
            at += len;
        }
        return all;
    }

    /** The last {@code n} bytes (at most tailSize). */
    private byte[] tail(int n) {
        byte[] t = new byte[Math.max(0, n)];
        long start = total - t.length;
        for (int i = 0; i < t.length; i++) {
            t[i] = ring[(int) ((start + i) % tailSize)];
        }
        return t;
    }

    /**
     * The whole output for a parser: from memory or from the spill file; null when it was larger than
     * {@code fullLimit} (or could not be spilled). Read it before {@link #close}.
     */
    synchronized InputStream whole() throws IOException {
        if (!overflowed) {
            List<InputStream> parts = new ArrayList<>();
            for (int i = 0; i < chunks.size(); i++) {
                parts.add(new ByteArrayInputStream(chunks.get(i), 0, i == chunks.size() - 1 ? lastUsed : CHUNK));
            }
            return new SequenceInputStream(Collections.enumeration(parts));
        }
        if (tooLarge || spillFile == null) {
            return null;
        }
        spillOut.flush();
        return Files.newInputStream(spillFile);
    }

    /** The spill file goes, the budget is given back; later writes are dropped. Never throws. */
    @Override
    public synchronized void close() {
        closed = true;
        deleteSpill();
        chunks.clear();
        inMemory = 0;
        budget.give(taken);
        taken = 0;
    }

    private void deleteSpill() {
        try {
            if (spillOut != null) {
                spillOut.close();
            }
        } catch (IOException e) {
            // deleted below
        }
        spillOut = null;
        try {
            if (spillFile != null) {
                Files.deleteIfExists(spillFile);
            }
        } catch (IOException e) {
            // nothing more to do: the temporary folder is private to the unit
        }
        spillFile = null;
    }
}
