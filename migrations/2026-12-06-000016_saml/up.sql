-- SAML 2.0 identity providers beside OpenID Connect ones: the IdP's metadata (its entity id is
-- the provider's `issuer`), whether its emails are trusted as verified, and the assertions
-- already used (each works once, kept until it would have expired anyway).
ALTER TABLE sso_providers
    DROP CONSTRAINT sso_providers_kind_check,
    ADD CONSTRAINT sso_providers_kind_check CHECK (kind IN ('oidc', 'saml')),
    DROP CONSTRAINT sso_providers_client_id_check,
    ADD CONSTRAINT sso_providers_client_id_check CHECK (length(client_id) <= 500),
    ADD COLUMN idp_metadata text CHECK (octet_length(idp_metadata) <= 200000),
    ADD COLUMN email_trusted boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT sso_providers_saml_metadata CHECK ((kind = 'saml') = (idp_metadata IS NOT NULL));

CREATE TABLE sso_assertions (
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    provider     text NOT NULL,
    assertion_id text NOT NULL CHECK (length(assertion_id) BETWEEN 1 AND 255),
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, provider, assertion_id)
);
SELECT guard_tenant_table('sso_assertions');
