package io.barmand.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.barmand.config.JobKind;
import io.barmand.history.Trigger;
import io.barmand.job.RunRequest;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The admission rules alone, on plain slots (the runner's behaviour with them is in RunQueueTest). */
class LocalAdmissionTest {
    static final Instant T = Instant.parse("2026-11-24T02:00:00Z");

    record S(RunRequest request, long id, Instant requested, long arrival, Instant started) implements Admission.Slot {
    }

    static S slot(long id, JobKind k, String server, Trigger trigger) {
        return new S(new RunRequest(k, server, trigger, null, 1), id, T, id, T);
    }

    @Test
    void backupsFirstWithinTheBoundAndNoSecondRunOfAKind() {
        LocalAdmission<S> a = new LocalAdmission<>(1, 8);
        a.enqueue(slot(1, JobKind.RESTORE_TEST, "a", Trigger.SCHEDULED));
        a.enqueue(slot(2, JobKind.OFFSITE, "b", Trigger.SCHEDULED));
        a.enqueue(slot(3, JobKind.BACKUP, "c", Trigger.SCHEDULED));
        a.enqueue(slot(4, JobKind.CHECK, "c", Trigger.SCHEDULED));
        // one heavy slot: the backup (asked for last) and the check (light) start
        assertThat(a.admit()).extracting(S::id).containsExactly(4L, 3L);
        assertThat(a.blockedBy(slot(1, JobKind.RESTORE_TEST, "a", Trigger.SCHEDULED)))
                .isEqualTo("waiting for a slot: 1 of scheduler.max-heavy-runs = 1 heavy runs busy");
        assertThat(a.duplicate(new RunRequest(JobKind.BACKUP, "c", Trigger.MANUAL, null, 1)))
                .isEqualTo("server c busy: backup (run 3) running since " + T);
        assertThat(a.duplicate(new RunRequest(JobKind.BACKUP, "c", Trigger.RETRY, null, 2))).isNull();
        assertThat(a.duplicate(new RunRequest(JobKind.OFFSITE, "b", Trigger.AFTER_BACKUP, null, 1)))
                .isEqualTo("server b busy: offsite (run 2) queued since " + T);
        a.finished(slot(3, JobKind.BACKUP, "c", Trigger.SCHEDULED));
        assertThat(a.admit()).extracting(S::id).containsExactly(2L);
        assertThat(a.heavyRunning()).isEqualTo(1);
        assertThat(a.drain()).extracting(S::id).containsExactly(1L);
        assertThat(a.queued()).isZero();
    }
}
