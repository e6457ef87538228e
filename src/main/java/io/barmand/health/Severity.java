package io.barmand.health;

/** How bad a problem is; also the exit code of {@code barmand status --check} (0, 1, 2), as a Nagios plugin's. */
public enum Severity {
    OK, WARNING, CRITICAL;

    public int exitCode() {
        return ordinal();
    }

    public String word() {
        return name();
    }

    public Severity max(Severity o) {
        return o.ordinal() > ordinal() ? o : this;
    }
}
