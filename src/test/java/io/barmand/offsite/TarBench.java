package io.barmand.offsite;

import io.barmand.bucket.TarWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * bench/tar: the tar of one folder by barmand 0.1.0's own writer ({@link LegacyTarWriter}) and by Commons Compress
 * ({@link TarWriter}), alternating, into a stream that only counts: the tar and the SHA-256 of every file, no
 * compression, no upload. {@code TarBench FOLDER RUNS}; prints each run, then the medians.
 */
final class TarBench {
    private TarBench() {
    }

    private static final class Counting extends OutputStream {
        long n;

        @Override
        public void write(int b) {
            n++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            n += len;
        }
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        int runs = Integer.parseInt(args[1]);
        List<Double> legacy = new ArrayList<>();
        List<Double> compress = new ArrayList<>();
        long legacyBytes = 0;
        long compressBytes = 0;
        for (int r = 1; r <= runs; r++) {
            Counting c1 = new Counting();
            long t0 = System.nanoTime();
            LegacyTarWriter l = new LegacyTarWriter(c1);
            l.addTree(dir);
            l.finish();
            double s1 = (System.nanoTime() - t0) / 1e9;
            Counting c2 = new Counting();
            t0 = System.nanoTime();
            TarWriter w = new TarWriter(c2);
            w.addTree(dir);
            w.finish();
            double s2 = (System.nanoTime() - t0) / 1e9;
            legacy.add(s1);
            compress.add(s2);
            legacyBytes = c1.n;
            compressBytes = c2.n;
            System.out.printf("run %d legacy %.3f s (%d bytes, %d files)  commons-compress %.3f s (%d bytes, %d files)%n",
                    r, s1, c1.n, l.files().size(), s2, c2.n, w.files().size());
        }
        double m1 = median(legacy);
        double m2 = median(compress);
        System.out.printf("legacy_median=%.3fs (%.0f MB/s)  commons_compress_median=%.3fs (%.0f MB/s)  tar bytes %d vs %d%n",
                m1, legacyBytes / 1e6 / m1, m2, compressBytes / 1e6 / m2, legacyBytes, compressBytes);
        System.out.printf("ratio=%.2f (commons-compress / legacy)%n", m2 / m1);
    }

    private static double median(List<Double> l) {
        List<Double> s = new ArrayList<>(l);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
