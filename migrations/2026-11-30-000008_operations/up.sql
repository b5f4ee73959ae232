-- A suspended school keeps every row but answers 503 on every route until it is resumed.
ALTER TABLE tenants ADD COLUMN suspended_at timestamptz;

DROP TRIGGER tenants_changed ON tenants;
CREATE TRIGGER tenants_changed
    AFTER INSERT OR DELETE OR UPDATE OF slug, name, tagline, domains, accent_color, logo_url, admin_emails, suspended_at
    ON tenants FOR EACH STATEMENT EXECUTE FUNCTION announce_tenants_changed();
