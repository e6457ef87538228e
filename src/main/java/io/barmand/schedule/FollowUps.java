package io.barmand.schedule;

import io.barmand.config.JobKind;
import io.barmand.history.Trigger;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What follows a successful run of {@code head}, in order: each step a server wants runs after the one before it
 * that it wants (its trigger after-backup), the first after the head itself. "After a backup: its offsite copy, then
 * retention" is one such list: with offsite off, retention follows the backup; with it on, the copy. A step follows
 * only a run that was itself a follow-up of a step the server wants (a scheduled WAL copy is no new backup
 * to retain).
 */
public record FollowUps(JobKind head, List<Step> steps) {
    /** A step of the list and the servers that want it. */
    public record Step(JobKind kind, Predicate<String> wanted) {
    }

    public FollowUps {
        steps = List.copyOf(steps);
    }

    public static FollowUps after(JobKind head, Step... steps) {
        return new FollowUps(head, List.of(steps));
    }

    public static Step step(JobKind kind, Predicate<String> wanted) {
        return new Step(kind, wanted);
    }

    /** The run that follows a successful run of {@code ended} ({@code trigger}) of {@code server}, if any. */
    public Optional<JobKind> next(JobKind ended, Trigger trigger, String server) {
        int from;
        if (ended == head) {
            from = 0;
        } else {
            int i = indexOf(ended);
            if (i < 0 || trigger != Trigger.AFTER_BACKUP || !steps.get(i).wanted().test(server)) {
                return Optional.empty();
            }
            from = i + 1;
        }
        for (int i = from; i < steps.size(); i++) {
            if (steps.get(i).wanted().test(server)) {
                return Optional.of(steps.get(i).kind());
            }
        }
        return Optional.empty();
    }

    private int indexOf(JobKind k) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).kind() == k) {
                return i;
            }
        }
        return -1;
    }
}
