-- Coherence for every writer. The first version of the catalog trigger bumped only the school
-- named in `app.tenant_id`, so a change made by plain SQL (an operator, a data fix, a restore)
-- reached no cache. These triggers read the schools a statement touched from its transition
-- tables instead, whoever runs it and whatever is set. A statement that touches no row announces
-- nothing. PostgreSQL allows transition tables only on single-event triggers: three per table.
DROP TRIGGER categories_catalog_version ON categories;
DROP TRIGGER courses_catalog_version ON courses;
DROP TRIGGER sections_catalog_version ON sections;
DROP TRIGGER lessons_catalog_version ON lessons;
DROP FUNCTION bump_catalog_version();

CREATE FUNCTION bump_catalog_versions() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    touched uuid[];
    r record;
BEGIN
    -- Only the branch that runs is planned, so each trigger names just its own transition table.
    IF TG_OP = 'DELETE' THEN
        touched := ARRAY(SELECT DISTINCT tenant_id FROM old_rows);
    ELSE
        touched := ARRAY(SELECT DISTINCT tenant_id FROM new_rows);
    END IF;
    FOR r IN UPDATE tenants SET catalog_version = catalog_version + 1
             WHERE id = ANY (touched) RETURNING id, catalog_version LOOP
        PERFORM pg_notify('eduflow_catalog', r.id::text || ' ' || r.catalog_version::text);
    END LOOP;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION bump_catalog_versions() FROM PUBLIC;

-- A learner's cached state (enrollments, progress, positions) is valid for one `state_version`
-- of their account. Every committed change to it bumps the version and announces
-- "<tenant id> <user id> <version>" on `eduflow_learner`; session lookups return the version, so a
-- request that finds an older copy in memory reloads it, even before the announcement arrives.
ALTER TABLE users ADD COLUMN state_version bigint NOT NULL DEFAULT 0;

-- Runs as the owner, whose tables FORCE row-level security: it scopes itself to each school in
-- turn and puts back whatever tenant the caller's transaction had.
CREATE FUNCTION bump_learner_versions(school uuid, learners uuid[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    caller text := current_setting('app.tenant_id', true);
    r record;
BEGIN
    PERFORM set_config('app.tenant_id', school::text, true);
    FOR r IN UPDATE users SET state_version = state_version + 1
             WHERE tenant_id = school AND id = ANY (learners) RETURNING id, state_version LOOP
        PERFORM pg_notify('eduflow_learner',
                          school::text || ' ' || r.id::text || ' ' || r.state_version::text);
    END LOOP;
    PERFORM set_config('app.tenant_id', COALESCE(caller, ''), true);
END $$;
REVOKE ALL ON FUNCTION bump_learner_versions(uuid, uuid[]) FROM PUBLIC;

CREATE FUNCTION learner_state_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    s record;
BEGIN
    IF TG_OP = 'DELETE' THEN
        FOR s IN SELECT tenant_id, array_agg(DISTINCT user_id) AS learners FROM old_rows
                 GROUP BY tenant_id LOOP
            PERFORM bump_learner_versions(s.tenant_id, s.learners);
        END LOOP;
    ELSE
        FOR s IN SELECT tenant_id, array_agg(DISTINCT user_id) AS learners FROM new_rows
                 GROUP BY tenant_id LOOP
            PERFORM bump_learner_versions(s.tenant_id, s.learners);
        END LOOP;
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION learner_state_changed() FROM PUBLIC;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['categories', 'courses', 'sections', 'lessons'] LOOP
        EXECUTE format('CREATE TRIGGER %1$s_catalog_insert AFTER INSERT ON %1$I
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_versions()', t);
        EXECUTE format('CREATE TRIGGER %1$s_catalog_update AFTER UPDATE ON %1$I
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_versions()', t);
        EXECUTE format('CREATE TRIGGER %1$s_catalog_delete AFTER DELETE ON %1$I
            REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_versions()', t);
    END LOOP;
    FOREACH t IN ARRAY ARRAY['enrollments', 'lesson_progress'] LOOP
        EXECUTE format('CREATE TRIGGER %1$s_learner_insert AFTER INSERT ON %1$I
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION learner_state_changed()', t);
        EXECUTE format('CREATE TRIGGER %1$s_learner_update AFTER UPDATE ON %1$I
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION learner_state_changed()', t);
        EXECUTE format('CREATE TRIGGER %1$s_learner_delete AFTER DELETE ON %1$I
            REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION learner_state_changed()', t);
    END LOOP;
END $$;

-- A role change takes effect on the user's next request everywhere: sessions are read from the
-- database on every request, and the version tells instances to drop what they hold.
CREATE FUNCTION user_role_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.role IS DISTINCT FROM OLD.role THEN
        NEW.state_version := OLD.state_version + 1;
        PERFORM pg_notify('eduflow_learner',
                          NEW.tenant_id::text || ' ' || NEW.id::text || ' ' || NEW.state_version::text);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER users_role_version BEFORE UPDATE OF role ON users
    FOR EACH ROW EXECUTE FUNCTION user_role_changed();
