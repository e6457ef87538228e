package io.barmand.history;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Ways a history store refuses writes, made real: SQLite's own SQLITE_FULL and SQLITE_BUSY. */
public final class StoreFaults {
    private StoreFaults() {
    }

    /** The store's file may not grow past the pages it has: its next write that needs a page fails SQLITE_FULL. */
    public static void full(RunStore s) throws SQLException {
        s.onConnection("PRAGMA max_page_count = 1");
    }

    /** Space is back. */
    public static void roomAgain(RunStore s) throws SQLException {
        s.onConnection("PRAGMA max_page_count = 1073741823");
    }

    /**
     * Another connection (its own, as another process has) holds SQLite's write lock ({@code BEGIN IMMEDIATE}) of
     * {@code db} until {@link Locker#close}. The constructor returns once the lock is held.
     */
    public static final class Locker implements AutoCloseable {
        private final Thread thread;
        private final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch release = new CountDownLatch(1);
        private volatile Exception failure;

        public Locker(Path db) throws Exception {
            thread = new Thread(() -> {
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
                    st.execute("BEGIN IMMEDIATE");
                    held.countDown();
                    release.await(5, TimeUnit.MINUTES);
                    st.execute("ROLLBACK");
                } catch (Exception e) {
                    failure = e;
                    held.countDown();
                }
            }, "test-sqlite-locker");
            thread.start();
            held.await(30, TimeUnit.SECONDS);
            if (failure != null) {
                throw failure;
            }
        }

        @Override
        public void close() throws InterruptedException {
            release.countDown();
            thread.join(30_000);
        }
    }
}
