package io.barmand.bucket;

import io.barmand.error.BarmandException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * A stream of unknown length into one S3 object by multipart upload: bytes are spooled into part files of
 * {@code part-size} on local disk (the heap stays small), and up to {@code parallelism} parts are uploaded at once,
 * each with its Content-MD5 so that the store checks it. The writer blocks while that many parts are in flight.
 * {@link #close()} completes the upload; {@link #abort()} (or any failure) aborts it, so no part is left behind.
 */
public final class MultipartSink extends OutputStream {
    private final S3Store store;
    private final String key;
    private final String uploadId;
    private final long partSize;
    private final Path spool;
    private final ExecutorService pool;
    private final Semaphore slots;
    private final List<Future<CompletedPart>> parts = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final MessageDigest total = Hashing.sha256();
    private MessageDigest partMd5;
    private OutputStream current;
    private Path currentFile;
    private long currentSize;
    private long size;
    private int partNumber;
    private boolean closed;
    private String versionId;

    public MultipartSink(S3Store store, String key, String uploadId, long partSize, int parallelism, Path spool) throws IOException {
        this.store = store;
        this.key = key;
        this.uploadId = uploadId;
        this.partSize = partSize;
        this.spool = spool;
        Files.createDirectories(spool);
        // its threads log with the fields of the run that opened the upload (SERVER, JOB, RUN_ID, BACKUP_ID)
        this.pool = Executors.newFixedThreadPool(parallelism, io.barmand.log.LogFields.carrying(r -> {
            Thread t = new Thread(r, "offsite-part");
            t.setDaemon(true);
            return t;
        }));
        this.slots = new Semaphore(parallelism);
        open();
    }

    private void open() throws IOException {
        partNumber++;
        currentFile = spool.resolve("part-" + partNumber);
        current = new BufferedOutputStream(Files.newOutputStream(currentFile), 1 << 20);
        partMd5 = Hashing.md5();
        currentSize = 0;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        checkFailure();
        while (len > 0) {
            int n = (int) Math.min(len, partSize - currentSize);
            current.write(b, off, n);
            partMd5.update(b, off, n);
            total.update(b, off, n);
            currentSize += n;
            size += n;
            off += n;
            len -= n;
            if (currentSize >= partSize) {
                ship();
                open();
            }
        }
    }

    private void ship() throws IOException {
        current.close();
        final int number = partNumber;
        final Path file = currentFile;
        final String md5 = Base64.getEncoder().encodeToString(partMd5.digest());
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for a part upload");
        }
        checkFailure();
        parts.add(pool.submit(() -> {
            try {
                String etag = store.uploadPart(key, uploadId, number, file, md5);
                return CompletedPart.builder().partNumber(number).eTag(etag).build();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
                throw t;
            } finally {
                Files.deleteIfExists(file);
                slots.release();
            }
        }));
    }

    private void checkFailure() throws IOException {
        Throwable t = failure.get();
        if (t != null) {
            if (t instanceof BarmandException be) {
                // a new instance each time: close() of the wrapping streams may rethrow it (no self-suppression)
                throw new BarmandException(be.category(), be.getMessage(), be);
            }
            throw new IOException("part upload failed: " + t, t);
        }
    }

    /** Ships the last part, waits for every part and completes the upload. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (currentSize == 0 && partNumber > 1) {
            current.close();
            Files.deleteIfExists(currentFile);
            partNumber--;
        } else {
            ship();
        }
        List<CompletedPart> done = new ArrayList<>();
        try {
            for (Future<CompletedPart> f : parts) {
                done.add(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for part uploads");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof BarmandException be) {
                throw new BarmandException(be.category(), be.getMessage(), be);
            }
            throw new IOException("part upload failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdown();
        }
        done.sort(Comparator.comparingInt(CompletedPart::partNumber));
        versionId = store.completeMultipart(key, uploadId, done);
    }

    /**
     * Stops, lets the parts in flight land (a part landing after the abort would bring the upload back; when the
     * thread is interrupted, daemon stopping, they are cut instead and the next run's journal check aborts what is
     * left), aborts the upload and removes the spooled files.
     */
    public void abort() {
        closed = true;
        pool.shutdown();
        boolean wasInterrupted = Thread.interrupted();
        try {
            if (wasInterrupted || !pool.awaitTermination(1, TimeUnit.MINUTES)) {
                pool.shutdownNow();
                pool.awaitTermination(2, TimeUnit.MINUTES);
            }
        } catch (InterruptedException e) {
            wasInterrupted = true;
            pool.shutdownNow();
        }
        try {
            current.close();
        } catch (IOException ignored) {
            // the file is removed below
        }
        try {
            abortUpload();
        } finally {
            if (wasInterrupted) {
                Thread.currentThread().interrupt();
            }
            try (var s = Files.list(spool)) {
                for (Path p : s.toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException ignored) {
                // spool leftovers are removed at the next run
            }
        }
    }

    /**
     * Aborts the upload, tried up to three times: a part still landing on the store when the abort arrives can make
     * it refuse the first one (S3 asks to repeat an abort until no part is left; S3Proxy answered 400 here once).
     */
    private void abortUpload() {
        for (int attempt = 1; ; attempt++) {
            try {
                store.abortMultipart(key, uploadId);
                return;
            } catch (RuntimeException e) {
                if (attempt == 3) {
                    throw e;
                }
                try {
                    Thread.sleep(200L * attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    public long size() {
        return size;
    }

    /** The version id of the completed object (null when the bucket is unversioned). */
    public String versionId() {
        return versionId;
    }

    public int partCount() {
        return partNumber;
    }

    public String sha256() {
        return Hashing.hex(total.digest());
    }

    static Map<String, String> none() {
        return Map.of();
    }
}
