package io.barmand.retention;

import io.barmand.bucket.Catalog;
import io.barmand.bucket.Layout;
import io.barmand.bucket.Locks;
import io.barmand.bucket.Manifest;
import io.barmand.bucket.S3Store;
import io.barmand.config.OffsiteSettings;
import io.barmand.config.RetentionPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Object Lock seen by retention (offsite.object-lock on): each copy's lock read when gathering, a copy the plan would
 * delete before its lock ends kept ("locked until D"), the locks a longer tier asks for set (never shortened), and
 * what is deleted deleted version by version (a delete without a version id only adds a delete marker), no version
 * still locked ever asked to go.
 */
final class BucketLocks {
    private static final Logger log = LoggerFactory.getLogger(BucketLocks.class);

    private BucketLocks() {
    }

    static boolean on(S3Store st) {
        return st.settings().objectLock() != OffsiteSettings.LockMode.OFF;
    }

    /** The retain-until of each copy's manifest (its first version), by backup id; absent when it has no lock. */
    static Map<String, Instant> read(S3Store st, String server, Iterable<String> ids) {
        Layout layout = new Layout(st.settings().prefix());
        Map<String, Instant> out = new LinkedHashMap<>();
        for (String id : ids) {
            String key = layout.manifest(server, id);
            Catalog.firstVersion(st, key).flatMap(v -> st.lockOf(key, v.versionId()))
                    .ifPresent(l -> out.put(id, l.until()));
        }
        return out;
    }

    /** The plan with every delete of a copy still locked at {@code now} turned into a KEEP that says until when. */
    static Plan guard(Plan p, Map<String, Instant> locks, String mode) {
        if (p.refused() || locks.isEmpty()) {
            return p;
        }
        List<Decision> out = new ArrayList<>(p.decisions().size());
        for (Decision d : p.decisions()) {
            Instant until = locks.get(d.backupId());
            if (d.verdict().deletes() && until != null && until.isAfter(p.now())) {
                List<Reason> reasons = new ArrayList<>();
                reasons.add(new Reason(Reason.Rule.OBJECT_LOCK, "locked until " + until + " (Object Lock " + mode
                        + "): deleted after it"));
                reasons.addAll(d.reasons());
                out.add(new Decision(d.backupId(), d.end(), d.status(), Verdict.KEEP, reasons));
            } else {
                out.add(d);
            }
        }
        return new Plan(p.policy(), p.now(), out, false, "");
    }

    /**
     * Deletes every version (and delete marker) under {@code prefix}, the manifest's first: a version still locked
     * at {@code now} is left and named in {@code problems}. Returns the bytes freed.
     */
    static long deleteVersions(S3Store st, String manifestKey, String prefix, Instant now, List<String> problems) {
        List<S3Store.Version> vs = new ArrayList<>(st.versions(prefix));
        vs.sort((a, b) -> Boolean.compare(!a.key().equals(manifestKey), !b.key().equals(manifestKey)));
        long freed = 0;
        for (S3Store.Version v : vs) {
            if (!v.deleteMarker()) {
                Optional<S3Store.Lock> l = st.lockOf(v.key(), v.versionId());
                if (l.isPresent() && l.get().until().isAfter(now)) {
                    problems.add(v.key() + " version " + v.versionId() + " locked until " + l.get().until() + ": left");
                    continue;
                }
                freed += v.size();
            }
            st.deleteVersion(v.key(), v.versionId());
        }
        return freed;
    }

    /**
     * Sets the lock of a kept copy to the day the plan would first let it go, when that is later than its lock
     * now: every object of its manifest (by its recorded version) and the manifest. Returns the new day, or empty.
     */
    static Optional<Instant> extend(S3Store st, String server, Manifest m, Instant current, Instant wanted) {
        if (current != null && !wanted.isAfter(current)) {
            return Optional.empty();
        }
        Layout layout = new Layout(st.settings().prefix());
        S3Store.Lock lock = S3Store.Lock.of(st.settings().objectLock(), wanted).orElseThrow();
        for (Manifest.ObjectEntry o : m.objects()) {
            String v = o.versionId() != null ? o.versionId()
                    : Catalog.firstVersion(st, o.key()).map(S3Store.Version::versionId).orElse(null);
            if (v != null) {
                st.extendLock(o.key(), v, lock);
            }
        }
        String mk = layout.manifest(server, m.backupId());
        Catalog.firstVersion(st, mk).ifPresent(v -> st.extendLock(mk, v.versionId(), lock));
        log.info("{}: offsite copy {} locked until {} (was {})", server, m.backupId(), wanted, current);
        return Optional.of(wanted);
    }

    /** The day the S3 plan would first let the copy go ({@link Locks#forCopy}). */
    static Instant wanted(RetentionPolicy p, Decision d, Plan plan) {
        return Locks.forCopy(p, d.end(), plan.decisions().stream().map(Decision::end).toList(), plan.now());
    }
}
