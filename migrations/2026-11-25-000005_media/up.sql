-- Media metadata; the bytes live in the media store under content-addressed, school-prefixed keys
-- (t/<school>/<kind>/<sha256>.<ext>), so an object never changes under its URL.
CREATE TABLE media (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    key              text NOT NULL,
    content_type     text NOT NULL,
    size_bytes       bigint NOT NULL CHECK (size_bytes >= 0),
    sha256           text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    width            integer,
    height           integer,
    duration_seconds integer,
    original_name    text NOT NULL DEFAULT '',
    uploaded_by      uuid,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, key),
    CHECK (key LIKE 't/' || tenant_id::text || '/%'),
    FOREIGN KEY (tenant_id, uploaded_by) REFERENCES users (tenant_id, id) ON DELETE SET NULL (uploaded_by)
);
SELECT guard_tenant_table('media');
