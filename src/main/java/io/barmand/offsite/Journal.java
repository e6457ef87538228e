package io.barmand.offsite;

import io.barmand.config.Names;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * What copy of a server is in flight, on local disk (spool-dir/SERVER.journal), written before anything is
 * uploaded and removed once the manifest is in the bucket. After a crash (even kill -9) the next run reads it:
 * the multipart upload is aborted and the objects of the unfinished copy are deleted, then the copy is redone.
 */
final class Journal {
    private static final ObjectMapper JSON = new ObjectMapper();

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Entry(String backupId, String key, String uploadId, String started) {
    }

    private final Path file;

    Journal(Path spoolDir, String server) {
        Names.server(server); // a file name in the spool, never a path out of it
        this.file = spoolDir.resolve(server + ".journal");
    }

    Optional<Entry> read() {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(Files.readAllBytes(file), Entry.class));
        } catch (IOException e) {
            // a journal cut short by a crash: the orphan scan of the bucket still finds the upload
            return Optional.of(new Entry(null, null, null, null));
        }
    }

    /** Writes the entry durably (temporary file, fsync, rename, fsync of the folder). */
    void write(Entry e) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, JSON.writeValueAsBytes(e));
            try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                c.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel d = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException ignored) {
                // some file systems cannot sync a folder
            }
        } catch (IOException ex) {
            throw new BarmandException(Category.IO, file + ": cannot write the offsite journal: " + ex.getMessage(), ex);
        }
    }

    void clear() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ex) {
            throw new BarmandException(Category.IO, file + ": cannot remove the offsite journal: " + ex.getMessage(), ex);
        }
    }
}
