-- Where a cluster's schools keep what lives outside PostgreSQL, so that it stays in the cluster's
-- region with the rows: their media (a bucket of the instances' S3 service, or another
-- endpoint's; NULL: the instances' own store) and their backups (a pgBackRest configuration
-- file and stanza, readable where `eduflow` runs; NULL: none through EduFlow).
ALTER TABLE clusters
    ADD COLUMN media_bucket text
        CHECK (media_bucket ~ '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$'),
    ADD COLUMN media_region text,
    ADD COLUMN media_endpoint text,
    ADD COLUMN backup_config text,
    ADD COLUMN backup_stanza text;
