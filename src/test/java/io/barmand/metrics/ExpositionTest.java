package io.barmand.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The test parser is strict: what Prometheus would refuse, it refuses. */
class ExpositionTest {
    @Test
    void readsTheFormat() {
        Exposition e = Exposition.parse("""
                # HELP a_seconds Some \\\\ help\\nwith a newline
                # TYPE a_seconds gauge
                a_seconds{x="q\\"uo\\\\te\\n",y=""} 1.5e3
                a_seconds NaN 1700000000000
                # a comment
                # TYPE b counter
                b_total -Inf
                b +Inf
                # TYPE h histogram
                h_bucket{le="+Inf"} 3
                h_sum 1
                h_count 3
                """.replace("b_total -Inf\n", ""));
        assertThat(e.family("a_seconds").help).isEqualTo("Some \\ help\nwith a newline");
        assertThat(e.value("a_seconds", "x", "q\"uo\\te\n", "y", "")).contains(1500.0);
        assertThat(e.value("a_seconds")).hasValueSatisfying(v -> assertThat(v).isNaN());
        assertThat(e.family("a_seconds").samples.get(1).timestamp()).isEqualTo(1700000000000L);
        assertThat(e.value("b")).contains(Double.POSITIVE_INFINITY);
        assertThat(e.family("h").samples).hasSize(3);
    }

    @Test
    void refusesWhatPrometheusRefuses() {
        for (String bad : new String[] {
            "a 1", // no newline at the end
            "a{x=\"y\\q\"} 1\n", // bad escape
            "a{x=\"y\"\"} 1\n", // stray quote
            "a{x=y} 1\n", // unquoted value
            "a{1x=\"y\"} 1\n", // bad label name
            "a{x=\"1\",x=\"2\"} 1\n", // label twice
            "a 1\na 2\n", // series twice
            "a one\n", // not a number
            "a 1 12.5\n", // timestamp not an integer
            "1a 1\n", // bad metric name
            "a-b 1\n", // bad metric name
            "a 1\n# TYPE a gauge\n", // TYPE after a sample
            "# TYPE a gauge\n# TYPE a gauge\na 1\n", // TYPE twice
            "# TYPE a gaug\na 1\n", // unknown type
            "# HELP a x\n# HELP a y\n", // HELP twice
            "# HELP a x\\\"y\n", // \" is no escape in HELP
            "a 1\nb 1\na{x=\"1\"} 2\n", // a family in two groups
        }) {
            assertThatThrownBy(() -> Exposition.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
