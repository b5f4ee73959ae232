DROP TRIGGER users_sessions_changed ON users;
DROP TRIGGER sessions_changed ON sessions;
DROP TRIGGER sessions_ended ON sessions;
DROP FUNCTION announce_account_changed();
DROP FUNCTION announce_session_changed();
DROP FUNCTION announce_sessions_ended();
