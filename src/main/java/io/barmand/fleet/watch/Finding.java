package io.barmand.fleet.watch;

/** One thing the watch finds wrong, by what it is about: the key of its episode (alerted once, recovered once). */
public record Finding(Kind kind, String subject) {
    public enum Kind {
        /** a node's newest heartbeat is older than fleet.node-silent-after (subject: the node) */
        NODE_SILENT("node silent"),
        /** a server's newest good backup in the fleet's record is older than its threshold, or there is none */
        BACKUP_OLD("backup too old"),
        /** a server's newest WAL in the fleet's record is older than its threshold, or there is none */
        WAL_OLD("WAL too old"),
        /** a server in the fleet's record that no node's heartbeat claims */
        UNOWNED("server owned by no node");

        private final String words;

        Kind(String words) {
            this.words = words;
        }

        public String words() {
            return words;
        }
    }

    @Override
    public String toString() {
        return kind.words() + ": " + subject;
    }
}
