-- The directory of clusters. Every cluster has this table (one schema everywhere), but only the
-- directory cluster's rows mean anything: the cluster DATABASE_URL names. Its own schools are on
-- it (under the name `main`); each row here is another cluster, holding the schools in its own
-- `tenants` table. URLs are kept as given: whoever can read this table can reach every cluster
-- as EduFlow does, so it is granted to the runtime role only for reading.
CREATE TABLE clusters (
    name text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9-]{0,30}$' AND name <> 'main'),
    url text NOT NULL,
    admin_url text NOT NULL,
    listen_url text,
    replica_urls text[] NOT NULL DEFAULT '{}',
    region text NOT NULL DEFAULT '',
    added_at timestamptz NOT NULL DEFAULT now()
);

-- A cluster added or removed: instances reload their host map (the same announcement as a
-- school's record changing).
CREATE TRIGGER clusters_changed
    AFTER INSERT OR DELETE OR UPDATE ON clusters
    FOR EACH STATEMENT EXECUTE FUNCTION announce_tenants_changed();
