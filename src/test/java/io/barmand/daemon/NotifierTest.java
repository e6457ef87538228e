package io.barmand.daemon;

import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A run that ends while the daemon stops (its listener racing the notifier's close) is no error. */
class NotifierTest {
    @Test
    void aRunEndingWhileTheNotifierClosesIsNoError() throws Exception {
        for (int i = 0; i < 1000; i++) {
            AtomicInteger after = new AtomicInteger();
            Notifier n = new Notifier(Optional.empty(), Optional.empty(), after::incrementAndGet);
            CountDownLatch go = new CountDownLatch(1);
            java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
            Thread ending = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    for (int k = 0; k < 50; k++) {
                        n.runEnded();
                    }
                } catch (RuntimeException e) {
                    thrown.set(e);
                }
            });
            ending.start();
            go.countDown();
            n.close();
            ending.join(TimeUnit.SECONDS.toMillis(10));
            org.assertj.core.api.Assertions.assertThat(thrown.get()).as("round %d", i).isNull();
            assertThatCode(n::runEnded).doesNotThrowAnyException();
        }
    }
}
