-- LTI 1.3 Advantage with EduFlow as the platform: the tools a school registers, its signing
-- keys, lessons that launch a tool, and the grades tools send back (Assignment and Grade
-- Services).

-- A school's platform keys (RS256). The newest key without `retires_at` signs; a rotated key
-- stays published until `retires_at`, so tools holding it keep verifying during the overlap.
-- The private half is sealed under a key derived from the installation secret and bound to the
-- school and kid (see `sealing`).
CREATE TABLE lti_keys (
    tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kid            text NOT NULL,
    public_jwk     jsonb NOT NULL,
    private_sealed bytea NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    retires_at     timestamptz,
    PRIMARY KEY (tenant_id, kid)
);
SELECT guard_tenant_table('lti_keys');

-- A registered tool. EduFlow issues its client id (random) and deployment id; a client id is
-- looked up only within the school a request is for.
CREATE TABLE lti_tools (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    client_id        text NOT NULL,
    deployment_id    text NOT NULL,
    login_url        text NOT NULL,
    redirect_uris    text[] NOT NULL CHECK (cardinality(redirect_uris) BETWEEN 1 AND 20),
    -- Where the tool publishes its keys, or its one key as a JWK when it publishes none.
    jwks_url         text,
    public_jwk       jsonb,
    deep_linking_url text,
    -- Registered by the school's file (`[[lti]]`), which may remove it again.
    from_file        boolean NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, name),
    UNIQUE (tenant_id, client_id),
    UNIQUE (tenant_id, id),
    CHECK ((jwks_url IS NULL) <> (public_jwk IS NULL))
);
SELECT guard_tenant_table('lti_tools');

ALTER TABLE lessons DROP CONSTRAINT lessons_kind_check;
ALTER TABLE lessons ADD CONSTRAINT lessons_kind_check CHECK (kind IN ('text', 'video', 'quiz', 'lti'));

-- An `lti` lesson: the tool it launches and where (the resource link is the lesson). A score at
-- or above `pass_mark` per cent, fully graded, completes it.
CREATE TABLE lti_links (
    lesson_id  uuid PRIMARY KEY,
    tenant_id  uuid NOT NULL,
    tool_id    uuid NOT NULL,
    url        text NOT NULL,
    pass_mark  integer NOT NULL DEFAULT 70 CHECK (pass_mark BETWEEN 0 AND 100),
    FOREIGN KEY (tenant_id, lesson_id) REFERENCES lessons (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, tool_id) REFERENCES lti_tools (tenant_id, id) ON DELETE CASCADE
);
SELECT guard_tenant_table('lti_links');

-- AGS line items: a tool's gradebook columns in a course, each perhaps tied to a lesson.
CREATE TABLE lti_line_items (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id     uuid NOT NULL,
    tool_id       uuid NOT NULL,
    course_id     uuid NOT NULL,
    lesson_id     uuid,
    label         text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
    score_maximum double precision NOT NULL CHECK (score_maximum > 0),
    resource_id   text NOT NULL DEFAULT '' CHECK (length(resource_id) <= 200),
    tag           text NOT NULL DEFAULT '' CHECK (length(tag) <= 200),
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, tool_id) REFERENCES lti_tools (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, course_id) REFERENCES courses (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, lesson_id) REFERENCES lessons (tenant_id, id) ON DELETE CASCADE
);
SELECT guard_tenant_table('lti_line_items');
CREATE INDEX lti_line_items_course_idx ON lti_line_items (tenant_id, course_id, tool_id);

-- Every score a tool posted (the latest per learner is the result; the gradebook also shows
-- the best).
CREATE TABLE lti_scores (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id         uuid NOT NULL,
    line_item_id      uuid NOT NULL,
    user_id           uuid NOT NULL,
    score_given       double precision CHECK (score_given >= 0),
    score_maximum     double precision CHECK (score_maximum > 0),
    activity_progress text NOT NULL CHECK (activity_progress IN
        ('Initialized', 'Started', 'InProgress', 'Submitted', 'Completed')),
    grading_progress  text NOT NULL CHECK (grading_progress IN
        ('FullyGraded', 'Pending', 'PendingManual', 'Failed', 'NotReady')),
    comment           text CHECK (length(comment) <= 4000),
    scored_at         timestamptz NOT NULL,
    received_at       timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (tenant_id, line_item_id) REFERENCES lti_line_items (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
SELECT guard_tenant_table('lti_scores');
CREATE INDEX lti_scores_result_idx ON lti_scores (tenant_id, line_item_id, user_id, scored_at DESC);

-- Access tokens issued at /lti/token (the database keeps their SHA-256).
CREATE TABLE lti_access_tokens (
    token_hash bytea PRIMARY KEY,
    tenant_id  uuid NOT NULL,
    tool_id    uuid NOT NULL,
    scopes     text[] NOT NULL,
    expires_at timestamptz NOT NULL,
    FOREIGN KEY (tenant_id, tool_id) REFERENCES lti_tools (tenant_id, id) ON DELETE CASCADE
);
SELECT guard_tenant_table('lti_access_tokens');

-- Values a tool may present once: launch nonces, client-assertion ids (jti), deep-linking
-- returns. Kept until they would have expired anyway.
CREATE TABLE lti_used (
    tenant_id  uuid NOT NULL,
    tool_id    uuid NOT NULL,
    what       text NOT NULL CHECK (what IN ('nonce', 'jti', 'deep-link')),
    value      text NOT NULL CHECK (length(value) <= 500),
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, tool_id, what, value),
    FOREIGN KEY (tenant_id, tool_id) REFERENCES lti_tools (tenant_id, id) ON DELETE CASCADE
);
SELECT guard_tenant_table('lti_used');

-- A tool's final score on a lesson's line item passed or failed that lesson (xAPI), against the
-- lesson's pass mark, as EduFlow completes the lesson.
CREATE FUNCTION xapi_lti_score() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    item record;
    share double precision;
BEGIN
    IF NEW.grading_progress <> 'FullyGraded' OR NEW.score_given IS NULL OR NEW.score_maximum IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT i.course_id, i.lesson_id, k.pass_mark INTO item
      FROM lti_line_items i
      JOIN lti_links k ON k.tenant_id = i.tenant_id AND k.lesson_id = i.lesson_id
     WHERE i.tenant_id = NEW.tenant_id AND i.id = NEW.line_item_id;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    share := 100 * NEW.score_given / NEW.score_maximum;
    PERFORM enqueue_xapi(NEW.tenant_id, NEW.user_id,
                         CASE WHEN share >= item.pass_mark THEN 'passed' ELSE 'failed' END,
                         item.course_id, item.lesson_id, NULL,
                         jsonb_build_object('score', least(round(share), 100)::integer,
                                            'success', share >= item.pass_mark));
    RETURN NULL;
END $$;
CREATE TRIGGER lti_scores_xapi AFTER INSERT ON lti_scores
    FOR EACH ROW EXECUTE FUNCTION xapi_lti_score();
