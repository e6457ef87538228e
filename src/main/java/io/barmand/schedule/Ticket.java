package io.barmand.schedule;

import io.barmand.config.JobSettings;
import io.barmand.history.RunRecord;
import io.barmand.job.JobService;
import io.barmand.job.RunRequest;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/** One run the {@link JobRunner} took: queued, then running on its thread, then done with its record. */
final class Ticket implements Admission.Slot {
    final RunRequest req;
    /** resolved again by a reload while the run waits: a run starts with the settings of its start */
    JobService service;
    JobSettings settings;
    final long id;
    final Instant requested;
    final long arrival;
    final CompletableFuture<RunRecord> done = new CompletableFuture<>();
    volatile Thread thread;
    volatile Instant started;
    volatile boolean overdue;

    Ticket(RunRequest req, JobService service, JobSettings settings, long id, Instant requested, long arrival) {
        this.req = req;
        this.service = service;
        this.settings = settings;
        this.id = id;
        this.requested = requested;
        this.arrival = arrival;
    }

    @Override
    public RunRequest request() {
        return req;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public Instant requested() {
        return requested;
    }

    @Override
    public long arrival() {
        return arrival;
    }

    @Override
    public Instant started() {
        return started;
    }
}
