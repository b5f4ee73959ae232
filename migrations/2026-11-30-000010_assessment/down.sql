DROP TABLE course_prerequisites;
ALTER TABLE sections DROP COLUMN unlock_after_days, DROP COLUMN unlock_at;
DROP TABLE certificates;
DROP TABLE quiz_attempts;
DROP TABLE quizzes;
ALTER TABLE lessons DROP COLUMN optional;
DELETE FROM lessons WHERE kind = 'quiz';
ALTER TABLE lessons DROP CONSTRAINT lessons_kind_check;
ALTER TABLE lessons ADD CONSTRAINT lessons_kind_check CHECK (kind IN ('text', 'video'));
