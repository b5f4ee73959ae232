-- Instances keep the sessions they have seen in memory (see `accounts::live`). Every change that
-- could end a session or change what it grants announces "<tenant id> <user id>" on
-- `eduflow_session`, whoever commits it (a handler, the CLI, an operator's plain SQL), and every
-- instance forgets that account's sessions; its next request is checked in the database again.
-- Moving the idle clock forward (a touch, once a minute at most) announces nothing.
CREATE FUNCTION announce_sessions_ended() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT DISTINCT tenant_id, user_id FROM old_rows LOOP
        PERFORM pg_notify('eduflow_session', r.tenant_id::text || ' ' || r.user_id::text);
    END LOOP;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION announce_sessions_ended() FROM PUBLIC;

CREATE FUNCTION announce_session_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    PERFORM pg_notify('eduflow_session', OLD.tenant_id::text || ' ' || OLD.user_id::text);
    IF (NEW.tenant_id, NEW.user_id) IS DISTINCT FROM (OLD.tenant_id, OLD.user_id) THEN
        PERFORM pg_notify('eduflow_session', NEW.tenant_id::text || ' ' || NEW.user_id::text);
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION announce_session_changed() FROM PUBLIC;

CREATE TRIGGER sessions_ended AFTER DELETE ON sessions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION announce_sessions_ended();
CREATE TRIGGER sessions_changed AFTER UPDATE ON sessions FOR EACH ROW
    WHEN ((OLD.tenant_id, OLD.user_id, OLD.token_hash, OLD.csrf_token, OLD.expires_at)
              IS DISTINCT FROM (NEW.tenant_id, NEW.user_id, NEW.token_hash, NEW.csrf_token, NEW.expires_at)
          OR NEW.last_seen_at < OLD.last_seen_at)
    EXECUTE FUNCTION announce_session_changed();

-- What a session grants is read from its account: a change of name, address, role, suspension or
-- verification is a change to every session of it.
CREATE FUNCTION announce_account_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    PERFORM pg_notify('eduflow_session', OLD.tenant_id::text || ' ' || OLD.id::text);
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION announce_account_changed() FROM PUBLIC;

CREATE TRIGGER users_sessions_changed AFTER UPDATE ON users FOR EACH ROW
    WHEN ((OLD.tenant_id, OLD.name, OLD.email, OLD.role, OLD.suspended_at, OLD.email_verified_at)
              IS DISTINCT FROM (NEW.tenant_id, NEW.name, NEW.email, NEW.role, NEW.suspended_at, NEW.email_verified_at))
    EXECUTE FUNCTION announce_account_changed();
