-- xAPI: a school's Learning Record Store, and the statements owed to it. As with webhooks, a
-- statement row is written by a trigger in the transaction of the learning it reports, whoever
-- writes, and sent after commit by a sender task on some instance: at least once. Its id is the
-- statement's id, the same on every retry, so an LRS keeps it once.
ALTER TABLE tenants
    ADD COLUMN lrs_endpoint text CHECK (lrs_endpoint ~ '^https?://[^/?#]+' AND length(lrs_endpoint) <= 2000),
    ADD COLUMN lrs_username text CHECK (length(lrs_username) <= 200),
    ADD COLUMN lrs_password text CHECK (length(lrs_password) <= 500),
    -- The actor is the account on the school's homepage; with this, the learner's mailbox too.
    ADD COLUMN lrs_mbox boolean NOT NULL DEFAULT false;

CREATE TABLE xapi_statements (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id         uuid NOT NULL,
    verb            text NOT NULL CHECK (verb IN ('launched', 'progressed', 'completed', 'passed', 'failed', 'earned')),
    course_id       uuid NOT NULL,
    -- The lesson it is about; none for the course itself (completed, earned a certificate).
    lesson_id       uuid,
    certificate_id  uuid,
    -- score (0–100), success, completion, progress (percent of the course)
    result          jsonb NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    claimed_until   timestamptz,
    delivered_at    timestamptz,
    last_status     integer,
    last_error      text
);
SELECT guard_tenant_table('xapi_statements');
CREATE INDEX xapi_statements_due ON xapi_statements (tenant_id, next_attempt_at) WHERE status = 'pending';

-- A statement, if the school sends to an LRS, and a wake-up for the senders.
CREATE FUNCTION enqueue_xapi(school uuid, person uuid, verb text, course uuid, lesson uuid,
                             certificate uuid, result jsonb) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM tenants t WHERE t.id = school AND t.lrs_endpoint IS NOT NULL) THEN
        INSERT INTO xapi_statements (tenant_id, user_id, verb, course_id, lesson_id, certificate_id, result)
        VALUES (school, person, verb, course, lesson, certificate, result);
        PERFORM pg_notify('eduflow_xapi', school::text);
    END IF;
END $$;

-- The share of a course's required lessons a learner has completed, in percent.
CREATE FUNCTION xapi_course_progress(school uuid, person uuid, course uuid) RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN count(*) = 0 THEN 0
                ELSE (100 * count(p.completed_at) / count(*))::integer END
      FROM lessons l JOIN sections s ON s.id = l.section_id
      LEFT JOIN lesson_progress p ON p.tenant_id = school AND p.user_id = person
                                 AND p.lesson_id = l.id AND p.completed_at IS NOT NULL
     WHERE s.tenant_id = school AND s.course_id = course AND NOT l.optional
$$;

-- A lesson first touched is launched; a lesson completed is completed, and the course progressed.
CREATE FUNCTION xapi_lesson_progress() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM enqueue_xapi(NEW.tenant_id, NEW.user_id, 'launched', NEW.course_id, NEW.lesson_id,
                             NULL, '{}');
    END IF;
    IF NEW.completed_at IS NOT NULL AND (TG_OP = 'INSERT' OR OLD.completed_at IS NULL) THEN
        PERFORM enqueue_xapi(NEW.tenant_id, NEW.user_id, 'completed', NEW.course_id, NEW.lesson_id,
                             NULL, jsonb_build_object('completion', true));
        PERFORM enqueue_xapi(NEW.tenant_id, NEW.user_id, 'progressed', NEW.course_id, NULL, NULL,
                             jsonb_build_object('progress',
                                 xapi_course_progress(NEW.tenant_id, NEW.user_id, NEW.course_id)));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER lesson_progress_xapi AFTER INSERT OR UPDATE OF completed_at ON lesson_progress
    FOR EACH ROW EXECUTE FUNCTION xapi_lesson_progress();

-- A quiz attempt passed or failed, with its score.
CREATE FUNCTION xapi_quiz_attempt() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM enqueue_xapi(NEW.tenant_id, NEW.user_id, CASE WHEN NEW.passed THEN 'passed' ELSE 'failed' END,
                         (SELECT s.course_id FROM lessons l JOIN sections s ON s.id = l.section_id
                           WHERE l.tenant_id = NEW.tenant_id AND l.id = NEW.lesson_id),
                         NEW.lesson_id, NULL,
                         jsonb_build_object('score', NEW.score, 'success', NEW.passed));
    RETURN NULL;
END $$;
CREATE TRIGGER quiz_attempts_xapi AFTER INSERT ON quiz_attempts
    FOR EACH ROW EXECUTE FUNCTION xapi_quiz_attempt();

-- A course completed issues its certificate: both are reported.
CREATE FUNCTION xapi_certificate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM enqueue_xapi(NEW.tenant_id, NEW.user_id, 'completed', NEW.course_id, NULL, NULL,
                         jsonb_build_object('completion', true));
    PERFORM enqueue_xapi(NEW.tenant_id, NEW.user_id, 'earned', NEW.course_id, NULL, NEW.id, '{}');
    RETURN NULL;
END $$;
CREATE TRIGGER certificates_xapi AFTER INSERT ON certificates
    FOR EACH ROW EXECUTE FUNCTION xapi_certificate();

-- The schools with rows pending in an outbox table (mail's `outbox`, `webhook_deliveries`,
-- `xapi_statements`): one SECURITY DEFINER pass over the schools, each read under its own
-- tenant. The three outboxes' functions are this one; the runtime role is granted EXECUTE on
-- them by `eduflow migrate`.
CREATE OR REPLACE FUNCTION outbox_due_schools(outbox regclass)
RETURNS TABLE (school uuid, due boolean, oldest timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    caller text := current_setting('app.tenant_id', true);
    t uuid;
BEGIN
    FOR t IN SELECT id FROM tenants LOOP
        PERFORM set_config('app.tenant_id', t::text, true);
        EXECUTE format(
            'SELECT min(o.created_at), coalesce(bool_or(o.next_attempt_at <= now()
                    AND (o.claimed_until IS NULL OR o.claimed_until < now())), false)
               FROM %s o WHERE o.tenant_id = $1 AND o.status = ''pending''', outbox)
          INTO oldest, due USING t;
        IF oldest IS NOT NULL THEN
            school := t;
            RETURN NEXT;
        END IF;
    END LOOP;
    PERFORM set_config('app.tenant_id', COALESCE(caller, ''), true);
END $$;
REVOKE ALL ON FUNCTION outbox_due_schools(regclass) FROM PUBLIC;

CREATE OR REPLACE FUNCTION mail_due_schools() RETURNS TABLE (school uuid, due boolean, oldest timestamptz)
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
    SELECT * FROM outbox_due_schools('outbox')
$$;
CREATE OR REPLACE FUNCTION webhook_due_schools() RETURNS TABLE (school uuid, due boolean, oldest timestamptz)
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
    SELECT * FROM outbox_due_schools('webhook_deliveries')
$$;
CREATE FUNCTION xapi_due_schools() RETURNS TABLE (school uuid, due boolean, oldest timestamptz)
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
    SELECT * FROM outbox_due_schools('xapi_statements')
$$;
REVOKE ALL ON FUNCTION xapi_due_schools() FROM PUBLIC;
