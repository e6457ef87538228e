package io.barmand.retention;

import io.barmand.config.RetentionPolicy;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.IsoFields;

/** The long-term tiers in borg's order (daily, weekly, monthly, yearly) and the period key of each. */
enum Tier {
    DAILY(RetentionPolicy.KEEP_DAILY, Reason.Rule.KEEP_DAILY, "days"),
    WEEKLY(RetentionPolicy.KEEP_WEEKLY, Reason.Rule.KEEP_WEEKLY, "weeks"),
    MONTHLY(RetentionPolicy.KEEP_MONTHLY, Reason.Rule.KEEP_MONTHLY, "months"),
    YEARLY(RetentionPolicy.KEEP_YEARLY, Reason.Rule.KEEP_YEARLY, "years");

    private final String key;
    private final Reason.Rule rule;
    private final String periods;

    Tier(String key, Reason.Rule rule, String periods) {
        this.key = key;
        this.rule = rule;
        this.periods = periods;
    }

    /** How many backups this tier keeps under the policy. */
    int count(RetentionPolicy p) {
        return switch (this) {
            case DAILY -> p.keepDaily();
            case WEEKLY -> p.keepWeekly();
            case MONTHLY -> p.keepMonthly();
            case YEARLY -> p.keepYearly();
        };
    }

    String key() {
        return key;
    }

    Reason.Rule rule() {
        return rule;
    }

    String periods() {
        return periods;
    }

    /**
     * The period of an instant in a zone, as borg's strftime patterns: daily %Y-%m-%d ("2026-11-24"), weekly %G-%V
     * ("2026-W53": ISO week-based year and week), monthly %Y-%m ("2026-11"), yearly %Y ("2026").
     */
    String period(Instant t, ZoneId zone) {
        LocalDate d = t.atZone(zone).toLocalDate();
        return switch (this) {
            case DAILY -> d.toString();
            case WEEKLY -> String.format("%04d-W%02d", d.get(IsoFields.WEEK_BASED_YEAR),
                    d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
            case MONTHLY -> String.format("%04d-%02d", d.getYear(), d.getMonthValue());
            case YEARLY -> String.format("%04d", d.getYear());
        };
    }
}
