DROP INDEX lesson_progress_changed;
DROP TRIGGER certificates_changed_at ON certificates;
DROP FUNCTION certificate_changed_now();
ALTER TABLE certificates DROP COLUMN changed_at;
DROP TABLE api_tokens;
DROP FUNCTION announce_api_tokens_changed();
