package io.barmand.fleet;

import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The last change number of the local history that the state database holds, kept in STATE-DIR/{@value #FILE}
 * (written atomically after each copy), so that a restarted forwarder resumes after it. Lost or unreadable: 0, and
 * the forwarder sends everything again (harmless: the state database keeps each change once).
 */
public final class Watermark {
    public static final String FILE = "fleet-forwarded";
    private final Path file;

    public Watermark(Path stateDir) {
        this.file = stateDir.resolve(FILE);
    }

    public long read() {
        try {
            return Files.exists(file) ? Long.parseLong(Files.readString(file).strip()) : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    public void write(long seq) {
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try {
            Files.writeString(tmp, seq + "\n");
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new BarmandException(Category.IO, file + ": cannot keep the fleet's forwarding mark: " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }
}
