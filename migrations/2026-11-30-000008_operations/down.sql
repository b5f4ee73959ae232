DROP TRIGGER tenants_changed ON tenants;
CREATE TRIGGER tenants_changed
    AFTER INSERT OR DELETE OR UPDATE OF slug, name, tagline, domains, accent_color, logo_url, admin_emails ON tenants
    FOR EACH STATEMENT EXECUTE FUNCTION announce_tenants_changed();
ALTER TABLE tenants DROP COLUMN suspended_at;
