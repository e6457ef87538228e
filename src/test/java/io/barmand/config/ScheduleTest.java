package io.barmand.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScheduleTest {
    static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");

    static String error(String expression) {
        Cron.Invalid e = catchThrowableOfType(Cron.Invalid.class, () -> Schedule.parse(expression, ZoneOffset.UTC, NOW));
        assertThat(e).as(expression).isNotNull();
        // Quartz's and cron-utils' own words never reach the admin
        assertThat(e.getMessage()).doesNotContain("Unexpected end of expression", "Support for specifying",
                "values must be between", "Failed to parse", "not implemented");
        return e.getMessage();
    }

    /** The next {@code n} fire times from {@link #NOW}. */
    static List<ZonedDateTime> fires(Schedule s, int n) {
        List<ZonedDateTime> l = new ArrayList<>();
        Instant t = NOW;
        for (int i = 0; i < n; i++) {
            t = s.next(t).orElseThrow();
            l.add(t.atZone(s.zone()));
        }
        return l;
    }

    @Test
    void crontabIsMappedToQuartz() {
        Schedule daily = new Schedule("0 2 * * *", PARIS);
        assertThat(daily.expression()).isEqualTo("0 2 * * *");
        assertThat(daily.quartz()).isEqualTo("0 0 2 * * ? *");
        assertThat(fires(daily, 3)).extracting(ZonedDateTime::toString).containsExactly(
                "2026-11-25T02:00+01:00[Europe/Paris]", "2026-11-26T02:00+01:00[Europe/Paris]", "2026-11-27T02:00+01:00[Europe/Paris]");
        // Quartz syntax is taken as it is
        assertThat(new Schedule("0 0 2 * * ?", PARIS).quartz()).isEqualTo("0 0 2 * * ?");
        assertThat(new Schedule("@daily", PARIS).quartz()).isEqualTo("0 0 0 * * ? *");
    }

    @Test
    void crontabSundayIsZeroOrSeven() {
        for (String e : List.of("0 4 * * 0", "0 4 * * 7", "0 4 * * sun", "0 4 * * SUN")) {
            List<ZonedDateTime> f = fires(new Schedule(e, ZoneOffset.UTC), 5);
            assertThat(f).as(e).allSatisfy(z -> {
                assertThat(z.getDayOfWeek()).isEqualTo(DayOfWeek.SUNDAY);
                assertThat(z.getHour()).isEqualTo(4);
            });
        }
        assertThat(days(fires(new Schedule("0 2 * * 1-5", ZoneOffset.UTC), 20))).isEqualTo(EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY));
        assertThat(days(fires(new Schedule("0 2 * * 5-7", ZoneOffset.UTC), 20)))
                .isEqualTo(EnumSet.of(DayOfWeek.FRIDAY, DayOfWeek.SATURDAY, DayOfWeek.SUNDAY));
        assertThat(days(fires(new Schedule("0 2 * * 0,6", ZoneOffset.UTC), 20)))
                .isEqualTo(EnumSet.of(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY));
    }

    private static Set<DayOfWeek> days(List<ZonedDateTime> l) {
        Set<DayOfWeek> s = EnumSet.noneOf(DayOfWeek.class);
        l.forEach(z -> s.add(z.getDayOfWeek()));
        return s;
    }

    @Test
    void crontabFiresWhenCrontabWould() {
        // cron-utils' own evaluation of the crontab expression against Quartz's of the mapped one, 300 fire times each;
        // in UTC: where a local time happens twice (the end of summer time) the two pick different ones
        CronParser unix = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
        for (String e : List.of("0 2 * * *", "*/5 * * * *", "30 */2 * * *", "0 4 * * 0", "0 4 * * 7", "15 3 * * 1-5",
                "0 2 1 * *", "0 2 */2 * *", "0 0 1 jan *", "0 6,18 * * *", "0 2 * * 5-7", "45 23 * * sat", "0 0 29 2 *",
                "5 4 * 3-5 2")) {
            Schedule s = new Schedule(e, ZoneOffset.UTC);
            ExecutionTime reference = ExecutionTime.forCron(unix.parse(e));
            ZonedDateTime t = NOW.atZone(ZoneOffset.UTC);
            // Quartz looks 100 years ahead: the yearly ones get 20 fire times
            for (ZonedDateTime q : fires(s, e.contains(" 1 jan ") || e.contains(" 29 2 ") ? 20 : 300)) {
                t = reference.nextExecution(t).orElseThrow();
                assertThat(q.toInstant()).as(e + " after " + t).isEqualTo(t.toInstant());
            }
        }
    }

    @Test
    void mistakesAreToldInBarmandsWords() {
        assertThat(error("0 2 * *")).startsWith("has 4 fields: write crontab's 5 fields (minute hour day-of-month month "
                + "day-of-week, e.g. \"0 2 * * *\" = daily at 02:00), Quartz's 6-7");
        assertThat(error("0 0 2 * * *")).isEqualTo("day-of-month \"*\" and day-of-week \"*\": in Quartz syntax one of them must "
                + "be \"?\" (write \"0 0 2 * * ?\"), or write crontab's 5 fields (\"0 2 * * *\" = daily at 02:00)");
        assertThat(error("0 0 2 1 * MON")).contains("Quartz cannot run on both: set one of them to ?");
        assertThat(error("0 2 * * 8")).isEqualTo("day-of-week \"8\": 8 is out of range (allowed: 0-7 (0 and 7 = Sunday) or SUN-SAT)");
        assertThat(error("0 0 2 ? * 0")).isEqualTo("day-of-week \"0\": 0 is out of range (allowed: 1-7 (1 = Sunday, 7 = Saturday) "
                + "or SUN-SAT)");
        assertThat(error("0 25 * * *")).isEqualTo("hour \"25\": 25 is out of range (allowed: 0-23)");
        assertThat(error("0 2 * * MOX")).isEqualTo("day-of-week \"MOX\": \"MOX\" is not 0-7 (0 and 7 = Sunday) or SUN-SAT");
        assertThat(error("0 2 1 * 1")).startsWith("day-of-month \"1\" and day-of-week \"1\" are both set: crontab runs when "
                + "either matches");
        assertThat(error("0 2 ? * *")).startsWith("day-of-month \"?\" is Quartz syntax");
        assertThat(error("0 2 L * *")).contains("L, W and # are Quartz syntax");
        assertThat(error("*/0 * * * *")).contains("the step /0 must be between 1 and 59");
        assertThat(error("0 5-2 * * *")).contains("the range 5-2 ends before it starts");
        assertThat(error("@sometimes")).startsWith("\"@sometimes\" is not a crontab nickname (@annually, @daily");
        assertThat(error("")).startsWith("has 0 fields");
    }

    @Test
    void aScheduleThatNeverFiresIsRefused() {
        assertThat(error("0 0 2 * * ? 2020")).startsWith("never fires (no time after 2026-11-24 10:00 Z matches; the last was "
                + "2020-12-31 02:00: a year that is past");
        assertThat(error("0 0 31 2 *")).startsWith("never fires (no time after 2026-11-24 10:00 Z matches: ");
        // a one-shot that passed a moment ago still reads: a stopped barmand catches it up at its next start
        assertThat(Schedule.parse("0 0 9 24 11 ? 2026", ZoneOffset.UTC, NOW).next(NOW)).isEmpty();
        assertThat(error("0 0 9 16 11 ? 2026")).contains("the last was 2026-11-16 09:00");
        // the same expression is fine as a schedule already known (a past one-shot read back)
        assertThat(new Schedule("0 0 2 * * ? 2020", ZoneOffset.UTC).next(NOW)).isEmpty();
        assertThat(Schedule.parse("0 0 2 * * ? 2027", ZoneOffset.UTC, NOW).next(NOW)).isPresent();
    }

    @Test
    void describedInWords() {
        assertThat(new Schedule("0 2 * * *", PARIS).describe()).isEqualTo("daily at 02:00 Europe/Paris");
        assertThat(new Schedule("0 0 2 * * ?", PARIS).describe()).isEqualTo("daily at 02:00 Europe/Paris");
        assertThat(new Schedule("*/5 * * * *", PARIS).describe()).isEqualTo("every 5 minutes");
        assertThat(new Schedule("0 */15 * * * ?", PARIS).describe()).isEqualTo("every 15 minutes");
        assertThat(new Schedule("0 * * * * ?", PARIS).describe()).isEqualTo("every minute");
        assertThat(new Schedule("0 0 * * * ?", PARIS).describe()).isEqualTo("hourly at :00");
        assertThat(new Schedule("30 */2 * * *", PARIS).describe()).isEqualTo("every 2 hours at :30");
        assertThat(new Schedule("0 4 * * 0", ZoneOffset.UTC).describe()).isEqualTo("weekly on Sunday at 04:00 Z");
        assertThat(new Schedule("0 4 * * 7", PARIS).describe()).isEqualTo("weekly on Sunday at 04:00 Europe/Paris");
        assertThat(new Schedule("0 0 4 ? * SUN", PARIS).describe()).isEqualTo("weekly on Sunday at 04:00 Europe/Paris");
        assertThat(new Schedule("15 3 * * 1-5", PARIS).describe()).isEqualTo("on Monday to Friday at 03:15 Europe/Paris");
        assertThat(new Schedule("0 2 * * 0,6", PARIS).describe()).isEqualTo("on Sunday and Saturday at 02:00 Europe/Paris");
        assertThat(new Schedule("0 6,18 * * *", PARIS).describe()).isEqualTo("daily at 06:00 and 18:00 Europe/Paris");
        assertThat(new Schedule("0 3 1 * *", PARIS).describe()).isEqualTo("monthly on day 1 at 03:00 Europe/Paris");
        assertThat(new Schedule("0 0 3 L * ?", PARIS).describe()).isEqualTo("monthly on the last day at 03:00 Europe/Paris");
        // unusual: the expression as written, and its zone
        assertThat(new Schedule("0 15 10 L-3 * ?", PARIS).describe()).isEqualTo("\"0 15 10 L-3 * ?\" Europe/Paris");
        assertThat(new Schedule("0 0 2 * 1-6 ?", PARIS).describe()).isEqualTo("\"0 0 2 * 1-6 ?\" Europe/Paris");
        assertThat(new Schedule("0 2 * * 5-7", PARIS).describe()).isEqualTo("\"0 2 * * 5-7\" Europe/Paris");
    }

    @Test
    void aLoadParsesEachExpressionInEachZoneOnceAndSaysTheSameOfAWrongOne() {
        Schedule.Parser p = new Schedule.Parser(NOW);
        Schedule a = p.parse("0 2 * * *", PARIS);
        assertThat(p.parse("0 2 * * *", PARIS)).isSameAs(a);
        assertThat(p.parse("0 2 * * *", ZoneOffset.UTC)).isNotSameAs(a).isEqualTo(new Schedule("0 2 * * *", ZoneOffset.UTC));
        Cron.Invalid first = catchThrowableOfType(Cron.Invalid.class, () -> p.parse("0 0 2 * * ? 2020", ZoneOffset.UTC));
        Cron.Invalid again = catchThrowableOfType(Cron.Invalid.class, () -> p.parse("0 0 2 * * ? 2020", ZoneOffset.UTC));
        assertThat(again.getMessage()).isEqualTo(first.getMessage()).isEqualTo(error("0 0 2 * * ? 2020"));
    }
}
