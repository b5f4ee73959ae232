DROP TRIGGER users_role_version ON users;
DROP FUNCTION user_role_changed();
DO $$
DECLARE
    t text;
    op text;
BEGIN
    FOREACH op IN ARRAY ARRAY['insert', 'update', 'delete'] LOOP
        FOREACH t IN ARRAY ARRAY['categories', 'courses', 'sections', 'lessons'] LOOP
            EXECUTE format('DROP TRIGGER %1$s_catalog_%2$s ON %1$I', t, op);
        END LOOP;
        FOREACH t IN ARRAY ARRAY['enrollments', 'lesson_progress'] LOOP
            EXECUTE format('DROP TRIGGER %1$s_learner_%2$s ON %1$I', t, op);
        END LOOP;
    END LOOP;
END $$;
DROP FUNCTION learner_state_changed();
DROP FUNCTION bump_learner_versions(uuid, uuid[]);
DROP FUNCTION bump_catalog_versions();
ALTER TABLE users DROP COLUMN state_version;

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
