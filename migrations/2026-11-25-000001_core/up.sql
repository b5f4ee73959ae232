-- EduFlow core schema. Every tenant-owned table carries tenant_id, is guarded by row-level
-- security (ENABLE + FORCE) with a permissive policy and a RESTRICTIVE twin, so no policy added
-- later can widen what a school sees.

-- Platform table: the schools themselves. Not tenant-owned; the runtime role may only read it.
CREATE TABLE tenants (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug            text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    tagline         text NOT NULL DEFAULT '',
    domains         text[] NOT NULL DEFAULT '{}',
    accent_color    text NOT NULL DEFAULT '#2563eb' CHECK (accent_color ~ '^#[0-9a-f]{6}$'),
    logo_url        text,
    catalog_version bigint NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE categories (
    id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    slug      text NOT NULL CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
    name      text NOT NULL,
    position  integer NOT NULL DEFAULT 0,
    UNIQUE (tenant_id, slug)
);

-- The seed design's "contents".
CREATE TABLE courses (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    slug             text NOT NULL CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,118}[a-z0-9])?$'),
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    summary          text NOT NULL DEFAULT '',
    description      text NOT NULL DEFAULT '',
    category         text NOT NULL,
    tags             text[] NOT NULL DEFAULT '{}',
    cover_image_key  text,
    level            text NOT NULL DEFAULT 'beginner'
                     CHECK (level IN ('beginner', 'intermediate', 'advanced')),
    duration_minutes integer NOT NULL DEFAULT 0 CHECK (duration_minutes >= 0),
    published        boolean NOT NULL DEFAULT false,
    published_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    search           tsvector GENERATED ALWAYS AS
                     (to_tsvector('english', title || ' ' || summary)) STORED,
    UNIQUE (tenant_id, slug),
    UNIQUE (tenant_id, id),
    -- Composite keys: a row can only point at rows of its own school, even by a guessed id.
    FOREIGN KEY (tenant_id, category) REFERENCES categories (tenant_id, slug) ON UPDATE CASCADE,
    CHECK (NOT published OR published_at IS NOT NULL)
);
-- Catalog order is newest first, keyset-paginated on (published_at, id).
CREATE INDEX courses_catalog_idx ON courses (tenant_id, published_at DESC, id DESC) WHERE published;
CREATE INDEX courses_category_idx ON courses (tenant_id, category, published_at DESC, id DESC) WHERE published;

-- Tag and word filters. Under row-level security PostgreSQL only uses *leakproof* operators as
-- index conditions; array containment (@>) and text search (@@) are not, so a GIN index on
-- courses.tags or courses.search would never be used for the runtime role. These btree side
-- tables turn both filters into leakproof equality, already in catalog order, so a filtered
-- deep page costs what the first page costs. Kept in sync by index_course() below.
CREATE TABLE course_tags (
    tenant_id    uuid NOT NULL,
    course_id    uuid NOT NULL,
    tag          text NOT NULL,
    published_at timestamptz NOT NULL,
    PRIMARY KEY (course_id, tag),
    FOREIGN KEY (tenant_id, course_id) REFERENCES courses (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX course_tags_catalog_idx ON course_tags (tenant_id, tag, published_at DESC, course_id DESC);

CREATE TABLE course_terms (
    tenant_id    uuid NOT NULL,
    course_id    uuid NOT NULL,
    term         text NOT NULL,
    published_at timestamptz NOT NULL,
    PRIMARY KEY (course_id, term),
    FOREIGN KEY (tenant_id, course_id) REFERENCES courses (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX course_terms_catalog_idx ON course_terms (tenant_id, term, published_at DESC, course_id DESC);

-- Runs as the writer (not SECURITY DEFINER): the rows it adds pass the same tenant policy.
CREATE FUNCTION index_course() RETURNS trigger
LANGUAGE plpgsql SET search_path = public AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM course_tags WHERE course_id = OLD.id;
        DELETE FROM course_terms WHERE course_id = OLD.id;
    END IF;
    IF NEW.published THEN
        INSERT INTO course_tags (tenant_id, course_id, tag, published_at)
            SELECT DISTINCT NEW.tenant_id, NEW.id, t, NEW.published_at FROM unnest(NEW.tags) AS t;
        INSERT INTO course_terms (tenant_id, course_id, term, published_at)
            SELECT NEW.tenant_id, NEW.id, lexeme, NEW.published_at FROM unnest(NEW.search);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER courses_index AFTER INSERT OR UPDATE OF tags, published, published_at, title, summary
    ON courses FOR EACH ROW EXECUTE FUNCTION index_course();

CREATE TABLE sections (
    id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL,
    course_id uuid NOT NULL,
    position  integer NOT NULL,
    title     text NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (course_id, position),
    FOREIGN KEY (tenant_id, course_id) REFERENCES courses (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sections_course_idx ON sections (tenant_id, course_id, position);

CREATE TABLE lessons (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id        uuid NOT NULL,
    section_id       uuid NOT NULL,
    position         integer NOT NULL,
    slug             text NOT NULL CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,118}[a-z0-9])?$'),
    title            text NOT NULL,
    kind             text NOT NULL DEFAULT 'text' CHECK (kind IN ('text', 'video')),
    body             text NOT NULL DEFAULT '',
    video_key        text,
    media_key        text,
    duration_seconds integer NOT NULL DEFAULT 0 CHECK (duration_seconds >= 0),
    free_preview     boolean NOT NULL DEFAULT false,
    UNIQUE (tenant_id, id),
    UNIQUE (section_id, position),
    FOREIGN KEY (tenant_id, section_id) REFERENCES sections (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX lessons_section_idx ON lessons (tenant_id, section_id, position);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['categories', 'courses', 'course_tags', 'course_terms', 'sections', 'lessons'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid))
            WITH CHECK (tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid))$p$, t);
        EXECUTE format($p$CREATE POLICY tenant_guard ON %I AS RESTRICTIVE
            USING (tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid))
            WITH CHECK (tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid))$p$, t);
    END LOOP;
END $$;

-- Cache coherence across instances: any committed change to a school's catalog bumps its
-- catalog_version and announces it on `eduflow_catalog` ("<tenant id> <version>"). NOTIFY is
-- delivered at commit, so a rolled-back change announces nothing.
CREATE FUNCTION bump_catalog_version() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    t uuid := NULLIF(current_setting('app.tenant_id', true), '')::uuid;
    v bigint;
BEGIN
    IF t IS NOT NULL THEN
        UPDATE tenants SET catalog_version = catalog_version + 1 WHERE id = t
            RETURNING catalog_version INTO v;
        PERFORM pg_notify('eduflow_catalog', t::text || ' ' || v::text);
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION bump_catalog_version() FROM PUBLIC;

CREATE TRIGGER categories_catalog_version AFTER INSERT OR UPDATE OR DELETE ON categories
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER courses_catalog_version AFTER INSERT OR UPDATE OR DELETE ON courses
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER sections_catalog_version AFTER INSERT OR UPDATE OR DELETE ON sections
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
CREATE TRIGGER lessons_catalog_version AFTER INSERT OR UPDATE OR DELETE ON lessons
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();

-- School records changed (sync): instances reload their host map and drop the school's pages.
CREATE FUNCTION announce_tenants_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('eduflow_tenants', '');
    RETURN NULL;
END $$;
CREATE TRIGGER tenants_changed
    AFTER INSERT OR DELETE OR UPDATE OF slug, name, tagline, domains, accent_color, logo_url ON tenants
    FOR EACH STATEMENT EXECUTE FUNCTION announce_tenants_changed();
