package io.barmand.process;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The heap that the output of all the commands running now may take together (one per JVM: the host's daemon).
 * A command's output that the budget can no longer hold keeps only its head and tail in memory; a parser that needs
 * all of it reads it from a spill file ({@link Capture}).
 */
public final class OutputBudget {
    /** 32 MiB for every command at once: an eighth of the unit's -Xmx256m. */
    public static final OutputBudget HOST = new OutputBudget(32L * 1024 * 1024);

    private final long limit;
    private final AtomicLong used = new AtomicLong();

    public OutputBudget(long limit) {
        this.limit = limit;
    }

    /** Takes {@code n} bytes of the budget; false (nothing taken) when they are not left. */
    boolean tryTake(long n) {
        while (true) {
            long u = used.get();
            if (u + n > limit) {
                return false;
            }
            if (used.compareAndSet(u, u + n)) {
                return true;
            }
        }
    }

    void give(long n) {
        used.addAndGet(-n);
    }

    /** Bytes held now by the output of running or just finished commands. */
    public long used() {
        return used.get();
    }

    public long limit() {
        return limit;
    }
}
