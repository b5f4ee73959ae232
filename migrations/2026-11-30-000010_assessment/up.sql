-- Assessment and completion: quizzes and their attempts, optional lessons, certificates, drip
-- schedules and prerequisites.

ALTER TABLE lessons DROP CONSTRAINT lessons_kind_check;
ALTER TABLE lessons ADD CONSTRAINT lessons_kind_check CHECK (kind IN ('text', 'video', 'quiz'));
-- An optional lesson does not count towards completing its course.
ALTER TABLE lessons ADD COLUMN optional boolean NOT NULL DEFAULT false;

-- A quiz lesson's questions (GIFT, as the instructor wrote or imported them) and settings.
CREATE TABLE quizzes (
    lesson_id    uuid PRIMARY KEY REFERENCES lessons (id) ON DELETE CASCADE,
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    gift         text NOT NULL CHECK (octet_length(gift) <= 200000),
    pass_mark    integer NOT NULL DEFAULT 70 CHECK (pass_mark BETWEEN 0 AND 100),
    max_attempts integer CHECK (max_attempts BETWEEN 1 AND 100),
    shuffle      boolean NOT NULL DEFAULT true
);
SELECT guard_tenant_table('quizzes');

-- One graded submission. `number` counts a learner's attempts at a quiz from 1; the unique key
-- holds the attempt limit even against two submissions racing.
CREATE TABLE quiz_attempts (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id      uuid NOT NULL,
    lesson_id    uuid NOT NULL REFERENCES lessons (id) ON DELETE CASCADE,
    number       integer NOT NULL CHECK (number >= 1),
    score        integer NOT NULL CHECK (score BETWEEN 0 AND 100),
    passed       boolean NOT NULL,
    -- Each question's text, what was given, the share earned and the feedback shown.
    marked       jsonb NOT NULL,
    submitted_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, user_id, lesson_id, number),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
SELECT guard_tenant_table('quiz_attempts');

-- A certificate records the names as they were when it was issued.
CREATE TABLE certificates (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id        uuid NOT NULL,
    course_id      uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    learner_name   text NOT NULL,
    course_title   text NOT NULL,
    issued_at      timestamptz NOT NULL DEFAULT now(),
    -- The PDF in the media store (written after the row commits; made again when missing).
    pdf_key        text,
    revoked_at     timestamptz,
    revoked_reason text CHECK (length(revoked_reason) <= 500),
    UNIQUE (tenant_id, user_id, course_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
SELECT guard_tenant_table('certificates');

-- Drip: a section opens some days after the learner enrolled, or at an instant (both: the later).
ALTER TABLE sections
    ADD COLUMN unlock_after_days integer CHECK (unlock_after_days BETWEEN 1 AND 3650),
    ADD COLUMN unlock_at timestamptz;

-- Courses a learner must have completed before enrolling in another.
CREATE TABLE course_prerequisites (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    course_id   uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    required_id uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    PRIMARY KEY (tenant_id, course_id, required_id),
    CHECK (course_id <> required_id)
);
SELECT guard_tenant_table('course_prerequisites');

-- Quizzes and prerequisites are part of the cached course pages; certificates and attempts of a
-- learner's state, which every instance reloads when its version moves.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['quizzes', 'course_prerequisites'] LOOP
        EXECUTE format('CREATE TRIGGER %1$s_catalog_insert AFTER INSERT ON %1$I
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_versions()', t);
        EXECUTE format('CREATE TRIGGER %1$s_catalog_update AFTER UPDATE ON %1$I
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_versions()', t);
        EXECUTE format('CREATE TRIGGER %1$s_catalog_delete AFTER DELETE ON %1$I
            REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_versions()', t);
    END LOOP;
    FOREACH t IN ARRAY ARRAY['certificates', 'quiz_attempts'] LOOP
        EXECUTE format('CREATE TRIGGER %1$s_learner_insert AFTER INSERT ON %1$I
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION learner_state_changed()', t);
        EXECUTE format('CREATE TRIGGER %1$s_learner_update AFTER UPDATE ON %1$I
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION learner_state_changed()', t);
        EXECUTE format('CREATE TRIGGER %1$s_learner_delete AFTER DELETE ON %1$I
            REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION learner_state_changed()', t);
    END LOOP;
END $$;
