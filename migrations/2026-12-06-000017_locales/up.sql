-- A school's languages: the one it speaks by default and those its people may choose (the
-- default among them). A person's own choice is kept on the account, for pages and mail.
ALTER TABLE tenants
    ADD COLUMN locale text NOT NULL DEFAULT 'en',
    ADD COLUMN locales text[] NOT NULL DEFAULT '{en}',
    ADD CONSTRAINT tenants_locale_offered CHECK (locale = ANY (locales));
ALTER TABLE users ADD COLUMN locale text;

-- Every instance reloads the school list when a school's languages change, as for its other
-- settings.
DROP TRIGGER tenants_changed ON tenants;
CREATE TRIGGER tenants_changed
    AFTER INSERT OR DELETE OR UPDATE OF slug, name, tagline, domains, accent_color, logo_url, admin_emails,
        suspended_at, mail_sender_name, mail_reply_to, require_verified_email, locale, locales
    ON tenants FOR EACH STATEMENT EXECUTE FUNCTION announce_tenants_changed();

-- What a school's admins change of its own record (the runtime role may only read `tenants`):
-- the row of the school the transaction is for, nothing else.
CREATE FUNCTION set_school_look(p_locale text, p_locales text[], p_accent text) RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    UPDATE tenants
       SET locale = p_locale, locales = p_locales, accent_color = p_accent, updated_at = now()
     WHERE id = nullif(current_setting('app.tenant_id', true), '')::uuid;
$$;
REVOKE ALL ON FUNCTION set_school_look(text, text[], text) FROM PUBLIC;
