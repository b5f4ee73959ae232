-- A school's first admins come from its tenants/ file: they become admins when they sign up (or
-- at the next sync, if they already have an account).
ALTER TABLE tenants ADD COLUMN admin_emails text[] NOT NULL DEFAULT '{}';

DROP TRIGGER tenants_changed ON tenants;
CREATE TRIGGER tenants_changed
    AFTER INSERT OR DELETE OR UPDATE OF slug, name, tagline, domains, accent_color, logo_url, admin_emails ON tenants
    FOR EACH STATEMENT EXECUTE FUNCTION announce_tenants_changed();
