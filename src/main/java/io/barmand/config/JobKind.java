package io.barmand.config;

import java.util.Arrays;
import java.util.Optional;

/** The kinds of job barmand schedules per server; the id is the config key and the word in history. */
public enum JobKind {
    CHECK("check"),
    SWITCH_WAL("switch-wal"),
    BACKUP("backup"),
    RESTORE_TEST("restore-test"),
    OFFSITE("offsite");

    private final String id;

    JobKind(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Optional<JobKind> byId(String id) {
        return Arrays.stream(values()).filter(k -> k.id.equals(id)).findFirst();
    }

    @Override
    public String toString() {
        return id;
    }
}
