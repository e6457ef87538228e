package io.barmand.restore;

import io.barmand.config.Names;
import io.barmand.barman.BarmanClient;
import io.barmand.error.BarmandException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the backup under test from Barman's own retention while the test reads it (Barman issue 200: "Backup was
 * deleted during recovery process"): `barman keep --target full` before, `barman keep --release` after, only when
 * Barman kept it not already. Each keep barmand takes is first written down in a journal folder
 * ({@link RestoreKeeps}, the registry retention reads), so that one left by a killed barmand is released at the next start.
 */
final class KeepGuard {
    private static final Logger log = LoggerFactory.getLogger(KeepGuard.class);
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    /** Runs the keeps (daemon threads: a keep never holds a stopping JVM). */
    private static final ExecutorService KEEPERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "restore-keep");
        t.setDaemon(true);
        return t;
    });

    private final BarmanClient barman;
    private final Path journal;

    /** @param journal where the keeps barmand holds are written down; null = nowhere (tests) */
    KeepGuard(BarmanClient barman, Path journal) {
        this.barman = barman;
        this.journal = journal;
    }

    /** What {@link #protect} did: release it when the test is over (a no-op when barmand took no keep). */
    interface Release extends AutoCloseable {
        /** Waits for the keep to be in place; throws when Barman refused it (the test must not pass unprotected). */
        default void taken() {
        }

        @Override
        void close();
    }

    /**
     * Keeps {@code id} unless Barman keeps it already; the facts say which ("taken" or the existing keep). The keep
     * is written down first, then {@code barman keep} runs while the restore starts (a Python start of Barman, about
     * 0.3 s, off the test's path); {@link Release#taken()} waits for it before the test can pass. A backup deleted in
     * that moment fails its restore, it never passes.
     */
    Release protect(String server, String id, Report rep) {
        String status = barman.keepStatus(server, id, TIMEOUT);
        if (!status.equals("nokeep")) {
            rep.facts.text(io.barmand.history.FactNames.KEEP, "already " + status);
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
        CompletableFuture<Void> keep = CompletableFuture.runAsync(io.barmand.log.LogFields.carry(() -> barman.keep(server, id, "full", TIMEOUT)), KEEPERS);
        return new Release() {
            @Override
            public void taken() {
                try {
                    keep.join();
                } catch (CompletionException e) {
                    throw e.getCause() instanceof RuntimeException re ? re : e;
                }
                rep.facts.text(io.barmand.history.FactNames.KEEP, "taken");
            }

            @Override
            public void close() {
                try {
                    keep.join();
                } catch (CompletionException e) {
                    // Barman refused the keep: nothing to release; the note goes when Barman says it keeps nothing
                    log.warn("{}: the keep of backup {} was not taken: {}", server, id, e.getCause().getMessage());
                    if (barman.keepStatus(server, id, TIMEOUT).equals("nokeep")) {
                        forget(note);
                        return;
                    }
                }
                release(server, id, note);
            }
        };
    }

    private static void forget(Path note) {
        try {
            if (note != null) {
                Files.deleteIfExists(note);
            }
        } catch (IOException e) {
            log.warn("{}: {}", note, e.getMessage());
        }
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
                if (parts.length != 2 || !Names.isServer(parts[0]) || !Names.isBackupId(parts[1])) {
                    log.warn("{}: not a keep barmand wrote (SERVER@BACKUP_ID.keep): left alone", p);
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
