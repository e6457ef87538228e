package io.barmand.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * What a run measured, as named values with units: bytes, seconds, counts, instants, LSNs and text. Stored as
 * their own column, queried by name and unit ("the RTO of the last 14 restore tests"), shown by
 * {@code history --json} as {@code "facts": {"rto": {"unit": "seconds", "value": 1.71}, ...}}, and turned into
 * text for people in one place, {@link #toText()}. Immutable; names keep the order they were added in.
 */
public final class Facts implements Iterable<Facts.Fact> {
    /** The unit of a fact, and so the Java type of its value. */
    public enum Unit {
        /** a Long */
        BYTES("bytes"),
        /** a Double */
        SECONDS("seconds"),
        /** a Long */
        COUNT("count"),
        /** an Instant */
        INSTANT("instant"),
        /** a String such as 0/3000060 */
        LSN("lsn"),
        /** a String */
        TEXT("text");

        private final String word;

        Unit(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }

        public static Unit of(String word) {
            for (Unit u : values()) {
                if (u.word.equals(word)) {
                    return u;
                }
            }
            throw new IllegalArgumentException("unknown unit '" + word + "'");
        }
    }

    /** One named value. */
    public record Fact(String name, Unit unit, Object value) {
        public Fact {
            Class<?> want = switch (unit) {
                case BYTES, COUNT -> Long.class;
                case SECONDS -> Double.class;
                case INSTANT -> Instant.class;
                case LSN, TEXT -> String.class;
            };
            if (!want.isInstance(value)) {
                throw new IllegalArgumentException("fact " + name + " (" + unit.word() + ") is not a " + want.getSimpleName()
                        + ": " + value);
            }
        }

        /** The value for people: 1.71s, 30.1 MiB, 12, 2026-11-24T01:00:00Z, 0/3000060. */
        public String text() {
            return switch (unit) {
                case BYTES -> Sizes.human((Long) value);
                case SECONDS -> String.format(Locale.ROOT, "%.2fs", (Double) value);
                default -> value.toString();
            };
        }
    }

    public static final Facts NONE = new Facts(Map.of());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Fact> facts;

    /** These facts with a text fact {@code name} first, when they have none of that name (else these). */
    public Facts withTextIfAbsent(String name, String v) {
        if (facts.containsKey(name) || v == null) {
            return this;
        }
        Map<String, Fact> m = new LinkedHashMap<>();
        m.put(name, new Fact(name, Unit.TEXT, v));
        m.putAll(facts);
        return new Facts(Collections.unmodifiableMap(m));
    }

    private Facts(Map<String, Fact> facts) {
        this.facts = facts;
    }

    public static Builder builder() {
        return new Builder();
    }

    public boolean isEmpty() {
        return facts.isEmpty();
    }

    public Collection<Fact> all() {
        return Collections.unmodifiableCollection(facts.values());
    }

    @Override
    public Iterator<Fact> iterator() {
        return all().iterator();
    }

    public Optional<Fact> get(String name) {
        return Optional.ofNullable(facts.get(name));
    }

    private <T> Optional<T> typed(String name, Unit unit, Class<T> type) {
        Fact f = facts.get(name);
        return f == null || f.unit() != unit ? Optional.empty() : Optional.of(type.cast(f.value()));
    }

    public Optional<Long> bytes(String name) {
        return typed(name, Unit.BYTES, Long.class);
    }

    public Optional<Double> seconds(String name) {
        return typed(name, Unit.SECONDS, Double.class);
    }

    public Optional<Long> count(String name) {
        return typed(name, Unit.COUNT, Long.class);
    }

    public Optional<Instant> instant(String name) {
        return typed(name, Unit.INSTANT, Instant.class);
    }

    public Optional<String> lsn(String name) {
        return typed(name, Unit.LSN, String.class);
    }

    public Optional<String> text(String name) {
        return typed(name, Unit.TEXT, String.class);
    }

    /** These facts, then those of {@code more} (a name given twice keeps the later value). */
    public Facts with(Facts more) {
        Map<String, Fact> m = new LinkedHashMap<>(facts);
        more.facts.forEach(m::put);
        return new Facts(Collections.unmodifiableMap(m));
    }

    /** The one text form for people (log, CLI, report): {@code name=value} separated by spaces. */
    public String toText() {
        StringJoiner j = new StringJoiner(" ");
        facts.values().forEach(f -> j.add(f.name() + "=" + f.text()));
        return j.toString();
    }

    /** {@code {"rto": {"unit": "seconds", "value": 1.71}, ...}} */
    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        for (Fact f : facts.values()) {
            ObjectNode v = o.putObject(f.name());
            v.put("unit", f.unit().word());
            switch (f.unit()) {
                case BYTES, COUNT -> v.put("value", (Long) f.value());
                case SECONDS -> v.put("value", (Double) f.value());
                default -> v.put("value", f.value().toString());
            }
        }
        return o;
    }

    /** Stored form (the JSON above as text); null for none. */
    public String toStored() {
        if (facts.isEmpty()) {
            return null;
        }
        try {
            return JSON.writeValueAsString(toJson());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads the JSON form; a value that does not fit its unit is an IllegalArgumentException naming the fact. */
    public static Facts fromJson(JsonNode o) {
        if (o == null || o.isNull() || o.isMissingNode()) {
            return NONE;
        }
        Builder b = builder();
        o.fields().forEachRemaining(e -> {
            JsonNode v = e.getValue().path("value");
            Unit u = Unit.of(e.getValue().path("unit").asText());
            String n = e.getKey();
            try {
                switch (u) {
                    case BYTES -> b.bytes(n, v.asLong());
                    case COUNT -> b.count(n, v.asLong());
                    case SECONDS -> b.seconds(n, v.asDouble());
                    case INSTANT -> b.instant(n, Instant.parse(v.asText()));
                    case LSN -> b.lsn(n, v.asText());
                    case TEXT -> b.text(n, v.asText());
                }
            } catch (DateTimeParseException ex) {
                throw new IllegalArgumentException("fact " + n + ": not an instant: " + v.asText(), ex);
            }
        });
        return b.build();
    }

    public static Facts fromStored(String stored) {
        if (stored == null || stored.isBlank()) {
            return NONE;
        }
        try {
            return fromJson(JSON.readTree(stored));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("stored facts are not JSON: " + e.getOriginalMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Facts f && f.facts.equals(facts);
    }

    @Override
    public int hashCode() {
        return facts.hashCode();
    }

    @Override
    public String toString() {
        return toText();
    }

    /** Adds facts in order; a null value is left out (a figure that could not be measured). */
    public static final class Builder {
        private final Map<String, Fact> m = new LinkedHashMap<>();

        private Builder put(String name, Unit unit, Object value) {
            if (value != null) {
                m.put(name, new Fact(name, unit, value));
            }
            return this;
        }

        public Builder bytes(String name, Long v) {
            return put(name, Unit.BYTES, v);
        }

        public Builder seconds(String name, Double v) {
            return put(name, Unit.SECONDS, v);
        }

        public Builder seconds(String name, Duration d) {
            return put(name, Unit.SECONDS, d == null ? null : d.toNanos() / 1e9);
        }

        public Builder count(String name, Long v) {
            return put(name, Unit.COUNT, v);
        }

        public Builder count(String name, int v) {
            return put(name, Unit.COUNT, (long) v);
        }

        public Builder instant(String name, Instant v) {
            return put(name, Unit.INSTANT, v);
        }

        public Builder lsn(String name, String v) {
            return put(name, Unit.LSN, v);
        }

        public Builder text(String name, String v) {
            return put(name, Unit.TEXT, v);
        }

        public boolean has(String name) {
            return m.containsKey(name);
        }

        public Facts build() {
            return m.isEmpty() ? NONE : new Facts(Collections.unmodifiableMap(new LinkedHashMap<>(m)));
        }
    }
}
