package io.barmand.offsite;

import io.barmand.bucket.S3Store;
import io.barmand.config.OffsiteSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * One offsite run in a process of its own, for the kill -9 test and the bench:
 * CopyMain ENDPOINT BUCKET CREDENTIALS_FILE SPOOL_DIR BASEBACKUPS_DIR WALS_DIR PART_MIB PARALLELISM [LEVEL]
 */
public final class CopyMain {
    private CopyMain() {
    }

    public static void main(String[] a) {
        OffsiteSettings s = io.barmand.testing.TestOffsite.forEndpoint(URI.create(a[0]), a[1], "barmand", Path.of(a[3]))
                .withCredentialsFile(Path.of(a[2])).withParts(Long.parseLong(a[6]) << 20, Integer.parseInt(a[7]));
        if (a.length > 8) {
            s = s.withCompression(OffsiteSettings.Codec.of(a[8].split("-")[0]), Integer.parseInt(a[8].split("-")[1]));
        }
        OffsiteService svc = new OffsiteService(Map.of("itpg", s), new BarmanSource() {
            @Override
            public io.barmand.barman.BarmanRecords.ServerPaths paths(String server) {
                return new io.barmand.barman.BarmanRecords.ServerPaths(Path.of(a[4]), Path.of(a[5]));
            }

            @Override
            public java.util.Optional<String> newestDone(String server) {
                return FakeBarmanHome.newestDoneIn(Path.of(a[4]));
            }
        },
                S3Store::new, "copy-main", Clock.systemUTC());
        var r = svc.execute("itpg", null);
        System.out.println((r.success() ? "OK " : "FAILED ") + r.figures().detail());
        System.exit(r.success() ? 0 : 1);
    }
}
