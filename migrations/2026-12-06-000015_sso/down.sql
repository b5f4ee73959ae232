ALTER TABLE sessions DROP COLUMN sso_id_token, DROP COLUMN sso_provider;
DROP TABLE sso_identities;
DROP TABLE sso_logins;
DROP TABLE sso_settings;
DROP TABLE sso_providers;
