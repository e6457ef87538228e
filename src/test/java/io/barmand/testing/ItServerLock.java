package io.barmand.testing;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * One integration-test class at a time per Barman server of the shared IT cluster (port 5499): in this JVM and across
 * test runs on this host (other worktrees, a developer's single IT). A class that drives a server says so with
 * {@code @ResourceLock(ItServerLock.ITPG)} (JUnit then runs no other class naming it beside it, when the ITs run in
 * parallel: see failsafe's configuration in pom.xml) and registers this extension, which also holds the file lock
 * /var/tmp/barmandit.SERVER-tests.lock from before the class's first fixture to after its last test. Each server's
 * fixture deletes only that server's cut-short backups, and a test's assertions on a server's backups, processes and
 * WAL hold only while nobody else drives it: that is what the lock is for.
 */
public final class ItServerLock implements BeforeAllCallback, AfterAllCallback {
    /** pg-barman-fixture.sh's server, throttled (DaemonIT, ReportMailIT). */
    public static final String ITPG = "itpg";
    /** restore-fixture.sh's server (the restore and retention ITs). */
    public static final String ITRESTORE = "itrestore";
    /** offsite-fixture.sh's server (the offsite ITs on real backups). */
    public static final String ITOFFSITE = "itoffsite";
    /**
     * The PostgreSQL cluster the three servers share (port 5499): every class that drives a server names it too, so
     * that they run one at a time (beside the classes that need no cluster: moto, S3Proxy, stand-in barmans, the
     * fleet's own clusters). Side by side they made each other's WAL switches and backups: a point-in-time restore test
     * and a damaged-WAL test each failed once that way.
     */
    public static final String CLUSTER = "barmandit-cluster";

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ItServerLock.class);

    /** The file lock of {@code server}'s tests (itpg's is the one the tests took before this class existed). */
    public static Path lockFile(String server) {
        return Path.of("/var/tmp/barmandit." + server + "-tests.lock");
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        Class<?> c = context.getRequiredTestClass();
        List<String> servers = AnnotationSupport.findRepeatableAnnotations(c, ResourceLock.class).stream()
                .map(ResourceLock::value).filter(v -> !v.isEmpty()).distinct().sorted().toList();
        if (servers.isEmpty()) {
            throw new ExtensionConfigurationException(c.getName() + " registers ItServerLock but names no server:"
                    + " add @ResourceLock(ItServerLock.ITPG) (or ITRESTORE, ITOFFSITE)");
        }
        List<FileChannel> held = new ArrayList<>();
        context.getStore(NS).put(c, held);
        for (String s : servers) { // sorted: two classes naming two servers never wait for each other
            FileChannel ch = FileChannel.open(lockFile(s), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            held.add(ch);
            FileLock l = ch.tryLock();
            if (l == null) {
                long t0 = System.nanoTime();
                System.out.println(c.getSimpleName() + ": waiting for " + lockFile(s) + " (another test run drives " + s + ")");
                ch.lock();
                System.out.printf("%s: got %s after %d s%n", c.getSimpleName(), lockFile(s), (System.nanoTime() - t0) / 1_000_000_000L);
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        @SuppressWarnings("unchecked")
        List<FileChannel> held = (List<FileChannel>) context.getStore(NS).remove(context.getRequiredTestClass());
        if (held != null) {
            for (FileChannel ch : held) {
                ch.close(); // releases its lock
            }
        }
    }
}
