-- Webhooks: a school's endpoints, and the deliveries owed to them. A delivery row is written by
-- a trigger in the transaction of the change it reports (the transactional outbox), whoever
-- writes — a page, the API, the CLI, plain SQL — and delivered after commit by a sender task on
-- some instance (a lease taken with FOR UPDATE SKIP LOCKED): at least once, never lost.
CREATE TABLE webhook_endpoints (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    url             text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
    events          text[] NOT NULL CHECK (cardinality(events) > 0 AND events <@ ARRAY[
                        'user.created', 'enrollment.created', 'enrollment.removed', 'lesson.completed',
                        'course.completed', 'quiz.attempted', 'certificate.issued',
                        'certificate.revoked']::text[]),
    -- The signing secret (`whsec_` + base64), and the one it replaced while both are honoured.
    secret          text NOT NULL CHECK (secret LIKE 'whsec\_%'),
    previous_secret text CHECK (previous_secret LIKE 'whsec\_%'),
    previous_until  timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- Failed attempts in a row; past the limit the endpoint is disabled and its admins mailed.
    failures        integer NOT NULL DEFAULT 0,
    disabled_at     timestamptz,
    disabled_reason text
);
SELECT guard_tenant_table('webhook_endpoints');
CREATE INDEX webhook_endpoints_school ON webhook_endpoints (tenant_id, created_at);

