DROP FUNCTION xapi_due_schools();
-- mail_due_schools and webhook_due_schools keep calling outbox_due_schools, which stays.
DROP TRIGGER certificates_xapi ON certificates;
DROP FUNCTION xapi_certificate();
DROP TRIGGER quiz_attempts_xapi ON quiz_attempts;
DROP FUNCTION xapi_quiz_attempt();
DROP TRIGGER lesson_progress_xapi ON lesson_progress;
DROP FUNCTION xapi_lesson_progress();
DROP FUNCTION xapi_course_progress(uuid, uuid, uuid);
DROP FUNCTION enqueue_xapi(uuid, uuid, text, uuid, uuid, uuid, jsonb);
DROP TABLE xapi_statements;
ALTER TABLE tenants DROP COLUMN lrs_endpoint, DROP COLUMN lrs_username, DROP COLUMN lrs_password,
    DROP COLUMN lrs_mbox;
