-- API tokens: a school's systems call /api/v1 with `Authorization: Bearer eft_…`. The table holds
-- the SHA-256 of each token, never the token, and what it may do.
CREATE TABLE api_tokens (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_hash bytea NOT NULL UNIQUE,
    -- The token's first characters, so admins can tell tokens apart.
    hint       text NOT NULL CHECK (length(hint) <= 16),
    scopes     text[] NOT NULL CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY[
                   'catalog:read', 'enrollments:read', 'enrollments:write', 'progress:read',
                   'users:read', 'users:write', 'certificates:read']::text[]),
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz,
    revoked_at timestamptz
);
SELECT guard_tenant_table('api_tokens');
CREATE INDEX api_tokens_newest ON api_tokens (tenant_id, created_at DESC);

-- Every instance holds the tokens it checked lately; a revocation (or any change, by any writer)
-- is announced so that each forgets them.
CREATE FUNCTION announce_api_tokens_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    PERFORM pg_notify('eduflow_api_token', OLD.tenant_id::text);
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION announce_api_tokens_changed() FROM PUBLIC;
CREATE TRIGGER api_tokens_changed AFTER UPDATE OR DELETE ON api_tokens
    FOR EACH ROW EXECUTE FUNCTION announce_api_tokens_changed();

-- The feeds a school's systems poll ("changed since"): certificates change when issued, revoked
-- or restored; progress rows already carry `updated_at`.
ALTER TABLE certificates ADD COLUMN changed_at timestamptz NOT NULL DEFAULT clock_timestamp();
CREATE FUNCTION certificate_changed_now() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.changed_at := clock_timestamp();
    RETURN NEW;
END $$;
CREATE TRIGGER certificates_changed_at BEFORE UPDATE ON certificates
    FOR EACH ROW EXECUTE FUNCTION certificate_changed_now();
CREATE INDEX certificates_changed ON certificates (tenant_id, changed_at, id);
CREATE INDEX lesson_progress_changed ON lesson_progress (tenant_id, updated_at, user_id, lesson_id);
