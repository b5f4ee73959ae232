DROP TABLE media_variants;
ALTER TABLE lessons RENAME COLUMN hls_key TO media_key;
DROP TABLE course_instructors;
ALTER TABLE courses DROP COLUMN cover_width, DROP COLUMN cover_height;
