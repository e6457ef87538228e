package io.barmand.metrics;

import io.barmand.error.BarmandException;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metrics as a node_exporter textfile ({@code metrics.textfile}), in Prometheus text format: written whole to a
 * hidden temporary file in the same folder (node_exporter reads only *.prom), made 0644, synced, then renamed over
 * the old file, so that node_exporter reads the old file or the new one, never half of one. A write that fails
 * leaves the old file (node_exporter's node_textfile_mtime_seconds tells its age) and is logged, once until it
 * works again; it is never thrown.
 */
final class TextfileWriter {
    private static final Logger log = LoggerFactory.getLogger(TextfileWriter.class);

    private final Path file;
    private final PrometheusRegistry registry;
    private final PrometheusTextFormatWriter format = PrometheusTextFormatWriter.create();
    private String lastProblem;
    private boolean swept;

    TextfileWriter(Path file, PrometheusRegistry registry) {
        this.file = file;
        this.registry = registry;
    }

    Path file() {
        return file;
    }

    private String prefix() {
        return "." + file.getFileName() + ".";
    }

    /** Temporary files of a barmand killed while it wrote (node_exporter ignores them, but they pile up). */
    private void sweep(Path dir) throws IOException {
        try (DirectoryStream<Path> left = Files.newDirectoryStream(dir, prefix() + "*.tmp")) {
            for (Path p : left) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Writes the file now; false (logged) when it could not. */
    synchronized boolean write() {
        Path tmp = null;
        try {
            ByteArrayOutputStream text = new ByteArrayOutputStream(8192);
            format.write(text, registry.scrape());
            Path dir = file.toAbsolutePath().getParent();
            if (!Files.isDirectory(dir)) {
                throw new IOException("no folder " + dir);
            }
            if (!swept) {
                sweep(dir);
                swept = true;
            }
            tmp = Files.createTempFile(dir, prefix(), ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(text.toByteArray());
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
            if (lastProblem != null) {
                log.info("metrics: {} written again", file);
                lastProblem = null;
            }
            return true;
        } catch (IOException | RuntimeException e) {
            String problem = String.valueOf(e instanceof BarmandException || e.getClass() == IOException.class ? e.getMessage()
                    : e instanceof IOException ? e.getClass().getSimpleName() + ": " + e.getMessage() : e.toString());
            if (!problem.equals(lastProblem)) {
                log.error("metrics.textfile: cannot write {}: {}", file, problem);
                lastProblem = problem;
            }
            return false;
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    log.warn("metrics.textfile: cannot remove {}: {}", tmp, e.getMessage());
                }
            }
        }
    }
}
