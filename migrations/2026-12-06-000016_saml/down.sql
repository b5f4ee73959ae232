DROP TABLE sso_assertions;
DELETE FROM sso_providers WHERE kind = 'saml';
ALTER TABLE sso_providers
    DROP CONSTRAINT sso_providers_saml_metadata,
    DROP COLUMN email_trusted,
    DROP COLUMN idp_metadata,
    DROP CONSTRAINT sso_providers_client_id_check,
    ADD CONSTRAINT sso_providers_client_id_check CHECK (length(client_id) BETWEEN 1 AND 500),
    DROP CONSTRAINT sso_providers_kind_check,
    ADD CONSTRAINT sso_providers_kind_check CHECK (kind IN ('oidc'));
