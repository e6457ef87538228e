package io.barmand.config;

import com.cronutils.mapper.CronMapper;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;
import java.text.ParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.quartz.CronExpression;

/**
 * The two ways an admin writes a schedule, checked field by field so that a mistake is told in barmand's words
 * (which field, what it says, what is allowed), then turned into the Quartz expression the scheduler runs:
 * <ul>
 *   <li>crontab's 5 fields, {@code minute hour day-of-month month day-of-week} ({@code 0 2 * * *}), day-of-week 0-7
 *       with 0 and 7 = Sunday, and its nicknames {@code @daily}, {@code @hourly}, ...; mapped by cron-utils (Quartz's
 *       seconds 0, day-of-week 1-7 = SUN-SAT, {@code ?} where a day field is free);</li>
 *   <li>Quartz's 6 or 7, {@code second minute hour day-of-month month day-of-week [year]} ({@code 0 0 2 * * ?}),
 *       taken as they are.</li>
 * </ul>
 */
final class Cron {
    /** What a schedule can be, for messages. */
    static final String FORMS = "crontab's 5 fields (minute hour day-of-month month day-of-week, e.g. \"0 2 * * *\" = daily "
            + "at 02:00), Quartz's 6-7 (second minute hour day-of-month month day-of-week [year], e.g. \"0 0 2 * * ?\"), "
            + "or \"off\"";

