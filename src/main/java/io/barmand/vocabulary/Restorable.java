package io.barmand.vocabulary;

import java.util.Locale;

/**
 * Whether a server can be restored, in the three words an admin acts on: the verdict the health evaluation gives each
 * server (io.barmand.health.Restorability, its rules), and that the report, {@code status} and the metrics show.
 * {@link #metric()} is the value of {@code barmand_restorable{server}}.
 */
public enum Restorable {
    /** No usable DONE backup, or the WAL chain from the newest one is broken: a restore now would fail. */
    NOT_RESTORABLE("NOT restorable", 0),
    /** A DONE backup and its WAL are there, but something says it may not restore as hoped (a failed or old restore
     * test, old WAL, the offsite copy behind): act before it is needed. */
    AT_RISK("at risk", 1),
    /** A DONE backup, its WAL chain whole and fresh, proven by a recent passed restore test. */
    RESTORABLE("restorable", 2);

    private final String words;
    private final int metric;

    Restorable(String words, int metric) {
        this.words = words;
        this.metric = metric;
    }

    /** "restorable", "at risk", "NOT restorable": as the report, status and the subject say it. */
    public String words() {
        return words;
    }

    /** The value of the metric {@code barmand_restorable}: 2 restorable, 1 at risk, 0 NOT restorable. */
    public int metric() {
        return metric;
    }

    /** As JSON spells it: "restorable", "at-risk", "not-restorable". */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The worse of the two. */
    public Restorable worst(Restorable o) {
        return o.metric < metric ? o : this;
    }
}
