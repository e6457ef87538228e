package io.barmand.config;

import java.time.DayOfWeek;
import java.time.ZoneId;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A Quartz expression in words, for the common shapes: "every 5 minutes", "hourly at :15", "every 2 hours at :30",
 * "daily at 02:00 UTC", "daily at 02:00 and 14:00 UTC", "weekly on Sunday at 04:00 UTC", "on Monday to Friday at
 * 02:00 UTC", "monthly on day 1 at 03:00 UTC". Anything else is empty: the caller shows the expression.
 */
final class ScheduleWords {
    private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

    private ScheduleWords() {
    }

    static Optional<String> describe(String quartz, ZoneId zone) {
        String[] f = quartz.trim().toUpperCase(Locale.ROOT).split("\\s+");
        String sec = f[0];
        String min = f[1];
        String hour = f[2];
        String dom = f[3];
        String month = f[4];
        String dow = f[5];
        String year = f.length > 6 ? f[6] : "*";
        if (!sec.equals("0") || !any(month) || !any(year)) {
            return Optional.empty();
        }
        boolean everyDay = any(dom) && any(dow);
        // every N minutes, every minute
        if (hour.equals("*") && everyDay) {
            if (min.equals("*")) {
                return Optional.of("every minute");
            }
            Integer step = step(min);
            if (step != null) {
                return Optional.of("every " + step + " minutes");
            }
            if (number(min) != null) {
                return Optional.of("hourly at :" + two(number(min)));
            }
            return Optional.empty();
        }
        Integer m = number(min);
        if (m == null) {
            return Optional.empty();
        }
        Integer hourStep = step(hour);
        if (hourStep != null && everyDay) {
            return Optional.of("every " + hourStep + " hours at :" + two(m));
        }
        List<Integer> hours = numbers(hour);
        if (hours == null) {
            return Optional.empty();
        }
        List<String> times = new ArrayList<>();
        hours.forEach(h -> times.add(two(h) + ":" + two(m)));
        String at = "at " + and(times) + " " + zone.getId();
        if (everyDay) {
            return Optional.of("daily " + at);
        }
        if (any(dom)) {
            List<Integer> days = days(dow);
            if (days == null) {
                return Optional.empty();
            }
            if (days.size() == 1) {
                return Optional.of("weekly on " + day(days.get(0)) + " " + at);
            }
            boolean consecutive = days.get(days.size() - 1) - days.get(0) == days.size() - 1;
            return Optional.of("on " + (consecutive && days.size() > 2 ? day(days.get(0)) + " to " + day(days.get(days.size() - 1))
                    : and(days.stream().map(ScheduleWords::day).toList())) + " " + at);
        }
        if (any(dow)) {
            if (dom.equals("L")) {
                return Optional.of("monthly on the last day " + at);
            }
            List<Integer> d = numbers(dom);
            if (d != null) {
                return Optional.of("monthly on day" + (d.size() > 1 ? "s " : " ") + and(d.stream().map(String::valueOf).toList())
                        + " " + at);
            }
        }
        return Optional.empty();
    }

    private static boolean any(String f) {
        return f.equals("*") || f.equals("?");
    }

    /** N of "*&#47;N" or "0/N" (from the start of the range); else null. */
    private static Integer step(String f) {
        if (f.matches("(\\*|0)/\\d+")) {
            int n = Integer.parseInt(f.substring(f.indexOf('/') + 1));
            return n > 1 ? n : null;
        }
        return null;
    }

    private static Integer number(String f) {
        return f.matches("\\d{1,2}") ? Integer.parseInt(f) : null;
    }

    /** "2,14" as [2, 14]; null unless every item is a number. */
    private static List<Integer> numbers(String f) {
        List<Integer> l = new ArrayList<>();
        for (String s : f.split(",")) {
            if (number(s) == null) {
                return null;
            }
            l.add(number(s));
        }
        return l.stream().sorted().distinct().toList();
    }

    /** Quartz days (1 = Sunday) of "2-6", "MON-FRI", "1,7"; null for anything else (L, #, wrapping ranges). */
    private static List<Integer> days(String f) {
        List<Integer> l = new ArrayList<>();
        for (String item : f.split(",")) {
            String[] ends = item.split("-");
            if (ends.length > 2) {
                return null;
            }
            Integer lo = dayNumber(ends[0]);
            Integer hi = ends.length == 2 ? dayNumber(ends[1]) : lo;
            if (lo == null || hi == null || hi < lo) {
                return null;
            }
            for (int d = lo; d <= hi; d++) {
                l.add(d);
            }
        }
        return l.stream().sorted().distinct().toList();
    }

    private static Integer dayNumber(String s) {
        if (s.matches("[1-7]")) {
            return Integer.parseInt(s);
        }
        int i = DAYS.indexOf(s);
        return i < 0 ? null : i + 1;
    }

    /** Quartz's 1 = Sunday ... 7 = Saturday, in English. */
    private static String day(int quartzDay) {
        return DayOfWeek.of(quartzDay == 1 ? 7 : quartzDay - 1).getDisplayName(TextStyle.FULL, Locale.ENGLISH);
    }

    private static String two(int n) {
        return n < 10 ? "0" + n : String.valueOf(n);
    }

    private static String and(List<String> l) {
        return l.size() == 1 ? l.get(0) : String.join(", ", l.subList(0, l.size() - 1)) + " and " + l.get(l.size() - 1);
    }
}
