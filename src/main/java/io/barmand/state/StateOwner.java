package io.barmand.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The owner of state-dir is the daemon's user. A command run as root (sudo barmand report --send) that creates a
 * file or a folder in state-dir gives it to that owner, so that the daemon can still write there; a folder of
 * state-dir that a root command of an older version left owned by root is given back the same way. Run as anyone
 * else, nothing is changed (the daemon's own user, or a user who cannot chown anyway).
 */
public final class StateOwner {
    private static final Logger log = LoggerFactory.getLogger(StateOwner.class);

    private final Path stateDir;
    /** -1 when nothing is to be changed. */
    private final int uid;
    private final int gid;

    private StateOwner(Path stateDir, int uid, int gid) {
        this.stateDir = stateDir;
        this.uid = uid;
        this.gid = gid;
    }

    /** For {@code stateDir} as this process sees it: chown only when running as root and state-dir is another user's. */
    public static StateOwner of(Path stateDir) {
        try {
            if (processUid() != 0 || !Files.isDirectory(stateDir)) {
                return new StateOwner(stateDir, -1, -1);
            }
            int u = (Integer) Files.getAttribute(stateDir, "unix:uid");
            int g = (Integer) Files.getAttribute(stateDir, "unix:gid");
            return u == 0 ? new StateOwner(stateDir, -1, -1) : new StateOwner(stateDir, u, g);
        } catch (IOException | RuntimeException e) {
            log.debug("{}: owner not known ({}): files made there keep this process's owner", stateDir, e.toString());
            return new StateOwner(stateDir, -1, -1);
        }
    }

    /** The effective uid of this process (the owner of /proc/self); -1 when not known. */
    static int processUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Whether files made here are given to another user (this process is root, state-dir is not root's). */
    public boolean chowning() {
        return uid >= 0;
    }

    /**
     * Creates {@code dir} and its missing parents, each given to state-dir's owner; an existing folder under state-dir
     * owned by root is given back too (left by a root command of an older version).
     */
    public Path createDirectories(Path dir) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p = dir; p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
            missing.add(p);
        }
        Files.createDirectories(dir);
        if (!chowning()) {
            return dir;
        }
        for (Path p : missing) {
            own(p);
        }
        for (Path p = dir; p != null && p.startsWith(stateDir) && !p.equals(stateDir); p = p.getParent()) {
            if ((Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS) == 0) {
                log.warn("{}: owned by root: given back to uid {} (state-dir's owner), for the daemon to write there", p, uid);
                own(p);
            }
        }
        return dir;
    }

    /** Gives {@code p} (a file or folder just made) to state-dir's owner, when running as root. */
    public void own(Path p) throws IOException {
        if (chowning()) {
            Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        }
    }
}
