package io.barmand.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.barmand.history.Outcome;
import io.barmand.history.RunChange;
import io.barmand.history.RunFigures;
import io.barmand.history.RunStore;
import io.barmand.history.Trigger;
import io.barmand.testing.MutableClock;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The forwarder over a real local history and a fake state database that can refuse: in order, once, resumed. */
class ForwarderTest {
    @TempDir
    Path tmp;
    final Instant t0 = Instant.parse("2026-12-08T01:00:00Z");
    final MutableClock clock = new MutableClock(t0);

    /** The state database's runs table as a map keyed by (node, local id), keeping the newest change; can be down. */
    static final class FakeSink implements RunSink {
        final Map<String, RunChange> rows = new LinkedHashMap<>();
        final List<Long> received = new ArrayList<>();
        boolean down;
        int calls;

        @Override
        public void put(String node, List<RunChange> changes) throws SQLException {
            calls++;
            if (down) {
                throw new SQLException("Connection to 127.0.0.1:5432 refused", "08001");
            }
            for (RunChange c : changes) {
                received.add(c.seq());
                rows.merge(node + "/" + c.run().id(), c, (old, nu) -> nu.seq() > old.seq() ? nu : old);
            }
        }
    }

    @Test
    void changesGoInOrderOnceAndTheMarkMovesOnlyAfterTheyAreStored() {
        FakeSink sink = new FakeSink();
        try (RunStore store = RunStore.open(tmp, true)) {
            Forwarder f = new Forwarder("n1", store, sink, new Watermark(tmp), new Link("db", clock));
            assertThat(f.forwardOnce()).isZero();
            long a = store.start("pg1", "backup", Trigger.SCHEDULED, t0);
            long b = store.start("pg2", "check", Trigger.SCHEDULED, t0);
            assertThat(f.backlog()).isEqualTo(2);
            assertThat(f.forwardOnce()).isEqualTo(2);
            assertThat(sink.received).containsExactly(1L, 2L);
            assertThat(f.backlog()).isZero();
            // nothing new: nothing sent again
            assertThat(f.forwardOnce()).isZero();
            assertThat(sink.received).hasSize(2);
            // the state database down: the changes wait, the mark stays
            sink.down = true;
            store.finish(a, Outcome.SUCCESS, t0.plusSeconds(60), 60_000, RunFigures.NONE);
            store.finish(b, Outcome.FAILED, t0.plusSeconds(2), 2000, RunFigures.error("no"));
            long c = store.start("pg1", "check", Trigger.MANUAL, t0.plusSeconds(70));
            assertThat(f.forwardOnce()).isEqualTo(-1);
            assertThat(f.forwardOnce()).isEqualTo(-1);
            assertThat(f.mark()).isEqualTo(2);
            assertThat(f.backlog()).isEqualTo(3);
            assertThat(new Watermark(tmp).read()).isEqualTo(2);
            // back: every change once, in order
            sink.down = false;
            assertThat(f.forwardOnce()).isEqualTo(3);
            assertThat(sink.received).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(sink.rows.get("n1/" + a).run().outcome()).isEqualTo(Outcome.SUCCESS);
            assertThat(sink.rows.get("n1/" + b).run().error()).isEqualTo("no");
            assertThat(sink.rows.get("n1/" + c).run().outcome()).isEqualTo(Outcome.RUNNING);
            assertThat(new Watermark(tmp).read()).isEqualTo(5);
        }
    }

    @Test
    void aRestartedForwarderResumesAfterItsMark() {
        FakeSink sink = new FakeSink();
        try (RunStore store = RunStore.open(tmp, true)) {
            Forwarder f = new Forwarder("n1", store, sink, new Watermark(tmp), new Link("db", clock));
            store.start("pg1", "backup", Trigger.SCHEDULED, t0);
            f.forwardOnce();
            store.start("pg1", "check", Trigger.SCHEDULED, t0);
        }
        try (RunStore store = RunStore.open(tmp, true)) {
            Forwarder again = new Forwarder("n1", store, sink, new Watermark(tmp), new Link("db", clock));
            assertThat(again.mark()).isEqualTo(1);
            assertThat(again.forwardOnce()).isEqualTo(1);
            assertThat(sink.received).containsExactly(1L, 2L);
        }
    }

    @Test
    void manyChangesGoInBatchesEachStoredBeforeTheMarkMoves() {
        FakeSink sink = new FakeSink();
        try (RunStore store = RunStore.open(tmp, true)) {
            for (int i = 0; i < Forwarder.BATCH * 2 + 7; i++) {
                store.skipped("pg1", "check", Trigger.SCHEDULED, t0.plusSeconds(i), "busy");
            }
            Forwarder f = new Forwarder("n1", store, sink, new Watermark(tmp), new Link("db", clock));
            assertThat(f.forwardOnce()).isEqualTo(Forwarder.BATCH * 2 + 7);
            assertThat(sink.calls).isEqualTo(3);
            assertThat(sink.received).isSorted().doesNotHaveDuplicates().hasSize(Forwarder.BATCH * 2 + 7);
        }
    }

    @Test
    void theLinkWarnsOncePerEpisodeAndSaysWhenItIsBack() {
        Link link = new Link("jdbc:postgresql://db/x", clock);
        assertThat(link.failed("copying", new SQLException("refused"))).isTrue();
        clock.advance(java.time.Duration.ofSeconds(30));
        assertThat(link.failed("copying", new SQLException("refused"))).isFalse();
        assertThat(link.downSince()).contains(t0);
        link.ok(3);
        assertThat(link.downSince()).isEmpty();
        assertThat(link.failed("heartbeat", new SQLException("refused"))).isTrue();
    }
}
