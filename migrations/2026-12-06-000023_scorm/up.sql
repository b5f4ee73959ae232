-- SCORM packages: a `scorm` lesson plays a package whose files are in the media store, content-
-- addressed like all media; `scorm_files` maps each path in the package to its object.
ALTER TABLE lessons DROP CONSTRAINT lessons_kind_check;
ALTER TABLE lessons ADD CONSTRAINT lessons_kind_check
    CHECK (kind IN ('text', 'video', 'quiz', 'lti', 'scorm'));

CREATE TABLE scorm_packages (
    lesson_id  uuid PRIMARY KEY,
    tenant_id  uuid NOT NULL,
    version    text NOT NULL CHECK (version IN ('1.2', '2004')),
    -- The organization's launchable items, in order: identifier, title, href, mastery.
    scos       jsonb NOT NULL,
    files      integer NOT NULL,
    bytes      bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, lesson_id),
    FOREIGN KEY (tenant_id, lesson_id) REFERENCES lessons (tenant_id, id) ON DELETE CASCADE
);
SELECT guard_tenant_table('scorm_packages');

CREATE TABLE scorm_files (
    tenant_id    uuid NOT NULL,
    lesson_id    uuid NOT NULL,
    path         text NOT NULL CHECK (length(path) BETWEEN 1 AND 1000),
    key          text NOT NULL,
    content_type text NOT NULL,
    PRIMARY KEY (tenant_id, lesson_id, path),
    FOREIGN KEY (tenant_id, lesson_id) REFERENCES scorm_packages (tenant_id, lesson_id) ON DELETE CASCADE
);
SELECT guard_tenant_table('scorm_files');

-- What a learner's SCO committed last in each attempt (the runtime's `cmi`), and what it came to.
CREATE TABLE scorm_attempts (
    tenant_id       uuid NOT NULL,
    user_id         uuid NOT NULL,
    lesson_id       uuid NOT NULL,
    sco             text NOT NULL CHECK (length(sco) BETWEEN 1 AND 200),
    attempt         integer NOT NULL DEFAULT 1 CHECK (attempt >= 1),
    cmi             jsonb NOT NULL,
    status          text,
    success         text,
    score           double precision,
    location        text,
    suspend_data    text CHECK (length(suspend_data) <= 65536),
    session_seconds double precision,
    -- passed/failed as the package reported it (NULL: it said nothing of success).
    passed          boolean,
    completed       boolean NOT NULL DEFAULT false,
    status_set      boolean NOT NULL DEFAULT false,
    -- The SCO last exited to be resumed: a completed attempt that was not suspended is over,
    -- and the learner's next launch starts the next attempt.
    suspended       boolean NOT NULL DEFAULT false,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id, lesson_id, sco, attempt),
    FOREIGN KEY (tenant_id, lesson_id) REFERENCES scorm_packages (tenant_id, lesson_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
SELECT guard_tenant_table('scorm_attempts');

-- A package's verdict on a learner (passed or failed, as it reported it, in any attempt) goes to
-- the school's LRS when it first says so or changes its mind; completion goes as the lesson's.
CREATE FUNCTION xapi_scorm_verdict() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    course uuid;
BEGIN
    IF NEW.passed IS NULL OR (TG_OP = 'UPDATE' AND OLD.passed IS NOT DISTINCT FROM NEW.passed) THEN
        RETURN NULL;
    END IF;
    SELECT s.course_id INTO course
      FROM lessons l JOIN sections s ON s.tenant_id = l.tenant_id AND s.id = l.section_id
     WHERE l.tenant_id = NEW.tenant_id AND l.id = NEW.lesson_id;
    PERFORM enqueue_xapi(NEW.tenant_id, NEW.user_id,
                         CASE WHEN NEW.passed THEN 'passed' ELSE 'failed' END,
                         course, NEW.lesson_id, NULL,
                         jsonb_strip_nulls(jsonb_build_object(
                             'score', least(greatest(round(NEW.score), 0), 100)::integer,
                             'success', NEW.passed)));
    RETURN NULL;
END $$;
CREATE TRIGGER scorm_attempts_xapi AFTER INSERT OR UPDATE OF passed ON scorm_attempts
    FOR EACH ROW EXECUTE FUNCTION xapi_scorm_verdict();
