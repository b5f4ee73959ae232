ALTER TABLE users DROP COLUMN locale;
ALTER TABLE tenants DROP CONSTRAINT tenants_locale_offered,
    DROP COLUMN locales, DROP COLUMN locale;
