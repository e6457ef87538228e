package io.barmand.schedule.cluster;

import org.quartz.JobKey;
import org.quartz.TriggerKey;

/**
 * One floating job as a node declares it: its kind, its server ("" for a job of the fleet: the report, the watch) and
 * its schedule. Its key in the job store is (group = the kind, name = the server or the kind), the same on every node,
 * so that nodes declaring the same job declare one job.
 */
public record FloatingJobSpec(FloatingKind kind, String server, FloatingSchedule schedule) {
    public FloatingJobSpec {
        server = server == null ? "" : server;
    }

    public static FloatingJobSpec fleet(FloatingKind kind, FloatingSchedule schedule) {
        return new FloatingJobSpec(kind, "", schedule);
    }

    public JobKey jobKey() {
        return JobKey.jobKey(server.isEmpty() ? kind.id() : server, kind.id());
    }

    public TriggerKey triggerKey() {
        return TriggerKey.triggerKey(server.isEmpty() ? kind.id() : server, kind.id());
    }

    @Override
    public String toString() {
        return server.isEmpty() ? kind.id() : kind.id() + " of " + server;
    }
}
