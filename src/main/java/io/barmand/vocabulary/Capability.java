package io.barmand.vocabulary;

import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a node of the fleet is able to run. A node declares its capabilities in its heartbeat (the state database's
 * {@code nodes.capabilities}); a floating job runs only on a node that has every capability the job needs. Spelt as
 * the heartbeat stores it and {@code barmand fleet status} prints it ({@link #id()}).
 */
public enum Capability {
    /** Takes backups of the servers it owns: barman, its configuration and its disk are on this host. */
    BACKUP("backup"),
    /** Restore tests from the offsite copy: the bucket's credentials, the age identity, PostgreSQL binaries. */
    RESTORE_TEST_S3("restore-test-s3"),
    /** Verification of the offsite copies: the bucket's credentials and the age identity. */
    VERIFY_S3("verify-s3"),
    /** Makes and sends the fleet report: the mail settings. */
    REPORT("report"),
    /** Runs the watch (the fleet's dead-man's switch): the mail or webhook settings to alert with. */
    WATCH("watch");

    private final String id;

    Capability(String id) {
        this.id = id;
    }

    /** As the heartbeat and {@code fleet status} spell it. */
    public String id() {
        return id;
    }

    /** The capability spelt exactly {@code id}; empty for anything else (null included). */
    public static Optional<Capability> of(String id) {
        return Arrays.stream(values()).filter(v -> v.id.equals(id)).findFirst();
    }

    /** The capabilities among {@code ids} (unknown words, written by a newer version, are left out). */
    public static Set<Capability> known(Collection<String> ids) {
        Set<Capability> set = EnumSet.noneOf(Capability.class);
        for (String id : ids) {
            of(id).ifPresent(set::add);
        }
        return set;
    }

    /** The ids of {@code capabilities} in declaration order: what the heartbeat stores. */
    public static List<String> ids(Collection<Capability> capabilities) {
        return Arrays.stream(values()).filter(capabilities::contains).map(Capability::id).toList();
    }

    @Override
    public String toString() {
        return id;
    }
}
