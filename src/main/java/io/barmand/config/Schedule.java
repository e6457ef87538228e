package io.barmand.config;

import java.text.ParseException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Date;
import java.util.Optional;
import java.util.TimeZone;
import org.quartz.CronExpression;

/**
 * A job's schedule, parsed once at start: a Quartz cron expression in a time zone, with its next and previous fire
 * times (catch-up, status, the report's missed runs).
 */
public record Schedule(String expression, ZoneId zone) {
    public Schedule {
        try {
            CronExpression.validateExpression(expression);
        } catch (ParseException e) {
            throw new IllegalArgumentException("bad cron expression \"" + expression + "\": " + e.getMessage(), e);
        }
    }

    /** A fresh CronExpression (Quartz's is mutable and not thread-safe: one per use). */
    public CronExpression cron() {
        try {
            CronExpression c = new CronExpression(expression);
            c.setTimeZone(TimeZone.getTimeZone(zone));
            return c;
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first fire time after {@code t}; empty when it never fires again. */
    public Optional<Instant> next(Instant t) {
        Date d = cron().getNextValidTimeAfter(Date.from(t));
        return Optional.ofNullable(d).map(Date::toInstant);
    }

    /** The last fire time before {@code t}; empty when there was none. */
    public Optional<Instant> previous(Instant t) {
        Date d = cron().getTimeBefore(Date.from(t));
        return Optional.ofNullable(d).map(Date::toInstant);
    }

    @Override
    public String toString() {
        return expression;
    }
}
