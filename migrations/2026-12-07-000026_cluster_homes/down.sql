ALTER TABLE clusters
    DROP COLUMN media_bucket,
    DROP COLUMN media_region,
    DROP COLUMN media_endpoint,
    DROP COLUMN backup_config,
    DROP COLUMN backup_stanza;
