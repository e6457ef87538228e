package io.barmand.history;

/**
 * A run as its newest change left it, with that change's number in the local store ({@link RunStore#changesAfter}):
 * numbers grow with every change (queued, started, ended), so a reader that keeps the last one resumes after it.
 */
public record RunChange(long seq, RunRecord run) {
}
