package io.barmand.restore;

import io.barmand.barman.BarmanClient;
import io.barmand.error.BarmandException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the backup under test from Barman's own retention while the test reads it (Barman issue 200: "Backup was
 * deleted during recovery process"): `barman keep --target full` before, `barman keep --release` after, only when
 * Barman kept it not already. Each keep barmand takes is first written down in a journal folder
 * (STATE-DIR/restore-keeps), so that one left by a killed barmand is released at the next start.
 */
final class KeepGuard {
    private static final Logger log = LoggerFactory.getLogger(KeepGuard.class);
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private final BarmanClient barman;
    private final Path journal;

    /** @param journal where the keeps barmand holds are written down; null = nowhere (tests) */
    KeepGuard(BarmanClient barman, Path journal) {
        this.barman = barman;
        this.journal = journal;
    }

    /** What {@link #protect} did: release it when the test is over (a no-op when barmand took no keep). */
    interface Release extends AutoCloseable {
        @Override
        void close();
    }

    /** Keeps {@code id} unless Barman keeps it already; the facts say which ("taken" or the existing keep). */
    Release protect(String server, String id, Report rep) {
        String status = barman.keepStatus(server, id, TIMEOUT);
        if (!status.equals("nokeep")) {
            rep.facts.text("keep", "already " + status);
            return () -> { };
        }
        Path note = note(server, id);
        if (note != null) {
            try {
                Files.createDirectories(journal);
                Files.writeString(note, "restore test of " + server + " backup " + id + " since " + Instant.now() + "\n");
            } catch (IOException e) {
                throw new BarmandException(io.barmand.error.Category.IO, journal + ": cannot write down the keep of backup "
                        + id + ": " + e.getMessage(), e);
            }
        }
        barman.keep(server, id, "full", TIMEOUT);
        rep.facts.text("keep", "taken");
        return () -> release(server, id, note);
    }

    private void release(String server, String id, Path note) {
        try {
            barman.releaseKeep(server, id, TIMEOUT);
            if (note != null) {
                Files.deleteIfExists(note);
            }
        } catch (BarmandException | IOException e) {
            log.error("{}: cannot release the keep of backup {} taken for its restore test: {} (released at the next start)",
                    server, id, e.getMessage());
        }
    }

    /** Releases the keeps a previous barmand took and did not release (killed); returns how many. */
    int releaseLeftovers() {
        if (journal == null || !Files.isDirectory(journal)) {
            return 0;
        }
        int n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(journal, "*.keep")) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                String[] parts = name.substring(0, name.length() - ".keep".length()).split("@", 2);
                if (parts.length != 2) {
                    continue;
                }
                log.warn("{}: backup {} was kept for a restore test that did not end (barmand stopped): releasing it",
                        parts[0], parts[1]);
                try {
                    if (!barman.keepStatus(parts[0], parts[1], TIMEOUT).equals("nokeep")) {
                        barman.releaseKeep(parts[0], parts[1], TIMEOUT);
                    }
                    Files.deleteIfExists(p);
                    n++;
                } catch (BarmandException e) {
                    log.error("{}: cannot release the keep of backup {}: {}", parts[0], parts[1], e.getMessage());
                }
            }
        } catch (IOException e) {
            log.error("{}: cannot read the keeps journal: {}", journal, e.getMessage());
        }
        return n;
    }

    private Path note(String server, String id) {
        return journal == null ? null : journal.resolve(server + "@" + id + ".keep");
    }
}
