package io.barmand.schedule.cluster;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Objects;

/** When a floating job fires: a cron schedule in a time zone (as the settings give it), or a fixed interval. */
public sealed interface FloatingSchedule {
    /** Quartz's cron expression (6 or 7 fields, as {@code config.Schedule#quartz()} gives it) in {@code zone}. */
    record Cron(String quartz, ZoneId zone) implements FloatingSchedule {
        public Cron {
            Objects.requireNonNull(quartz, "quartz");
            Objects.requireNonNull(zone, "zone");
        }
    }

    /** Every {@code interval} from the moment the job is first declared (the watch; tests). */
    record Every(Duration interval) implements FloatingSchedule {
        public Every {
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("interval " + interval);
            }
        }
    }
}
