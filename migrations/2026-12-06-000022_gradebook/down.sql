DELETE FROM api_tokens WHERE 'grades:read' = ANY (scopes);
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_scopes_check;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scopes_check CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY[
    'catalog:read', 'enrollments:read', 'enrollments:write', 'progress:read', 'users:read',
    'users:write', 'certificates:read']::text[]);
DROP TABLE grade_overrides;
