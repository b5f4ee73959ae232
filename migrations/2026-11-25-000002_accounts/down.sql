DROP TABLE sessions, users;
DROP FUNCTION guard_tenant_table(regclass);
