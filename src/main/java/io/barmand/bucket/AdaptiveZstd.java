package io.barmand.bucket;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import java.io.IOException;
import java.io.OutputStream;

/**
 * zstd that stops compressing a stream that does not shrink: every {@value #WINDOW_MIB} MiB of input, when that window
 * came out less than {@value #MIN_GAIN}x smaller (random data, or data compressed already), the zstd frame is ended
 * and the rest is written as one more zstd frame of raw (stored) blocks, which costs a copy and no compression work.
 * The object stays a plain zstd stream of concatenated frames: {@code zstd -d}, zstd-jni and every reader of barmand
 * read it as before. The raw frame carries no content checksum (its bytes are checked by the manifest's SHA-256 of
 * every file, and under age by each chunk's tag). {@link #storedFrom()} says where compression stopped (-1: never).
 */
public final class AdaptiveZstd extends OutputStream {
    static final int WINDOW_MIB = 64;
    static final long WINDOW = (long) WINDOW_MIB << 20;
    public static final double MIN_GAIN = 1.1;
    /** Block_Maximum_Size: min(window size, 128 KiB); the raw frame's window is 128 KiB. */
    static final int BLOCK = 128 * 1024;
    private static final int MAGIC = 0xFD2FB528;

    private final OutputStream out;
    private final long window;
    private long emitted;
    private ZstdOutputStreamNoFinalizer z;
    private long plain;
    private long windowPlain;
    private long windowStart;
    private long storedFrom = -1;
    private byte[] block;
    private int blockFill;
    private boolean closed;

    public AdaptiveZstd(OutputStream out, int level) throws IOException {
        this(out, level, WINDOW);
    }

    AdaptiveZstd(OutputStream out, int level, long window) throws IOException {
        this.out = out;
        this.window = window;
        // with its content checksum, so that `zstd -d` itself refuses a corrupted download (Codecs.compress)
        this.z = new ZstdOutputStreamNoFinalizer(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
                emitted++;
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                emitted += len;
            }

            @Override
            public void flush() throws IOException {
                out.flush();
            }

            @Override
            public void close() {
                // the frame ends, the stream goes on
            }
        }, level).setChecksum(true);
    }

    /** The offset in the input from which it is stored uncompressed; -1 while (and when) it is compressed throughout. */
    public long storedFrom() {
        return storedFrom;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0 && storedFrom < 0) {
            int n = (int) Math.min(len, window - windowPlain);
            z.write(b, off, n);
            windowPlain += n;
            plain += n;
            off += n;
            len -= n;
            if (windowPlain == window) {
                z.flush();
                long out = emitted - windowStart;
                if (windowPlain < MIN_GAIN * out) {
                    stopCompressing();
                } else {
                    windowPlain = 0;
                    windowStart = emitted;
                }
            }
        }
        while (len > 0) {
            int n = Math.min(len, BLOCK - blockFill);
            System.arraycopy(b, off, block, blockFill, n);
            blockFill += n;
            plain += n;
            off += n;
            len -= n;
            if (blockFill == BLOCK) {
                writeBlock(false);
            }
        }
    }

    private void stopCompressing() throws IOException {
        z.close();
        z = null;
        storedFrom = plain;
        block = new byte[BLOCK];
        // a frame header: magic, descriptor 0 (no content size, not single-segment, no checksum, no dictionary), a
        // window of 2^(10+7) = 128 KiB
        out.write(new byte[] {(byte) MAGIC, (byte) (MAGIC >>> 8), (byte) (MAGIC >>> 16), (byte) (MAGIC >>> 24), 0, 7 << 3});
    }

    /** A raw block of what is buffered; its 3-byte header: last-block bit, type 0 (raw), size. */
    private void writeBlock(boolean last) throws IOException {
        int h = (blockFill << 3) | (last ? 1 : 0);
        out.write(new byte[] {(byte) h, (byte) (h >>> 8), (byte) (h >>> 16)});
        out.write(block, 0, blockFill);
        blockFill = 0;
    }

    @Override
    public void flush() throws IOException {
        if (z != null) {
            z.flush();
        } else {
            out.flush();
        }
    }

    /** Ends the frame (a raw one with its last block, empty when the data ended on a block: as zstd's own epilogue). */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (z != null) {
            z.close();
        } else {
            writeBlock(true);
        }
        out.close();
    }
}
