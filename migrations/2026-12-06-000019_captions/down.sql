DROP TABLE lesson_captions;
ALTER TABLE lessons DROP COLUMN transcript;
