-- A school's languages: the one it speaks by default and those its people may choose (the
-- default among them). A person's own choice is kept on the account, for pages and mail.
ALTER TABLE tenants
    ADD COLUMN locale text NOT NULL DEFAULT 'en',
    ADD COLUMN locales text[] NOT NULL DEFAULT '{en}',
    ADD CONSTRAINT tenants_locale_offered CHECK (locale = ANY (locales));
ALTER TABLE users ADD COLUMN locale text;
