DROP FUNCTION school_frozen() CASCADE;
DROP TABLE move_markers;
DROP TABLE school_moves;
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT c.relname AS index_name, t.relname AS table_name
               FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid JOIN pg_class t ON t.oid = i.indrelid
              WHERE c.relnamespace = 'public'::regnamespace AND c.relname LIKE '%\_school\_key' LOOP
        EXECUTE format('ALTER TABLE %I REPLICA IDENTITY DEFAULT', r.table_name);
        EXECUTE format('DROP INDEX %I', r.index_name);
    END LOOP;
END $$;
