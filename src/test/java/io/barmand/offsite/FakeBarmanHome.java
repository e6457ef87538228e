package io.barmand.offsite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** A Barman home as Barman 3.4 lays it out (backup_method=postgres, no compression), with made-up content. */
final class FakeBarmanHome {
    final Path home;
    final Path base;
    final Path wals;

    FakeBarmanHome(Path dir) throws IOException {
        home = dir;
        base = Files.createDirectories(dir.resolve("base"));
        wals = Files.createDirectories(dir.resolve("wals"));
    }

    /** A DONE backup with {@code mib} MiB of data files (half compressible, half random), WAL begin..end. */
    Path backup(String id, int mib, String beginWal, String endWal, long seed) throws IOException {
        Path b = Files.createDirectories(base.resolve(id));
        Path data = Files.createDirectories(b.resolve("data"));
        Files.writeString(data.resolve("PG_VERSION"), "15\n");
        Files.createDirectories(data.resolve("pg_wal"));
        Files.createDirectories(data.resolve("pg_replslot"));
        Path db = Files.createDirectories(data.resolve("base/16384"));
        Path deep = Files.createDirectories(data.resolve("pg_tblspc_like/" + "a-rather-long-folder-name-".repeat(4) + "/x"));
        Files.writeString(deep.resolve("file-with-a-long-path-" + "z".repeat(60)), "long path\n");
        Random r = new Random(seed);
        int files = Math.max(1, mib);
        for (int i = 0; i < files; i++) {
            byte[] chunk = new byte[1 << 20];
            if (i % 2 == 0) {
                r.nextBytes(chunk);
            } else {
                for (int j = 0; j < chunk.length; j++) {
                    chunk[j] = (byte) (j % 64 < 48 ? ' ' : 'a' + r.nextInt(4));
                }
            }
            Files.write(db.resolve(Integer.toString(16000 + i)), chunk);
        }
        Files.write(db.resolve("empty"), new byte[0]);
        Files.writeString(data.resolve("backup_label"), "START WAL LOCATION: 0/2000028 (file " + beginWal + ")\n");
        Files.writeString(b.resolve("backup.info"), """
                backup_id=%s
                begin_wal=%s
                compression=None
                end_wal=%s
                mode=postgres
                server_name=itpg
                status=DONE
                timeline=1
                version=150018
                xlog_segment_size=16777216
                """.formatted(id, beginWal, endWal));
        return b;
    }

    /** Archived WAL segments of timeline 1, from..to (segment numbers), small made-up content. */
    void wal(int from, int to) throws IOException {
        for (int i = from; i <= to; i++) {
            String n = String.format("%08X%08X%08X", 1, 0, i);
            Path d = Files.createDirectories(wals.resolve(n.substring(0, 16)));
            byte[] b = new byte[64 * 1024];
            new Random(i).nextBytes(b);
            for (int j = 0; j < b.length / 2; j++) {
                b[j] = 0;
            }
            Files.write(d.resolve(n), b);
        }
    }

    /** Barman as the offsite copy sees it, over this folder: its paths, and the newest backup whose backup.info says DONE. */
    BarmanSource source() {
        return new BarmanSource() {
            @Override
            public io.barmand.barman.BarmanRecords.ServerPaths paths(String server) {
                return new io.barmand.barman.BarmanRecords.ServerPaths(base, wals);
            }

            @Override
            public java.util.Optional<String> newestDone(String server) {
                return newestDoneIn(base);
            }
        };
    }

    /** The newest backup folder under {@code base} whose backup.info says DONE. */
    static java.util.Optional<String> newestDoneIn(Path base) {
        try (var s = Files.list(base)) {
            return s.filter(d -> d.getFileName().toString().matches("[0-9]{8}T[0-9]{6}"))
                    .sorted((a, b) -> b.getFileName().compareTo(a.getFileName()))
                    .filter(d -> {
                        try {
                            return "DONE".equals(io.barmand.barman.BackupInfo.read(d.resolve(io.barmand.bucket.Layout.BACKUP_INFO)).status());
                        } catch (java.io.IOException e) {
                            return false;
                        }
                    })
                    .map(d -> d.getFileName().toString()).findFirst();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
