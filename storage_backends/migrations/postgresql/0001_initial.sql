-- RenLayer schema v1 (PostgreSQL). Each row: tenant_id, id, indexed columns, doc (the record as
-- msgspec JSON). Columns exist to filter, order and enforce uniqueness; records are read
-- from doc. Every list index ends in id so keyset pages (ORDER BY id DESC) use it.

CREATE TABLE tenants (
    id text COLLATE "C" PRIMARY KEY,
    tenant_id text COLLATE "C" NOT NULL,
    doc text NOT NULL
);

CREATE TABLE users (
    tenant_id text COLLATE "C" NOT NULL REFERENCES tenants (id),
    id text COLLATE "C" NOT NULL,
    email text,
    doc text NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE UNIQUE INDEX users_email_uq ON users (tenant_id, email);

CREATE TABLE agents (
    tenant_id text COLLATE "C" NOT NULL REFERENCES tenants (id),
    id text COLLATE "C" NOT NULL,
    status text,
    doc text NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE INDEX agents_status_ix ON agents (tenant_id, status, id);

CREATE TABLE agents_label (
    tenant_id text COLLATE "C" NOT NULL,
    id text COLLATE "C" NOT NULL,
    value text NOT NULL,
    PRIMARY KEY (tenant_id, value, id)
);
CREATE INDEX agents_label_id_ix ON agents_label (tenant_id, id);

CREATE TABLE api_keys (
    tenant_id text COLLATE "C" NOT NULL REFERENCES tenants (id),
    id text COLLATE "C" NOT NULL,
    agent_id text COLLATE "C",
    secret_hash text,
    doc text NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id) ON DELETE CASCADE
);

-- Key lookup by secret hash is the one tenant-less read: O(1) on this index.
CREATE UNIQUE INDEX api_keys_secret_hash_uq ON api_keys (secret_hash);
CREATE INDEX api_keys_agent_id_ix ON api_keys (tenant_id, agent_id, id);

CREATE TABLE policies (
    tenant_id text COLLATE "C" NOT NULL REFERENCES tenants (id),
    id text COLLATE "C" NOT NULL,
    enabled boolean,
    effect text,
    mode text,
    doc text NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE INDEX policies_enabled_ix ON policies (tenant_id, enabled, id);
CREATE INDEX policies_effect_ix ON policies (tenant_id, effect, id);
CREATE INDEX policies_mode_ix ON policies (tenant_id, mode, id);

CREATE TABLE detectors (
    tenant_id text COLLATE "C" NOT NULL REFERENCES tenants (id),
    id text COLLATE "C" NOT NULL,
    type text,
    doc text NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE UNIQUE INDEX detectors_type_uq ON detectors (tenant_id, type);

CREATE TABLE patterns (
    tenant_id text COLLATE "C" NOT NULL REFERENCES tenants (id),
    id text COLLATE "C" NOT NULL,
    doc text NOT NULL,
    PRIMARY KEY (tenant_id, id)
);


CREATE TABLE allow_lists (
    tenant_id text COLLATE "C" NOT NULL REFERENCES tenants (id),
    id text COLLATE "C" NOT NULL,
    doc text NOT NULL,
    PRIMARY KEY (tenant_id, id)
);


CREATE TABLE upstreams (
    tenant_id text COLLATE "C" NOT NULL REFERENCES tenants (id),
    id text COLLATE "C" NOT NULL,
    name text,
    doc text NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE UNIQUE INDEX upstreams_name_uq ON upstreams (tenant_id, name);

CREATE TABLE webhooks (
    tenant_id text COLLATE "C" NOT NULL REFERENCES tenants (id),
    id text COLLATE "C" NOT NULL,
    doc text NOT NULL,
    PRIMARY KEY (tenant_id, id)
);


CREATE TABLE webhook_deliveries (
    tenant_id text COLLATE "C" NOT NULL REFERENCES tenants (id),
    id text COLLATE "C" NOT NULL,
    endpoint_id text COLLATE "C",
    status text,
    next_attempt_at bigint,
    doc text NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, endpoint_id) REFERENCES webhooks (tenant_id, id) ON DELETE CASCADE
);

CREATE INDEX webhook_deliveries_endpoint_id_ix ON webhook_deliveries (tenant_id, endpoint_id, id);
CREATE INDEX webhook_deliveries_status_next_attempt_at_ix ON webhook_deliveries (tenant_id, status, next_attempt_at, id);

CREATE TABLE approvals (
    tenant_id text COLLATE "C" NOT NULL REFERENCES tenants (id),
    id text COLLATE "C" NOT NULL,
    status text,
    expires_at bigint,
    doc text NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE INDEX approvals_status_ix ON approvals (tenant_id, status, id);
CREATE INDEX approvals_expires_at_ix ON approvals (tenant_id, expires_at, id);

-- Ingest tables carry no foreign key: a batch is never refused for a row it references.
CREATE TABLE sessions (
    tenant_id text COLLATE "C" NOT NULL,
    id text COLLATE "C" NOT NULL,
    external_id text COLLATE "C",
    agent_id text COLLATE "C",
    first_seen bigint,
    last_seen bigint,
    doc text NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE UNIQUE INDEX sessions_external_id_uq ON sessions (tenant_id, external_id);
CREATE INDEX sessions_agent_id_ix ON sessions (tenant_id, agent_id, id);
CREATE INDEX sessions_last_seen_ix ON sessions (tenant_id, last_seen, id);
CREATE INDEX sessions_first_seen_ix ON sessions (tenant_id, first_seen, id);

CREATE TABLE traces (
    tenant_id text COLLATE "C" NOT NULL,
    id text COLLATE "C" NOT NULL,
    agent_id text COLLATE "C",
    session_id text COLLATE "C",
    effect text,
    code text,
    policy_id text COLLATE "C",
    upstream text,
    doc text NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE INDEX traces_agent_id_ix ON traces (tenant_id, agent_id, id);
CREATE INDEX traces_session_id_ix ON traces (tenant_id, session_id, id);
CREATE INDEX traces_effect_ix ON traces (tenant_id, effect, id);
CREATE INDEX traces_code_ix ON traces (tenant_id, code, id);
-- Most traces match no policy: a partial index skips them (`policy_id = $1` implies
-- `IS NOT NULL`, so filters still use it).
CREATE INDEX traces_policy_id_ix ON traces (tenant_id, policy_id, id) WHERE policy_id IS NOT NULL;
CREATE INDEX traces_upstream_ix ON traces (tenant_id, upstream, id);

CREATE TABLE traces_detector (
    tenant_id text COLLATE "C" NOT NULL,
    id text COLLATE "C" NOT NULL,
    value text NOT NULL,
    PRIMARY KEY (tenant_id, value, id)
);
CREATE INDEX traces_detector_id_ix ON traces_detector (tenant_id, id);

CREATE TABLE audit_events (
    tenant_id text COLLATE "C" NOT NULL REFERENCES tenants (id),
    id text COLLATE "C" NOT NULL,
    seq bigint,
    actor text,
    action text,
    resource_id text COLLATE "C",
    doc text NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE UNIQUE INDEX audit_events_seq_uq ON audit_events (tenant_id, seq);
CREATE INDEX audit_events_actor_ix ON audit_events (tenant_id, actor, id);
CREATE INDEX audit_events_action_ix ON audit_events (tenant_id, action, id);
CREATE INDEX audit_events_resource_id_ix ON audit_events (tenant_id, resource_id, id);

CREATE TABLE audit_heads (
    tenant_id text COLLATE "C" PRIMARY KEY REFERENCES tenants (id),
    seq bigint NOT NULL,
    hash text NOT NULL
);

-- The audit log is append-only: the port has no update or delete, and the database
-- refuses them too (tampering needs a deliberate DROP TRIGGER / replication role).
CREATE FUNCTION renlayer_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END
$$;

CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION renlayer_audit_append_only();
