package io.barmand.log;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadFactory;
import org.slf4j.MDC;

/**
 * The fields that name a run in every line it logs, kept in the SLF4J MDC of the thread that runs it: SERVER, JOB,
 * RUN_ID and, once the run knows it, BACKUP_ID. Under systemd they become journal fields
 * ({@code journalctl -u barmand SERVER=pg1 JOB=backup}, see {@link JournalAppender}).
 *
 * <p>The MDC belongs to a thread: a thread a run starts gets the run's fields only through {@link #carrying} (a pool
 * made for the run) or {@link #carry} (a task handed to a pool that outlives it).
 */
public final class LogFields {
    public static final String SERVER = "SERVER";
    public static final String JOB = "JOB";
    public static final String RUN_ID = "RUN_ID";
    public static final String BACKUP_ID = "BACKUP_ID";

    private LogFields() {
    }

    /** What {@link #run} put; {@link #close()} puts back the fields the thread had before (none, or an outer run's). */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Names one run in this thread's lines until the scope is closed. {@code server} empty (a job of the host) or
     * {@code runId} 0 (not recorded) leave that field out.
     */
    public static Scope run(String server, String job, long runId) {
        Map<String, String> before = MDC.getCopyOfContextMap();
        MDC.remove(BACKUP_ID);
        put(SERVER, server);
        put(JOB, job);
        put(RUN_ID, runId > 0 ? Long.toString(runId) : null);
        return () -> restore(before);
    }

    /** The backup this thread's run works on, once known (a Barman backup id; "latest" and blanks are ignored). */
    public static void backupId(String id) {
        if (id != null && !id.isBlank() && !id.equalsIgnoreCase("latest")) {
            MDC.put(BACKUP_ID, id.trim());
        }
    }

    /** {@code r} run with the fields of the calling thread as they are now, whichever thread runs it. */
    public static Runnable carry(Runnable r) {
        Map<String, String> fields = MDC.getCopyOfContextMap();
        return () -> {
            Map<String, String> before = MDC.getCopyOfContextMap();
            restore(fields);
            try {
                r.run();
            } finally {
                restore(before);
            }
        };
    }

    /** {@code c} called with the fields of the calling thread as they are now, whichever thread calls it. */
    public static <T> Callable<T> carry(Callable<T> c) {
        Map<String, String> fields = MDC.getCopyOfContextMap();
        return () -> {
            Map<String, String> before = MDC.getCopyOfContextMap();
            restore(fields);
            try {
                return c.call();
            } finally {
                restore(before);
            }
        };
    }

    /**
     * A thread factory whose threads carry the fields of the thread that made the factory (for a pool a run makes
     * and shuts down itself).
     */
    public static ThreadFactory carrying(ThreadFactory f) {
        Map<String, String> fields = MDC.getCopyOfContextMap();
        return r -> f.newThread(() -> {
            restore(fields);
            try {
                r.run();
            } finally {
                MDC.clear();
            }
        });
    }

    private static void put(String key, String value) {
        if (value == null || value.isEmpty()) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }

    private static void restore(Map<String, String> fields) {
        if (fields == null || fields.isEmpty()) {
            MDC.clear();
        } else {
            MDC.setContextMap(fields);
        }
    }
}
