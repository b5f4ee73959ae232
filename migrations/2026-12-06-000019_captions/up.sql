-- Captions of a video lesson, one WebVTT file per language (checked on upload), and for HLS a
-- subtitles playlist pointing at it; and a transcript shown below the player.
CREATE TABLE lesson_captions (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    lesson_id     uuid NOT NULL REFERENCES lessons (id) ON DELETE CASCADE,
    language      text NOT NULL CHECK (language ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$'),
    vtt_key       text NOT NULL,
    playlist_key  text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, lesson_id, language)
);
SELECT guard_tenant_table('lesson_captions');
ALTER TABLE lessons ADD COLUMN transcript text NOT NULL DEFAULT '';

-- Captions are part of the cached lesson pages.
CREATE TRIGGER lesson_captions_catalog_insert AFTER INSERT ON lesson_captions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_versions();
CREATE TRIGGER lesson_captions_catalog_update AFTER UPDATE ON lesson_captions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_versions();
CREATE TRIGGER lesson_captions_catalog_delete AFTER DELETE ON lesson_captions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_versions();
