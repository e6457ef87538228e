package io.barmand.bucket;

import com.exceptionfactory.jagged.RecipientStanzaWriter;
import com.exceptionfactory.jagged.framework.crypto.CipherKey;
import com.exceptionfactory.jagged.framework.format.StandardPayloadKeyWriter;
import io.barmand.error.BarmandException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The age payload sealed on several threads. The header (file key wrapped for each recipient, its MAC) and the
 * payload key come from Jagged ({@link StandardPayloadKeyWriter}, which writes the header and the 16-byte payload
 * nonce and derives the key by HKDF, exactly as Jagged's own channel does); the payload STREAM is written here, by the
 * age spec (age-encryption.org/v1, "Payload"): the plaintext cut into chunks of 64 KiB, the last one possibly
 * shorter (and empty only when the whole plaintext is), each sealed alone by ChaCha20-Poly1305 (the JDK's) under the
 * payload key with the nonce = the chunk's number as 11 bytes big-endian then 0x01 for the last chunk, 0x00 for the
 * others. A full chunk is held back until the next byte arrives, since a plaintext of an exact multiple of 64 KiB
 * ends with a full chunk marked last (no empty chunk after it).
 *
 * <p>Chunks are independent, so batches of {@value #BATCH_CHUNKS} are sealed on a shared pool (one thread per core)
 * while the writer goes on, and a per-stream output thread writes the sealed batches to {@code out} in order: the
 * caller's thread (tar and compression) does none of the ChaCha20 and none of {@code out}'s work (the stored
 * object's hashes, the part spooling). At most {@value #IN_FLIGHT} batches (8 MiB) are in flight; the writer waits
 * beyond that. {@link #close()} seals the last chunk, waits for every batch and then closes {@code out} on the
 * caller's thread; a failure of either thread is rethrown to the writer at its next write or at close, and then
 * {@code out} is left unclosed (the caller aborts it: a multipart upload is never completed with a hole in it).
 */
final class AgeSealer extends OutputStream {
    static final int CHUNK = 64 * 1024;
    static final int TAG = 16;
    static final int BATCH_CHUNKS = 8;
    static final int IN_FLIGHT = 8;
    private static final ExecutorService SEALERS = Executors.newFixedThreadPool(
            Math.max(1, Runtime.getRuntime().availableProcessors()), r -> {
                Thread t = new Thread(r, "age-seal");
                t.setDaemon(true);
                return t;
            });

    private final OutputStream out;
    private final SecretKeySpec key;
    private final ExecutorService writer;
    private final ArrayDeque<Future<?>> written = new ArrayDeque<>();
    private volatile Throwable failure;
    private byte[] batch = new byte[BATCH_CHUNKS * CHUNK];
    private int filled;
    private long nextChunk;
    private boolean closed;

    AgeSealer(OutputStream out, Iterable<RecipientStanzaWriter> recipients) throws IOException, GeneralSecurityException {
        this.out = out;
        ByteBuffer header = ByteBuffer.allocate(CHUNK);
        CipherKey payloadKey = new StandardPayloadKeyWriter().writeFileHeader(header, recipients);
        this.key = new SecretKeySpec(payloadKey.getEncoded(), "ChaCha20");
        payloadKey.destroy();
        header.flip();
        out.write(header.array(), 0, header.limit());
        // its thread logs with the fields of the run that opened the stream (SERVER, JOB, RUN_ID, BACKUP_ID)
        this.writer = Executors.newSingleThreadExecutor(io.barmand.log.LogFields.carrying(r -> {
            Thread t = new Thread(r, "age-out");
            t.setDaemon(true);
            return t;
        }));
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("age stream closed");
        }
        while (len > 0) {
            if (filled == batch.length) {
                // more bytes follow: every chunk of the batch is a middle one
                ship(false);
            }
            int n = Math.min(len, batch.length - filled);
            System.arraycopy(b, off, batch, filled, n);
            filled += n;
            off += n;
            len -= n;
        }
    }

    /** Hands the batch to the sealers and its output to the writer thread; {@code last}: it ends the payload. */
    private void ship(boolean last) throws IOException {
        checkFailure();
        while (written.size() >= IN_FLIGHT) {
            await(written.removeFirst());
        }
        final byte[] plain = batch;
        final int length = filled;
        final long first = nextChunk;
        int chunks = last ? Math.max(1, (length + CHUNK - 1) / CHUNK) : length / CHUNK;
        nextChunk += chunks;
        Future<byte[]> sealed = SEALERS.submit(() -> seal(plain, length, first, last));
        written.addLast(writer.submit(() -> {
            if (failure != null) {
                return null;
            }
            try {
                byte[] s = sealed.get();
                out.write(s, 0, s.length);
            } catch (Throwable t) {
                failure = t instanceof ExecutionException e && e.getCause() != null ? e.getCause() : t;
            }
            return null;
        }));
        batch = new byte[BATCH_CHUNKS * CHUNK];
        filled = 0;
    }

    /** Seals {@code length} bytes of {@code plain} as chunks {@code first}, first + 1...; the last one marked when asked. */
    private byte[] seal(byte[] plain, int length, long first, boolean last) throws GeneralSecurityException {
        int chunks = last ? Math.max(1, (length + CHUNK - 1) / CHUNK) : length / CHUNK;
        byte[] sealed = new byte[length + chunks * TAG];
        Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
        byte[] nonce = new byte[12];
        int in = 0;
        int at = 0;
        for (int i = 0; i < chunks; i++) {
            int n = Math.min(CHUNK, length - in);
            long counter = first + i;
            for (int j = 0; j < 8; j++) {
                nonce[10 - j] = (byte) (counter >>> (8 * j)); // bytes 0-2 stay 0: 2^64 chunks is far enough
            }
            nonce[11] = (byte) (last && i == chunks - 1 ? 1 : 0);
            c.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(nonce));
            at += c.doFinal(plain, in, n, sealed, at);
            in += n;
        }
        return sealed;
    }

    private void await(Future<?> f) throws IOException {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException cut = new InterruptedIOException("interrupted while encrypting (age)");
            failure = cut;
            stop();
            throw cut;
        } catch (ExecutionException e) {
            failure = e.getCause();
        }
        checkFailure();
    }

    private void checkFailure() throws IOException {
        Throwable t = failure;
        if (t == null) {
            return;
        }
        stop();
        if (t instanceof BarmandException be) {
            throw new BarmandException(be.category(), be.getMessage(), be);
        }
        if (t instanceof IOException io) {
            throw new IOException(io.getMessage(), io);
        }
        throw new IOException("age encryption failed: " + t, t);
    }

    /** Ends the writer thread without waiting for what is queued (after a failure or an interrupt). */
    private void stop() {
        closed = true;
        writer.shutdownNow();
        try {
            writer.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Arrays.fill(batch, (byte) 0);
    }

    /** Nothing to do: sealed batches reach {@code out} as they are ready, and the last only at close. */
    @Override
    public void flush() {
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            checkFailure();
            return;
        }
        ship(true);
        closed = true;
        while (!written.isEmpty()) {
            await(written.removeFirst());
        }
        writer.shutdown();
        checkFailure();
        out.close();
    }
}
