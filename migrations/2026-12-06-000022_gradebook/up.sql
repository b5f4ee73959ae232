-- The gradebook: an instructor's override of a learner's grade on one graded item of a course
-- (a quiz lesson, `quiz:<lesson id>`, or a tool's line item, `tool:<line item id>`), with why.
-- Who set it, and the grade it replaced, are on the audit log.
CREATE TABLE grade_overrides (
    tenant_id  uuid NOT NULL,
    course_id  uuid NOT NULL,
    user_id    uuid NOT NULL,
    item       text NOT NULL CHECK (item ~ '^(quiz|tool):[0-9a-f-]{36}$'),
    score      double precision NOT NULL CHECK (score BETWEEN 0 AND 100),
    comment    text NOT NULL CHECK (length(comment) BETWEEN 1 AND 2000),
    at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, course_id, user_id, item),
    FOREIGN KEY (tenant_id, course_id) REFERENCES courses (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
SELECT guard_tenant_table('grade_overrides');

-- The gradebook through the API: a scope of its own.
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_scopes_check;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scopes_check CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY[
    'catalog:read', 'enrollments:read', 'enrollments:write', 'progress:read', 'users:read',
    'users:write', 'certificates:read', 'grades:read']::text[]);
