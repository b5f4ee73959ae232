-- Moving a school to another cluster (`eduflow tenants move`) with logical replication.

-- A row filter on a published UPDATE or DELETE may only name columns of the replica identity:
-- every tenant table whose primary key lacks tenant_id gets a unique key that has it, and
-- becomes its replica identity (the subscriber finds rows by it too).
DO $$
DECLARE
    r record;
    pk text;
BEGIN
    FOR r IN
        SELECT c.oid, c.relname, i.indexrelid
          FROM pg_class c
          JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
          JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
           AND NOT a.attnum = ANY (i.indkey)
    LOOP
        SELECT string_agg(quote_ident(att.attname), ', ' ORDER BY k.ord) INTO pk
          FROM unnest((SELECT indkey FROM pg_index WHERE indexrelid = r.indexrelid)) WITH ORDINALITY AS k(attnum, ord)
          JOIN pg_attribute att ON att.attrelid = r.oid AND att.attnum = k.attnum;
        EXECUTE format('CREATE UNIQUE INDEX %I ON %I (%s, tenant_id)', r.relname || '_school_key', r.relname, pk);
        EXECUTE format('ALTER TABLE %I REPLICA IDENTITY USING INDEX %I', r.relname, r.relname || '_school_key');
    END LOOP;
END $$;

-- Each side's record of a move: on the source (`out`) and on the target (`in`). A school is
-- served from a cluster unless its row there says it is not (`serving`): an arriving copy is
-- hidden until the switch, a school that left stays hidden until its rows are purged.
CREATE TABLE school_moves (
    school uuid PRIMARY KEY,
    direction text NOT NULL CHECK (direction IN ('in', 'out')),
    -- The cluster on the other side.
    other text NOT NULL,
    serving boolean NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    switched_at timestamptz
);
CREATE TRIGGER school_moves_changed
    AFTER INSERT OR DELETE OR UPDATE ON school_moves
    FOR EACH STATEMENT EXECUTE FUNCTION announce_tenants_changed();

-- Written on the source once the school is frozen, and awaited on the target: logical
-- replication applies in commit order, so every earlier write has arrived with it.
CREATE TABLE move_markers (
    school uuid NOT NULL,
    token uuid PRIMARY KEY,
    written_at timestamptz NOT NULL DEFAULT now()
);

-- The freeze: a trigger per tenant table refuses every write of one school (its id and the column
-- holding it are the trigger's arguments), whoever sends it.
CREATE FUNCTION school_frozen() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'eduflow: school % is moving to another cluster', TG_ARGV[0]
        USING ERRCODE = '55000';
END $$;
