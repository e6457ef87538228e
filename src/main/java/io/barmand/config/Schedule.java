package io.barmand.config;

import java.text.ParseException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Date;
import java.util.Objects;
import java.util.Optional;
import java.util.TimeZone;
import org.quartz.CronExpression;

/**
 * A job's schedule, parsed once at start: what the admin wrote (crontab's 5 fields or Quartz's 6-7, see {@link Cron}),
 * the Quartz expression it stands for, and its time zone; with its next and previous fire times (catch-up, status,
 * the report's missed runs) and a description in words for people ({@link #describe()}).
 */
public final class Schedule {
    private final String expression;
    private final String quartz;
    private final ZoneId zone;

    /** {@code expression} in either syntax; an {@link IllegalArgumentException} says what is wrong with it. */
    public Schedule(String expression, ZoneId zone) {
        this.expression = expression.trim();
        this.quartz = Cron.toQuartz(this.expression);
        this.zone = Objects.requireNonNull(zone);
    }

    /**
     * How long after its last time a schedule that never fires again is still taken: a one-shot that passed while
     * barmand was stopped is caught up at the next start (catch-up), so it must still read.
     */
    static final java.time.Duration RECENTLY = java.time.Duration.ofDays(7);

    /**
     * A schedule from the configuration: as the constructor, and refused when it never fires after {@code now} and
     * did not fire in the last {@link #RECENTLY} either (a year that is past, 31 February).
     */
    public static Schedule parse(String expression, ZoneId zone, Instant now) {
        Schedule s = new Schedule(expression, zone);
        if (s.next(now).isEmpty()) {
            Optional<Instant> last = s.previous(now);
            if (last.isEmpty() || last.get().isBefore(now.minus(RECENTLY))) {
                java.time.format.DateTimeFormatter f = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");
                throw new Cron.Invalid("never fires (no time after " + f.format(now.atZone(zone)) + " " + zone + " matches"
                        + last.map(l -> "; the last was " + f.format(l.atZone(zone))).orElse("") + ": a year that is past, or "
                        + "a day that does not exist such as 31 February)");
            }
        }
        return s;
    }

    /**
     * The schedules of one read of the configuration: an expression in a zone is parsed and checked once, however many
     * servers inherit it (200 servers with the schedules of {@code defaults}: 4 parses, not 800), against one
     * {@code now}.
     */
    static final class Parser {
        private final Instant now;
        private final java.util.Map<java.util.List<Object>, Object> done = new java.util.HashMap<>();

        Parser(Instant now) {
            this.now = now;
        }

        /** As {@link Schedule#parse}; the same {@link IllegalArgumentException} for the same expression. */
        Schedule parse(String expression, ZoneId zone) {
            Object r = done.computeIfAbsent(java.util.List.of(expression, zone), k -> {
                try {
                    return Schedule.parse(expression, zone, now);
                } catch (IllegalArgumentException e) {
                    return e;
                }
            });
            if (r instanceof IllegalArgumentException e) {
                throw e;
            }
            return (Schedule) r;
        }
    }

    /** What was written, as it was written ("0 2 * * *"). */
    public String expression() {
        return expression;
    }

    /** The Quartz expression the scheduler runs ("0 0 2 * * ? *"). */
    public String quartz() {
        return quartz;
    }

    public ZoneId zone() {
        return zone;
    }

    /** In words: "daily at 02:00 Europe/Paris", "every 5 minutes"; an unusual one as its expression and zone. */
    public String describe() {
        return ScheduleWords.describe(quartz, zone).orElse("\"" + expression + "\" " + zone.getId());
    }

    /** A fresh CronExpression (Quartz's is mutable and not thread-safe: one per use). */
    public CronExpression cron() {
        try {
            CronExpression c = new CronExpression(quartz);
            c.setTimeZone(TimeZone.getTimeZone(zone));
            return c;
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * This thread's CronExpression for next/previous: parsed once per thread, not once per call (the health evaluation
     * walks every fire time of a day for each job of each server: 25k parses at 200 servers).
     */
    private final ThreadLocal<CronExpression> perThread = ThreadLocal.withInitial(this::cron);

    /** The first fire time after {@code t}; empty when it never fires again. */
    public Optional<Instant> next(Instant t) {
        Date d = perThread.get().getNextValidTimeAfter(Date.from(t));
        return Optional.ofNullable(d).map(Date::toInstant);
    }

    /** The last fire time before {@code t}; empty when there was none. */
    public Optional<Instant> previous(Instant t) {
        Date d = perThread.get().getTimeBefore(Date.from(t));
        return Optional.ofNullable(d).map(Date::toInstant);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Schedule s && s.expression.equals(expression) && s.zone.equals(zone);
    }

    @Override
    public int hashCode() {
        return Objects.hash(expression, zone);
    }

    @Override
    public String toString() {
        return expression;
    }
}
