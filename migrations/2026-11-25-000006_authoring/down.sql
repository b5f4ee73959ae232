DROP TABLE media_variants;
ALTER TABLE lessons RENAME COLUMN hls_key TO media_key;
DROP TABLE course_instructors;
