-- The language a course is written in (a language tag), shown in the catalog and filterable
-- there. Courses written before were written in their school's language.
ALTER TABLE courses ADD COLUMN language text NOT NULL DEFAULT 'en'
    CHECK (language ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$');
UPDATE courses c SET language = t.locale FROM tenants t WHERE t.id = c.tenant_id;
