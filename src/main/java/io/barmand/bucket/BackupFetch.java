package io.barmand.bucket;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A backup copy brought back from the bucket into a folder, checked while it streams: every object against the
 * SHA-256 of the manifest and every file of the tar against its size and SHA-256, unpacked; then the WAL from the
 * backup's begin WAL on, either downloaded (each against its sha256) or only listed, and the WAL the backup itself
 * needs looked for. Shared by the restore test with {@code source = "s3"} and by {@code barmand restore}.
 */
public final class BackupFetch {
    /**
     * What was fetched. {@code dataBytes}: the stored bytes of the backup's objects; {@code walFiles} and
     * {@code walBytes}: the WAL objects from the backup's begin WAL on (downloaded or, without a WAL folder, listed);
     * {@code newestWal}: the newest segment among them; {@code gaps}: missing segments among them (recovery stops at
     * the first); {@code problems}: each naming its object, empty when everything checked.
     */
    public record Fetched(long dataBytes, int walFiles, long walBytes, boolean walDownloaded, String newestWal,
                          List<String> gaps, List<String> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }

        public long downloadedBytes() {
            return dataBytes + (walDownloaded ? walBytes : 0);
        }
    }

    /** Called before every object: throws to stop (interrupt, deadline). */
    @FunctionalInterface
    public interface Tick {
        void check();
    }

    /** Told about each object as it is done (the CLI prints a line; the restore test does not listen). */
    @FunctionalInterface
    public interface Progress {
        void done(String key, long bytes, String problem);

        Progress NONE = (k, b, p) -> { };
    }

    private final S3Store store;
    private final S3Download dl;

    public BackupFetch(S3Store store) {
        this.store = store;
        this.dl = new S3Download(store);
    }

    public S3Store store() {
        return store;
    }

    /**
     * Downloads backup {@code m} of {@code server} into {@code into} (its {@code data/}), then, when its objects
     * all checked, the WAL from its begin WAL on into {@code walDir} (null: only listed, left in the bucket).
     */
    public Fetched fetch(String server, Manifest m, Path into, Path walDir, Tick tick, Progress progress) throws IOException {
        List<String> problems = new ArrayList<>();
        long data = 0;
        for (Manifest.ObjectEntry o : m.objects()) {
            tick.check();
            int before = problems.size();
            long n = dl.object(m, o, into, problems);
            data += n;
            progress.done(o.key(), n, problems.size() > before ? problems.get(before) : null);
        }
        if (!problems.isEmpty()) {
            return new Fetched(data, 0, 0, false, null, List.of(), List.copyOf(problems));
        }
        if (walDir != null) {
            Files.createDirectories(walDir);
        }
        Set<String> names = new TreeSet<>();
        int files = 0;
        long walBytes = 0;
        for (S3Object o : dl.walObjects(server, m)) {
            String name = Layout.walName(o.key()).orElseThrow();
            if (walDir != null) {
                tick.check();
                String p = dl.wal(o.key(), walDir.resolve(name));
                if (p != null) {
                    problems.add(p);
                }
            }
            names.add(name);
            walBytes += o.size();
            files++;
        }
        for (String n : m.neededWal()) {
            if (!names.contains(n)) {
                problems.add("MISSING WAL " + n + " (needed by backup " + m.backupId() + ")");
            }
        }
        String newest = names.stream().filter(Layout::isSegment).reduce((a, b) -> b).orElse(null);
        return new Fetched(data, files, walBytes, walDir != null, newest, Layout.gaps(names, m.segmentSize()),
                List.copyOf(problems));
    }
}
