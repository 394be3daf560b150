-- RenLayer schema v1 (SQLite). Each row: tenant_id, id, indexed columns, doc (the record as
-- msgspec JSON). Columns exist to filter, order and enforce uniqueness; records are read
-- from doc. Every list index ends in id so keyset pages (ORDER BY id DESC) use it.

CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    doc TEXT NOT NULL
);

CREATE TABLE users (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    email TEXT,
    doc TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE UNIQUE INDEX users_email_uq ON users (tenant_id, email);

CREATE TABLE agents (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    status TEXT,
    doc TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE INDEX agents_status_ix ON agents (tenant_id, status, id);

CREATE TABLE agents_label (
    tenant_id TEXT NOT NULL,
    id TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (tenant_id, value, id)
);
CREATE INDEX agents_label_id_ix ON agents_label (tenant_id, id);

CREATE TABLE api_keys (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    agent_id TEXT,
    secret_hash TEXT,
    doc TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id) ON DELETE CASCADE
);

-- Key lookup by secret hash is the one tenant-less read: O(1) on this index.
CREATE UNIQUE INDEX api_keys_secret_hash_uq ON api_keys (secret_hash);
CREATE INDEX api_keys_agent_id_ix ON api_keys (tenant_id, agent_id, id);

CREATE TABLE policies (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    enabled INTEGER,
    effect TEXT,
    mode TEXT,
    doc TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE INDEX policies_enabled_ix ON policies (tenant_id, enabled, id);
CREATE INDEX policies_effect_ix ON policies (tenant_id, effect, id);
CREATE INDEX policies_mode_ix ON policies (tenant_id, mode, id);

CREATE TABLE detectors (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    type TEXT,
    doc TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE UNIQUE INDEX detectors_type_uq ON detectors (tenant_id, type);

CREATE TABLE patterns (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);


CREATE TABLE allow_lists (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);


CREATE TABLE upstreams (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    name TEXT,
    doc TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE UNIQUE INDEX upstreams_name_uq ON upstreams (tenant_id, name);

CREATE TABLE webhooks (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);


CREATE TABLE webhook_deliveries (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    endpoint_id TEXT,
    status TEXT,
    next_attempt_at INTEGER,
    doc TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, endpoint_id) REFERENCES webhooks (tenant_id, id) ON DELETE CASCADE
);

CREATE INDEX webhook_deliveries_endpoint_id_ix ON webhook_deliveries (tenant_id, endpoint_id, id);
CREATE INDEX webhook_deliveries_status_next_attempt_at_ix ON webhook_deliveries (tenant_id, status, next_attempt_at, id);

CREATE TABLE approvals (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    status TEXT,
    expires_at INTEGER,
    doc TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE INDEX approvals_status_ix ON approvals (tenant_id, status, id);
CREATE INDEX approvals_expires_at_ix ON approvals (tenant_id, expires_at, id);

-- Ingest tables carry no foreign key: a batch is never refused for a row it references.
CREATE TABLE sessions (
    tenant_id TEXT NOT NULL,
    id TEXT NOT NULL,
    external_id TEXT,
    agent_id TEXT,
    first_seen INTEGER,
    last_seen INTEGER,
    doc TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE UNIQUE INDEX sessions_external_id_uq ON sessions (tenant_id, external_id);
CREATE INDEX sessions_agent_id_ix ON sessions (tenant_id, agent_id, id);
CREATE INDEX sessions_last_seen_ix ON sessions (tenant_id, last_seen, id);
CREATE INDEX sessions_first_seen_ix ON sessions (tenant_id, first_seen, id);

CREATE TABLE traces (
    tenant_id TEXT NOT NULL,
    id TEXT NOT NULL,
    agent_id TEXT,
    session_id TEXT,
    effect TEXT,
    code TEXT,
    policy_id TEXT,
    upstream TEXT,
    doc TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- Traces stay a rowid table (rowid = insertion order, which the ingest replay tests read;
-- WITHOUT ROWID measured no faster here). Most traces match no policy, so the policy index
-- is partial: a filter `policy_id = ?` implies `IS NOT NULL`, so it is still used.
CREATE INDEX traces_agent_id_ix ON traces (tenant_id, agent_id, id);
CREATE INDEX traces_session_id_ix ON traces (tenant_id, session_id, id);
CREATE INDEX traces_effect_ix ON traces (tenant_id, effect, id);
CREATE INDEX traces_code_ix ON traces (tenant_id, code, id);
CREATE INDEX traces_policy_id_ix ON traces (tenant_id, policy_id, id) WHERE policy_id IS NOT NULL;
CREATE INDEX traces_upstream_ix ON traces (tenant_id, upstream, id);

CREATE TABLE traces_detector (
    tenant_id TEXT NOT NULL,
    id TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (tenant_id, value, id)
) WITHOUT ROWID;
CREATE INDEX traces_detector_id_ix ON traces_detector (tenant_id, id);

CREATE TABLE audit_events (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    seq INTEGER,
    actor TEXT,
    action TEXT,
    resource_id TEXT,
    doc TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE UNIQUE INDEX audit_events_seq_uq ON audit_events (tenant_id, seq);
CREATE INDEX audit_events_actor_ix ON audit_events (tenant_id, actor, id);
CREATE INDEX audit_events_action_ix ON audit_events (tenant_id, action, id);
CREATE INDEX audit_events_resource_id_ix ON audit_events (tenant_id, resource_id, id);

CREATE TABLE audit_heads (
    tenant_id TEXT PRIMARY KEY REFERENCES tenants (id),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);

-- The audit log is append-only: the port has no update or delete, and the database
-- refuses them too (tampering needs a deliberate DROP TRIGGER / replication role).
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
