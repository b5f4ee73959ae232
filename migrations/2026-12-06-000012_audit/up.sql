-- A school's append-only record of what its staff and its owner side changed: who, what, when,
-- from where, and the small before/after of the change. Written in the transaction of the change
-- it records. The runtime role may insert and read it, never change or remove it (see migrate.rs);
-- no role may change an entry (the trigger below), and only deleting the whole school removes them.
CREATE TABLE audit_log (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- The member who acted (NULL for the owner side); `actor` keeps who they were at the time.
    actor_id   uuid,
    actor      text NOT NULL CHECK (length(actor) BETWEEN 1 AND 320),
    action     text NOT NULL CHECK (action ~ '^[a-z]+(\.[a-z_]+)+$'),
    -- What it was done to: `kind:id`.
    subject    text NOT NULL CHECK (length(subject) <= 200),
    ip         inet,
    user_agent text CHECK (length(user_agent) <= 300),
    before     jsonb CHECK (octet_length(before::text) <= 4000),
    after      jsonb CHECK (octet_length(after::text) <= 4000)
);
SELECT guard_tenant_table('audit_log');
CREATE INDEX audit_log_newest ON audit_log (tenant_id, at DESC, id DESC);
CREATE INDEX audit_log_action ON audit_log (tenant_id, action, at DESC, id DESC);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
