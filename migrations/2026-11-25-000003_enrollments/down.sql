DROP TABLE lesson_progress, enrollments;
ALTER TABLE courses DROP COLUMN enrollment_cap, DROP COLUMN enrollment_ends_at;
