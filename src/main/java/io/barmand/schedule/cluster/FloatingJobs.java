package io.barmand.schedule.cluster;

import io.barmand.config.JobKind;
import io.barmand.config.JobSchedule;
import io.barmand.config.JobSettings;
import io.barmand.config.ServerSettings;
import io.barmand.vocabulary.RestoreSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The floating jobs a node's settings declare: each server's restore test from S3 (its schedule whose runs read the
 * offsite copy: {@code restore-test.s3.schedule}, or the test's own when its source is s3) and the report, each with
 * the cron schedule and time zone the settings give. A node that does not run the floating jobs of the fleet leaves
 * these in its own scheduler, as today.
 */
public final class FloatingJobs {
    private FloatingJobs() {
    }

    public static List<FloatingJobSpec> from(Map<String, ServerSettings> servers, Map<JobKind, JobSettings> hostJobs) {
        Map<String, FloatingJobSpec> restore = new LinkedHashMap<>();
        for (ServerSettings s : servers.values()) {
            for (JobSchedule js : s.schedules(JobKind.RESTORE_TEST)) {
                if (js.source().orElse(RestoreSource.BARMAN) != RestoreSource.S3) {
                    continue;
                }
                // the second schedule (restore-test.s3.schedule) wins over the test's own: one job per server
                if (js.second() || !restore.containsKey(s.name())) {
                    restore.put(s.name(), new FloatingJobSpec(FloatingKind.RESTORE_TEST_S3, s.name(),
                            new FloatingSchedule.Cron(js.schedule().quartz(), js.schedule().zone())));
                }
            }
        }
        List<FloatingJobSpec> out = new ArrayList<>(restore.values());
        JobSettings report = hostJobs.get(JobKind.REPORT);
        if (report != null && report.schedule().isPresent()) {
            out.add(FloatingJobSpec.fleet(FloatingKind.REPORT, new FloatingSchedule.Cron(report.schedule().get().quartz(),
                    report.schedule().get().zone())));
        }
        return out;
    }
}
