-- Authoring: who may edit a course. The creator owns it; admins and owners assign more
-- instructors. Admins of the school edit every course without a row here.
CREATE TABLE course_instructors (
    tenant_id uuid NOT NULL,
    course_id uuid NOT NULL,
    user_id   uuid NOT NULL,
    is_owner  boolean NOT NULL DEFAULT false,
    PRIMARY KEY (course_id, user_id),
    FOREIGN KEY (tenant_id, course_id) REFERENCES courses (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX course_instructors_user_idx ON course_instructors (tenant_id, user_id);
SELECT guard_tenant_table('course_instructors');

-- A course's cover size, so catalog pages lay out responsive images without a join.
ALTER TABLE courses ADD COLUMN cover_width integer, ADD COLUMN cover_height integer;

-- A lesson's HLS ladder: the key of its stored master playlist (the unused media_key column).
ALTER TABLE lessons RENAME COLUMN media_key TO hls_key;

-- Image variants computed on demand, remembered so each is computed once per school.
CREATE TABLE media_variants (
    tenant_id  uuid NOT NULL,
    source_key text NOT NULL,
    width      integer NOT NULL CHECK (width > 0),
    format     text NOT NULL CHECK (format IN ('avif', 'webp', 'jpg')),
    key        text NOT NULL,
    height     integer NOT NULL CHECK (height > 0),
    size_bytes bigint NOT NULL,
    PRIMARY KEY (tenant_id, source_key, width, format),
    FOREIGN KEY (tenant_id, source_key) REFERENCES media (tenant_id, key) ON DELETE CASCADE
);
SELECT guard_tenant_table('media_variants');
