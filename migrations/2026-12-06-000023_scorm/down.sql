DROP FUNCTION xapi_scorm_verdict() CASCADE;
DROP TABLE scorm_attempts;
DROP TABLE scorm_files;
DROP TABLE scorm_packages;
DELETE FROM lessons WHERE kind = 'scorm';
ALTER TABLE lessons DROP CONSTRAINT lessons_kind_check;
ALTER TABLE lessons ADD CONSTRAINT lessons_kind_check CHECK (kind IN ('text', 'video', 'quiz', 'lti'));