    private static final Map<String, String> NICKNAMES = Map.of("@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *",
            "@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0", "@daily", "0 0 * * *", "@midnight", "0 0 * * *",
            "@hourly", "0 * * * *");
    private static final List<String> MONTHS = List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP",
            "OCT", "NOV", "DEC");
    private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");
    private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final CronMapper TO_QUARTZ = CronMapper.fromUnixToQuartz();

    /** A schedule that cannot be run; the message says why in the admin's terms (without the key and value). */
    static final class Invalid extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }
    }

    /** One field of a syntax: its name, its range, its names (month, day), and what it accepts besides. */
    private record Field(String name, int min, int max, List<String> names, int firstName, String allowed) {
    }

    private static final Field SECOND = new Field("second", 0, 59, List.of(), 0, "0-59");
    private static final Field MINUTE = new Field("minute", 0, 59, List.of(), 0, "0-59");
    private static final Field HOUR = new Field("hour", 0, 23, List.of(), 0, "0-23");
    private static final Field DAY_OF_MONTH = new Field("day-of-month", 1, 31, List.of(), 0, "1-31");
    private static final Field MONTH = new Field("month", 1, 12, MONTHS, 1, "1-12 or JAN-DEC");
    private static final Field UNIX_DAY_OF_WEEK = new Field("day-of-week", 0, 7, DAYS, 0,
            "0-7 (0 and 7 = Sunday) or SUN-SAT");
    private static final Field QUARTZ_DAY_OF_WEEK = new Field("day-of-week", 1, 7, DAYS, 1,
            "1-7 (1 = Sunday, 7 = Saturday) or SUN-SAT");
    private static final Field YEAR = new Field("year", 1970, 2099, List.of(), 0, "1970-2099");
    private static final List<Field> UNIX_FIELDS = List.of(MINUTE, HOUR, DAY_OF_MONTH, MONTH, UNIX_DAY_OF_WEEK);
    private static final List<Field> QUARTZ_FIELDS = List.of(SECOND, MINUTE, HOUR, DAY_OF_MONTH, MONTH, QUARTZ_DAY_OF_WEEK, YEAR);

    // Quartz's specials: L (last), W (nearest weekday), # (n-th day of week)
    private static final Pattern QUARTZ_DOM_SPECIAL = Pattern.compile("L|L-\\d{1,2}|LW|\\d{1,2}W");
    private static final Pattern QUARTZ_DOW_SPECIAL = Pattern.compile("L|([1-7]|[A-Z]{3})L|([1-7]|[A-Z]{3})#[1-5]");
    private static final Pattern ITEM = Pattern.compile("(\\*|[0-9A-Z]+(?:-[0-9A-Z]+)?)(?:/(\\d+))?");

    private Cron() {
    }

    /** The Quartz expression of {@code text} (crontab or Quartz syntax); {@link Invalid} says what is wrong. */
    static String toQuartz(String text) {
        String t = text.trim();
        String nick = NICKNAMES.get(t.toLowerCase(Locale.ROOT));
        if (t.startsWith("@") && nick == null) {
            throw new Invalid("\"" + t + "\" is not a crontab nickname (" + String.join(", ", NICKNAMES.keySet().stream().sorted()
                    .toList()) + ")");
        }
        if (nick != null) {
            t = nick;
        }
        String[] f = t.isEmpty() ? new String[0] : t.split("\\s+");
        if (f.length == 5) {
            return unix(f);
        }
        if (f.length == 6 || f.length == 7) {
            return quartz(f);
        }
        throw new Invalid("has " + f.length + " field" + (f.length == 1 ? "" : "s") + ": write " + FORMS);
    }

    private static String unix(String[] f) {
        for (int i = 0; i < f.length; i++) {
            check(UNIX_FIELDS.get(i), f[i], false);
        }
        String dom = f[2];
        String dow = f[4];
        if (!dom.equals("*") && !dow.equals("*")) {
            throw new Invalid("day-of-month \"" + dom + "\" and day-of-week \"" + dow + "\" are both set: crontab runs when "
                    + "either matches, which barmand's scheduler (Quartz) cannot do: set one of them to *");
        }
        String q;
        try {
            q = TO_QUARTZ.map(UNIX.parse(String.join(" ", f))).asString();
        } catch (IllegalArgumentException e) {
            throw new Invalid("is not a crontab schedule barmand can run: write " + FORMS);
        }
        return validQuartz(q, "crontab");
    }

    private static String quartz(String[] f) {
        for (int i = 0; i < f.length; i++) {
            check(QUARTZ_FIELDS.get(i), f[i], true);
        }
        String dom = f[3];
        String dow = f[5];
        if (!dom.equals("?") && !dow.equals("?")) {
            String hint;
            if (dow.equals("*")) {
                f[5] = "?";
                hint = "write \"" + String.join(" ", f) + "\"";
            } else if (dom.equals("*")) {
                f[3] = "?";
                hint = "write \"" + String.join(" ", f) + "\"";
            } else {
                hint = "Quartz cannot run on both: set one of them to ?";
            }
            throw new Invalid("day-of-month \"" + dom + "\" and day-of-week \"" + dow + "\": in Quartz syntax one of them must "
                    + "be \"?\" (" + hint + "), or write crontab's 5 fields (\"0 2 * * *\" = daily at 02:00)");
        }
        if (dom.equals("?") && dow.equals("?")) {
            throw new Invalid("day-of-month and day-of-week are both \"?\": only one of them may be (the other says which "
                    + "days, * for every day)");
        }
        return validQuartz(String.join(" ", f), "Quartz");
    }

    private static String validQuartz(String q, String syntax) {
        try {
            CronExpression.validateExpression(q);
            return q;
        } catch (ParseException | RuntimeException e) {
            throw new Invalid("is not a " + syntax + " schedule barmand can run: write " + FORMS);
        }
    }

    /** One field: a list of *, N, A-B, each with an optional /STEP; in Quartz also ? and its L, W and # forms. */
    private static void check(Field field, String value, boolean quartz) {
        String v = value.toUpperCase(Locale.ROOT);
        if (v.equals("?")) {
            if (!quartz) {
                throw new Invalid(field.name() + " \"?\" is Quartz syntax: in crontab's 5 fields write *");
            }
            if (field != DAY_OF_MONTH && field != QUARTZ_DAY_OF_WEEK) {
                throw new Invalid(field.name() + " \"?\": only day-of-month or day-of-week may be ?");
            }
            return;
        }
        for (String item : v.split(",", -1)) {
            if (quartz && field == DAY_OF_MONTH && QUARTZ_DOM_SPECIAL.matcher(item).matches()) {
                continue; // Quartz checks the numbers of L-N and NW
            }
            if (quartz && field == QUARTZ_DAY_OF_WEEK && QUARTZ_DOW_SPECIAL.matcher(item).matches()) {
                continue;
            }
            Matcher m = ITEM.matcher(item);
            if (!m.matches()) {
                throw new Invalid(field.name() + " \"" + value + "\" is not " + field.allowed() + ", *, a range A-B, a step */N "
                        + "or a list A,B" + (quartz ? "" : notCrontab(item)));
            }
            if (!m.group(1).equals("*")) {
                String[] ends = m.group(1).split("-");
                int lo = number(field, ends[0], value, quartz);
                if (ends.length == 2) {
                    int hi = number(field, ends[1], value, quartz);
                    if (hi < lo) {
                        throw new Invalid(field.name() + " \"" + value + "\": the range " + m.group(1) + " ends before it "
                                + "starts (allowed: " + field.allowed() + ")");
                    }
                }
            }
            if (m.group(2) != null) {
                int step = Integer.parseInt(m.group(2));
                if (step < 1 || step > field.max()) {
                    throw new Invalid(field.name() + " \"" + value + "\": the step /" + m.group(2) + " must be between 1 and "
                            + field.max());
                }
            }
        }
    }

    private static String notCrontab(String item) {
        return item.matches(".*[LW#].*") ? " (L, W and # are Quartz syntax, with its 6 fields)" : "";
    }

    private static int number(Field field, String s, String value, boolean quartz) {
        int n;
        if (s.matches("\\d+")) {
            n = Integer.parseInt(s);
        } else {
            int i = field.names().indexOf(s);
            if (i < 0) {
                throw new Invalid(field.name() + " \"" + value + "\": \"" + s + "\" is not " + field.allowed()
                        + (quartz ? "" : notCrontab(s)));
            }
            n = i + field.firstName();
        }
        if (n < field.min() || n > field.max()) {
            throw new Invalid(field.name() + " \"" + value + "\": " + n + " is out of range (allowed: " + field.allowed() + ")");
        }
        return n;
    }
}
