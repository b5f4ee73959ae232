DROP FUNCTION set_school_look(text, text[], text);
DROP TRIGGER tenants_changed ON tenants;
CREATE TRIGGER tenants_changed
    AFTER INSERT OR DELETE OR UPDATE OF slug, name, tagline, domains, accent_color, logo_url, admin_emails,
        suspended_at, mail_sender_name, mail_reply_to, require_verified_email
    ON tenants FOR EACH STATEMENT EXECUTE FUNCTION announce_tenants_changed();
ALTER TABLE users DROP COLUMN locale;
ALTER TABLE tenants DROP CONSTRAINT tenants_locale_offered,
    DROP COLUMN locales, DROP COLUMN locale;
