DROP FUNCTION mail_due_schools();
DROP TABLE announcements;
DROP TABLE outbox;
DROP FUNCTION announce_mail();
ALTER TABLE enrollments DROP COLUMN announcements;
DROP TABLE account_tokens;
DROP INDEX users_listing_idx;
ALTER TABLE users DROP COLUMN email_verified_at, DROP COLUMN suspended_at, DROP COLUMN erased_at;
DROP TRIGGER tenants_changed ON tenants;
CREATE TRIGGER tenants_changed
    AFTER INSERT OR DELETE OR UPDATE OF slug, name, tagline, domains, accent_color, logo_url, admin_emails, suspended_at
    ON tenants FOR EACH STATEMENT EXECUTE FUNCTION announce_tenants_changed();
ALTER TABLE tenants DROP COLUMN mail_sender_name, DROP COLUMN mail_reply_to, DROP COLUMN require_verified_email;
