-- Accounts a school runs on its own: mail, verification, password resets, invitations.

-- School settings: how its mail is signed, and whether learners must verify their email
-- before enrolling.
ALTER TABLE tenants
    ADD COLUMN mail_sender_name text CHECK (length(mail_sender_name) BETWEEN 1 AND 100),
    ADD COLUMN mail_reply_to text CHECK (mail_reply_to = lower(mail_reply_to) AND length(mail_reply_to) BETWEEN 3 AND 254),
    ADD COLUMN require_verified_email boolean NOT NULL DEFAULT false;

DROP TRIGGER tenants_changed ON tenants;
CREATE TRIGGER tenants_changed
    AFTER INSERT OR DELETE OR UPDATE OF slug, name, tagline, domains, accent_color, logo_url, admin_emails,
        suspended_at, mail_sender_name, mail_reply_to, require_verified_email
    ON tenants FOR EACH STATEMENT EXECUTE FUNCTION announce_tenants_changed();

-- A suspended account keeps its data but cannot log in; its sessions are deleted with it. An
-- erased account keeps only an anonymous row, so the enrollment counts a course needs stay.
ALTER TABLE users
    ADD COLUMN email_verified_at timestamptz,
    ADD COLUMN suspended_at timestamptz,
    ADD COLUMN erased_at timestamptz;
CREATE INDEX users_listing_idx ON users (tenant_id, created_at DESC, id DESC);

-- Single-use links mailed to a person: a password reset, an address to verify, a new address
-- to confirm, an invitation. Only the token's SHA-256 is stored.
CREATE TABLE account_tokens (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    purpose    text NOT NULL CHECK (purpose IN ('reset', 'verify', 'email', 'invite')),
    token_hash bytea NOT NULL UNIQUE,
    user_id    uuid,
    email      text NOT NULL,
    -- An invitation's name, role and courses.
    payload    jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX account_tokens_user_idx ON account_tokens (tenant_id, user_id, purpose);
CREATE INDEX account_tokens_email_idx ON account_tokens (tenant_id, email, purpose);
SELECT guard_tenant_table('account_tokens');

-- The transactional outbox: a mail is written in the transaction of the change that causes it
-- and delivered by a sender task on some instance after commit. A claim is a lease
-- (`claimed_until`), taken with FOR UPDATE SKIP LOCKED, so two instances never send one row.
CREATE TABLE outbox (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id         uuid,
    kind            text NOT NULL,
    recipient       text NOT NULL,
    subject         text NOT NULL,
    text_body       text NOT NULL,
    html_body       text NOT NULL,
    unsubscribe_url text,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    claimed_until   timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    sent_at         timestamptz,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE SET NULL (user_id)
);
CREATE INDEX outbox_due_idx ON outbox (tenant_id, next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_user_idx ON outbox (tenant_id, user_id);
SELECT guard_tenant_table('outbox');

-- Learners who asked for no more announcements from a course.
ALTER TABLE enrollments ADD COLUMN announcements boolean NOT NULL DEFAULT true;

-- Announcements an instructor wrote on a course.
CREATE TABLE announcements (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    course_id  uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    author_id  uuid,
    subject    text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
    body       text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    recipients integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (tenant_id, author_id) REFERENCES users (tenant_id, id) ON DELETE SET NULL (author_id)
);
CREATE INDEX announcements_course_idx ON announcements (tenant_id, course_id, created_at);
SELECT guard_tenant_table('announcements');

-- New mail is announced on commit ("<tenant id>"), so a sender picks it up at once.
CREATE FUNCTION announce_mail() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    t uuid;
BEGIN
    FOR t IN SELECT DISTINCT tenant_id FROM new_rows LOOP
        PERFORM pg_notify('eduflow_mail', t::text);
    END LOOP;
    RETURN NULL;
END $$;
CREATE TRIGGER outbox_announce AFTER INSERT ON outbox
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION announce_mail();

-- Every school with pending mail: whether some is due now, and the age of its oldest. The
-- sender's sweep, for retries and for announcements it missed. It runs as the owner, whose
-- tables FORCE row-level security, so it scopes itself to each school in turn, returns no mail
-- content, and puts back whatever tenant the caller's transaction had. The runtime role is
-- granted EXECUTE by `eduflow migrate`.
CREATE FUNCTION mail_due_schools() RETURNS TABLE (school uuid, due boolean, oldest timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    caller text := current_setting('app.tenant_id', true);
    t uuid;
BEGIN
    FOR t IN SELECT id FROM tenants LOOP
        PERFORM set_config('app.tenant_id', t::text, true);
        SELECT min(o.created_at),
               coalesce(bool_or(o.next_attempt_at <= now()
                                AND (o.claimed_until IS NULL OR o.claimed_until < now())), false)
          INTO oldest, due
          FROM outbox o WHERE o.tenant_id = t AND o.status = 'pending';
        IF oldest IS NOT NULL THEN
            school := t;
            RETURN NEXT;
        END IF;
    END LOOP;
    PERFORM set_config('app.tenant_id', COALESCE(caller, ''), true);
END $$;
REVOKE ALL ON FUNCTION mail_due_schools() FROM PUBLIC;
