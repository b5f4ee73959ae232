-- Single sign-on per school: the identity providers its people sign in with, the sign-ins under
-- way (each `state` is used once), and which provider subject is which account.
CREATE TABLE sso_providers (
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (name ~ '^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$'),
    kind            text NOT NULL CHECK (kind IN ('oidc')),
    -- What the login button says: "Sign in with <label>".
    label           text NOT NULL CHECK (length(label) BETWEEN 1 AND 80),
    issuer          text NOT NULL CHECK (length(issuer) BETWEEN 8 AND 2000),
    client_id       text NOT NULL CHECK (length(client_id) BETWEEN 1 AND 500),
    -- Never shown again once saved, never logged, never exported.
    client_secret   text NOT NULL CHECK (length(client_secret) <= 500),
    scopes          text[] NOT NULL,
    role_claim      text,
    -- Claim value → role; the highest role matched wins.
    role_map        jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(role_map) = 'array'),
    default_role    text NOT NULL DEFAULT 'learner' CHECK (default_role IN ('learner', 'instructor', 'admin')),
    allowed_domains text[] NOT NULL DEFAULT '{}',
    -- Set by the operator's school file (`[[sso]]`); its admins read it but do not edit it.
    from_file       boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, name)
);
SELECT guard_tenant_table('sso_providers');

-- "SSO only": password sign-in (but for admins) and sign-up are off.
CREATE TABLE sso_settings (
    tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    sso_only  boolean NOT NULL DEFAULT false
);
SELECT guard_tenant_table('sso_settings');

-- A sign-in between the redirect to the provider and its answer. The browser holds the state;
-- only its SHA-256 is kept, and taking it deletes it (one use).
CREATE TABLE sso_logins (
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    state_hash bytea NOT NULL,
    provider   text NOT NULL,
    nonce      text NOT NULL,
    verifier   text NOT NULL,
    next       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, state_hash)
);
SELECT guard_tenant_table('sso_logins');

CREATE TABLE sso_identities (
    tenant_id  uuid NOT NULL,
    provider   text NOT NULL,
    subject    text NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
    user_id    uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, provider, subject),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
SELECT guard_tenant_table('sso_identities');
CREATE INDEX sso_identities_user ON sso_identities (tenant_id, user_id);

-- For RP-initiated logout: which provider a session came from, and its id_token (the hint).
ALTER TABLE sessions ADD COLUMN sso_provider text, ADD COLUMN sso_id_token text;
