-- The fleet's state database, version 1 (io.barmand.fleet): the nodes and the run history of every node.
-- Applied by the daemon with Flyway (table flyway_schema_history). V2 holds Quartz's tables (the clustered scheduler).

-- One row per node, rewritten by its heartbeat; removed only by `barmand fleet forget NODE`.
CREATE TABLE nodes (
    name            text PRIMARY KEY,
    version         text        NOT NULL,
    -- what the node can run (io.barmand.vocabulary.Capability ids: backup, restore-test-s3, verify-s3, ...)
    capabilities    text[]      NOT NULL DEFAULT '{}',
    -- the Barman servers whose host-bound jobs this node schedules
    servers         text[]      NOT NULL DEFAULT '{}',
    -- the runs in progress at the last heartbeat: [{"server": "pg1", "job": "backup", "started": "2026-...Z"}]
    running         jsonb       NOT NULL DEFAULT '[]',
    first_heartbeat timestamptz NOT NULL,
    last_heartbeat  timestamptz NOT NULL,
    -- run changes recorded on the node and not copied here yet, at the last heartbeat
    backlog         bigint      NOT NULL DEFAULT 0
);

-- Every run of every node, as its newest change left it: copied from the node's own history (SQLite) by its
-- forwarder, keyed by (node, local_id); change_seq is the node's change number, so an older copy never overwrites a
-- newer one.
CREATE TABLE runs (
    node          text        NOT NULL,
    local_id      bigint      NOT NULL,
    change_seq    bigint      NOT NULL,
    server        text        NOT NULL,
    job           text        NOT NULL,
    trigger       text        NOT NULL,
    outcome       text        NOT NULL,
    requested     timestamptz NOT NULL,
    started       timestamptz NOT NULL,
    ended         timestamptz,
    duration_ms   bigint,
    waited_ms     bigint,
    attempt       integer     NOT NULL DEFAULT 1,
    backup_id     text,
    size_bytes    bigint,
    throughput    bigint,
    failed_checks jsonb,
    error         text,
    detail        text,
    facts         jsonb,
    copied_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (node, local_id)
);
CREATE INDEX runs_server_job ON runs (server, job, started DESC);
CREATE INDEX runs_started ON runs (started DESC);
