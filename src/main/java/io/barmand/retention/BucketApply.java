package io.barmand.retention;

import io.barmand.bucket.Layout;
import io.barmand.bucket.Manifest;
import io.barmand.bucket.S3Store;
import io.barmand.job.RunContext;
import io.barmand.bucket.Locks;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.TreeMap;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The bucket's plan applied with explicit S3 deletes: each expired copy loses its manifest first, then its objects;
 * then the WAL objects no kept copy needs; then every kept copy is checked and the WAL checked for gaps.
 */
final class BucketApply {
    private static final Logger log = LoggerFactory.getLogger(BucketApply.class);
    private final RetentionService.CopyCheck copyCheck;
    private final Journals journals;
    private final Clock clock;

    BucketApply(RetentionService.CopyCheck copyCheck, Journals journals, Clock clock) {
        this.copyCheck = copyCheck;
        this.journals = journals;
        this.clock = clock;
    }

    /** What an S3 run did. */
    static final class S3Applied {
        final List<String> deleted = new ArrayList<>();
        int walDeleted;
        long freed;
        int verified;
        int lockExtended;
        int walLockExtended;
        final List<String> problems = new ArrayList<>();
    }

    /** @param locks under Object Lock, each copy's retain-until now (empty otherwise) */
    S3Applied apply(String server, S3Store st, Plan plan, Map<String, Manifest> copies, Map<String, Instant> locks,
                    RunContext ctx) {
        Layout layout = new Layout(st.settings().prefix());
        S3Applied a = new S3Applied();
        boolean locked = BucketLocks.on(st);
        Instant now = plan.now();
        List<Decision> deletes = new ArrayList<>(plan.deletes());
        Collections.reverse(deletes);
        for (Decision d : deletes) {
            ctx.checkCancelled();
            // noted first: the local backup was copied, its copy expired; no rail holds it for want of a copy
            journals.note(Journals.EXPIRED, server, d.backupId(), "offsite copy expired by the S3 policy at " + clock.instant() + ": "
                    + d.reason().text());
            // the manifest first: from now on the copy is incomplete to every reader, never taken for whole
            if (locked) {
                // every version, by its id (a delete without one only adds a delete marker): the plan kept the copy
                // while its lock lasted, and a version locked longer (someone else's) is left and named
                List<String> left = new ArrayList<>();
                a.freed += BucketLocks.deleteVersions(st, layout.manifest(server, d.backupId()),
                        layout.backup(server, d.backupId()), now, left);
                left.forEach(x -> a.problems.add("copy " + d.backupId() + ": " + x));
            } else {
                st.delete(layout.manifest(server, d.backupId()));
                for (S3Object o : st.list(layout.backup(server, d.backupId()))) {
                    st.delete(o.key());
                    a.freed += o.size();
                }
            }
            log.info("{}: offsite copy {} deleted ({})", server, d.backupId(), d.reason().text());
            a.deleted.add(d.backupId());
        }
        // the WAL: everything from the oldest copy the window or a rail keeps on, and each tier-only copy's own range
        Long base = null;
        long segmentSize = 16L * 1024 * 1024;
        Set<String> needed = new HashSet<>();
        List<String> kept = new ArrayList<>();
        List<Locks.CopyLock> copyLocks = new ArrayList<>();
        for (Decision d : plan.decisions()) {
            if (d.verdict().deletes()) {
                continue;
            }
            Manifest m = copies.get(d.backupId());
            kept.add(d.backupId());
            if (locked && m != null) {
                // locked until the plan would first let it go: longer when a longer tier claims it, never shorter
                Instant current = locks.get(d.backupId());
                Instant wanted = BucketLocks.wanted(plan.policy(), d, plan);
                Instant until = current;
                if (wanted.isAfter(now) && (current == null || wanted.isAfter(current))) {
                    ctx.checkCancelled();
                    BucketLocks.extend(st, server, m, current, wanted);
                    a.lockExtended++;
                    until = wanted;
                }
                if (until != null && m.beginWal() != null) {
                    copyLocks.add(new Locks.CopyLock(d.backupId(), d.end(), m.beginWal(), m.endWal(),
                            d.verdict() == Verdict.KEEP_STANDALONE, until));
                }
            }
            if (m == null || m.beginWal() == null) {
                base = Long.MIN_VALUE; // a copy whose WAL is unknown: keep every WAL
                continue;
            }
            segmentSize = m.segmentSize() > 0 ? m.segmentSize() : segmentSize;
            if (d.verdict() == Verdict.KEEP_STANDALONE) {
                needed.addAll(m.neededWal());
                // marked before its later WAL goes, so that a verify knows the gap after it is by design
                String mark = layout.standalone(server, d.backupId());
                if (st.head(mark).isEmpty()) {
                    st.put(mark, ("kept by " + d.reason().text() + " (barmand retention, " + clock.instant()
                            + "): only its own WAL " + m.beginWal() + ".." + m.endWal() + " is kept\n")
                            .getBytes(StandardCharsets.UTF_8), "text/plain", Map.of());
                }
            } else {
                long b = Layout.segmentIndex(m.beginWal(), segmentSize);
                base = base == null ? b : Math.min(base, b);
            }
        }
        List<String> remaining = new ArrayList<>();
        if (base == null) {
            base = Long.MAX_VALUE; // every kept copy is a tier's alone: only their own WAL stays
        }
        Map<String, List<S3Store.Version>> versions = new TreeMap<>();
        Map<String, S3Object> firstWal = new TreeMap<>();
        Map<String, String> firstVersion = new TreeMap<>();
        List<S3Object> walObjects = st.list(layout.wals(server));
        if (locked) {
            // by version: a WAL object someone deleted (a delete marker) still has its versions to expire
            for (S3Store.Version v : st.versions(layout.wals(server))) {
                versions.computeIfAbsent(v.key(), k -> new ArrayList<>()).add(v);
            }
            for (Map.Entry<String, List<S3Store.Version>> e : versions.entrySet()) {
                Optional<S3Store.Version> first = e.getValue().stream().filter(v -> !v.deleteMarker())
                        .min(Comparator.comparing(S3Store.Version::lastModified));
                if (first.isPresent()) {
                    S3Store.Version v = first.get();
                    firstWal.put(e.getKey(), S3Object.builder().key(e.getKey()).size(v.size()).lastModified(v.lastModified()).build());
                    firstVersion.put(e.getKey(), v.versionId());
                }
            }
            walObjects = new ArrayList<>(firstWal.values());
        }
        Duration window = plan.policy().recoveryWindow().orElse(Duration.ZERO);
        for (S3Object o : walObjects) {
            // the whole key must be barmand's (PREFIX/SERVER/wals/TTTTTTTTLLLLLLLL/NAME[.zst|.gz]): another tool's
            // object whose last component looks like a WAL name (wals/other-tool/0000...) is left
            Optional<String> name = layout.walOf(server, o.key());
            if (name.isEmpty() || name.get().length() < 24 || !Layout.isSegment(name.get().substring(0, 24))) {
                continue; // history files, and anything not barmand's: left
            }
            String seg = name.get().substring(0, 24);
            long idx = Layout.segmentIndex(seg, segmentSize);
            if (idx < base && !needed.contains(seg)) {
                ctx.checkCancelled();
                if (locked) {
                    List<String> left = new ArrayList<>();
                    long freed = BucketLocks.deleteVersions(st, o.key(), o.key(), now, left);
                    if (left.isEmpty()) {
                        a.walDeleted++;
                    }
                    a.freed += freed; // a WAL object still locked stays: deleted by a run after its lock
                } else {
                    st.delete(o.key());
                    a.walDeleted++;
                    a.freed += o.size();
                }
            } else {
                if (idx >= base && name.get().length() == 24) {
                    remaining.add(seg);
                }
                if (locked) {
                    // at least until the oldest locked copy that needs it may go; its lock on write was the write
                    // plus the window: read (and extended) only when a copy asks for longer
                    Optional<Instant> need = Locks.forWal(seg, copyLocks);
                    if (need.isPresent() && need.get().isAfter(now)
                            && need.get().isAfter(o.lastModified().plus(window))) {
                        String v = firstVersion.get(o.key());
                        Optional<S3Store.Lock> l = st.lockOf(o.key(), v);
                        if (l.isEmpty() || l.get().until().isBefore(need.get())) {
                            st.extendLock(o.key(), v, S3Store.Lock.of(st.settings().objectLock(), need.get()).orElseThrow());
                            a.walLockExtended++;
                        }
                    }
                }
            }
        }
        // verified afterwards: every kept copy whole, no gap in the WAL the window needs
        for (String id : kept) {
            ctx.checkCancelled();
            List<String> p = copyCheck.problems(server, id);
            if (p.isEmpty()) {
                a.verified++;
            } else {
                p.forEach(x -> a.problems.add("copy " + id + ": " + x));
            }
        }
        List<String> gaps = Layout.gaps(remaining, segmentSize);
        if (!gaps.isEmpty()) {
            a.problems.add("WAL gap in the bucket after expiry: " + String.join(", ", gaps.subList(0, Math.min(5, gaps.size())))
                    + (gaps.size() > 5 ? " (" + gaps.size() + " in all)" : ""));
        }
        if (a.walLockExtended > 0) {
            log.info("{}: {} WAL object(s) locked longer (a locked copy needs them)", server, a.walLockExtended);
        }
        if (a.walDeleted > 0) {
            log.info("{}: {} WAL object(s) older than the oldest kept copy deleted from the bucket", server, a.walDeleted);
        }
        return a;
    }

}
