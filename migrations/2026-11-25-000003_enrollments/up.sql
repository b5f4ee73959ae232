-- Enrollments and lesson progress. Both access paths of the seed design are served by indexes
-- leading with tenant_id: a learner's courses, and a course's learners.
ALTER TABLE courses
    ADD COLUMN enrollment_cap integer CHECK (enrollment_cap > 0),
    ADD COLUMN enrollment_ends_at timestamptz;

CREATE TABLE enrollments (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id  uuid NOT NULL,
    user_id    uuid NOT NULL,
    course_id  uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, user_id, course_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, course_id) REFERENCES courses (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX enrollments_course_idx ON enrollments (tenant_id, course_id, created_at);

CREATE TABLE lesson_progress (
    tenant_id        uuid NOT NULL,
    user_id          uuid NOT NULL,
    course_id        uuid NOT NULL,
    lesson_id        uuid NOT NULL,
    completed_at     timestamptz,
    position_seconds integer NOT NULL DEFAULT 0 CHECK (position_seconds >= 0),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id, lesson_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, course_id) REFERENCES courses (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, lesson_id) REFERENCES lessons (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX lesson_progress_course_idx ON lesson_progress (tenant_id, user_id, course_id);

SELECT guard_tenant_table('enrollments');
SELECT guard_tenant_table('lesson_progress');