CREATE TABLE webhook_deliveries (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    endpoint_id     uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event           text NOT NULL,
    payload         jsonb NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    claimed_until   timestamptz,
    delivered_at    timestamptz,
    last_status     integer,
    last_error      text,
    last_latency_ms integer
);
SELECT guard_tenant_table('webhook_deliveries');
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (tenant_id, next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (tenant_id, endpoint_id, created_at DESC, id DESC);

-- Whether any endpoint of the school wants `event` (checked before a payload is built). A
-- disabled endpoint's deliveries are kept for when it is enabled again.
CREATE FUNCTION webhook_wanted(school uuid, event text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM webhook_endpoints e
                    WHERE e.tenant_id = school AND event = ANY (e.events))
$$;

-- One delivery per endpoint that wants `event`, and a wake-up for the senders.
CREATE FUNCTION enqueue_webhook(school uuid, event text, data jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    n integer;
BEGIN
    INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event, payload)
    SELECT school, e.id, event,
           jsonb_build_object('type', event, 'timestamp', to_jsonb(clock_timestamp()), 'data', data)
      FROM webhook_endpoints e
     WHERE e.tenant_id = school AND event = ANY (e.events);
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN
        PERFORM pg_notify('eduflow_webhook', school::text);
    END IF;
END $$;

CREATE FUNCTION webhook_user(school uuid, person uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', u.id, 'email', u.email, 'name', u.name, 'role', u.role)
      FROM users u WHERE u.tenant_id = school AND u.id = person
$$;

CREATE FUNCTION webhook_course(school uuid, course uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', c.id, 'slug', c.slug, 'title', c.title)
      FROM courses c WHERE c.tenant_id = school AND c.id = course
$$;

CREATE FUNCTION webhook_user_created() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF webhook_wanted(NEW.tenant_id, 'user.created') THEN
        PERFORM enqueue_webhook(NEW.tenant_id, 'user.created',
            jsonb_build_object('user', webhook_user(NEW.tenant_id, NEW.id)));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER users_webhook AFTER INSERT ON users
    FOR EACH ROW EXECUTE FUNCTION webhook_user_created();

CREATE FUNCTION webhook_enrollment() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r record := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    event text := CASE WHEN TG_OP = 'DELETE' THEN 'enrollment.removed' ELSE 'enrollment.created' END;
BEGIN
    IF webhook_wanted(r.tenant_id, event) THEN
        PERFORM enqueue_webhook(r.tenant_id, event, jsonb_build_object(
            'user', webhook_user(r.tenant_id, r.user_id),
            'course', webhook_course(r.tenant_id, r.course_id)));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER enrollments_webhook AFTER INSERT OR DELETE ON enrollments
    FOR EACH ROW EXECUTE FUNCTION webhook_enrollment();

CREATE FUNCTION webhook_lesson_completed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.completed_at IS NOT NULL
       AND (TG_OP = 'INSERT' OR OLD.completed_at IS NULL)
       AND webhook_wanted(NEW.tenant_id, 'lesson.completed') THEN
        PERFORM enqueue_webhook(NEW.tenant_id, 'lesson.completed', jsonb_build_object(
            'user', webhook_user(NEW.tenant_id, NEW.user_id),
            'course', webhook_course(NEW.tenant_id, NEW.course_id),
            'lesson', (SELECT jsonb_build_object('id', l.id, 'slug', l.slug, 'title', l.title)
                         FROM lessons l WHERE l.tenant_id = NEW.tenant_id AND l.id = NEW.lesson_id),
            'completed_at', NEW.completed_at));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER lesson_progress_webhook AFTER INSERT OR UPDATE OF completed_at ON lesson_progress
    FOR EACH ROW EXECUTE FUNCTION webhook_lesson_completed();

-- A certificate is issued when a course is completed: both are announced.
CREATE FUNCTION webhook_certificate() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    about jsonb;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF webhook_wanted(NEW.tenant_id, 'course.completed') THEN
            PERFORM enqueue_webhook(NEW.tenant_id, 'course.completed', jsonb_build_object(
                'user', webhook_user(NEW.tenant_id, NEW.user_id),
                'course', webhook_course(NEW.tenant_id, NEW.course_id)));
        END IF;
        IF webhook_wanted(NEW.tenant_id, 'certificate.issued') THEN
            PERFORM enqueue_webhook(NEW.tenant_id, 'certificate.issued', jsonb_build_object(
                'certificate', jsonb_build_object('id', NEW.id, 'issued_at', NEW.issued_at),
                'user', webhook_user(NEW.tenant_id, NEW.user_id),
                'course', webhook_course(NEW.tenant_id, NEW.course_id)));
        END IF;
    ELSIF NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL
          AND webhook_wanted(NEW.tenant_id, 'certificate.revoked') THEN
        about := jsonb_build_object('id', NEW.id, 'issued_at', NEW.issued_at,
                                    'revoked_at', NEW.revoked_at, 'reason', NEW.revoked_reason);
        PERFORM enqueue_webhook(NEW.tenant_id, 'certificate.revoked', jsonb_build_object(
            'certificate', about,
            'user', webhook_user(NEW.tenant_id, NEW.user_id),
            'course', webhook_course(NEW.tenant_id, NEW.course_id)));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER certificates_webhook AFTER INSERT OR UPDATE OF revoked_at ON certificates
    FOR EACH ROW EXECUTE FUNCTION webhook_certificate();

CREATE FUNCTION webhook_quiz_attempted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF webhook_wanted(NEW.tenant_id, 'quiz.attempted') THEN
        PERFORM enqueue_webhook(NEW.tenant_id, 'quiz.attempted', jsonb_build_object(
            'attempt', jsonb_build_object('id', NEW.id, 'number', NEW.number, 'score', NEW.score,
                                          'passed', NEW.passed, 'submitted_at', NEW.submitted_at),
            'user', webhook_user(NEW.tenant_id, NEW.user_id),
            'lesson', (SELECT jsonb_build_object('id', l.id, 'slug', l.slug, 'title', l.title)
                         FROM lessons l WHERE l.tenant_id = NEW.tenant_id AND l.id = NEW.lesson_id)));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER quiz_attempts_webhook AFTER INSERT ON quiz_attempts
    FOR EACH ROW EXECUTE FUNCTION webhook_quiz_attempted();

-- The schools with deliveries pending (one SECURITY DEFINER pass over the schools, as for mail;
-- the runtime role is granted EXECUTE by `eduflow migrate`).
CREATE FUNCTION webhook_due_schools() RETURNS TABLE (school uuid, due boolean, oldest timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    caller text := current_setting('app.tenant_id', true);
    t uuid;
BEGIN
    FOR t IN SELECT id FROM tenants LOOP
        PERFORM set_config('app.tenant_id', t::text, true);
        SELECT min(d.created_at),
               coalesce(bool_or(d.next_attempt_at <= now()
                                AND (d.claimed_until IS NULL OR d.claimed_until < now())), false)
          INTO oldest, due
          FROM webhook_deliveries d WHERE d.tenant_id = t AND d.status = 'pending';
        IF oldest IS NOT NULL THEN
            school := t;
            RETURN NEXT;
        END IF;
    END LOOP;
    PERFORM set_config('app.tenant_id', COALESCE(caller, ''), true);
END $$;
REVOKE ALL ON FUNCTION webhook_due_schools() FROM PUBLIC;
