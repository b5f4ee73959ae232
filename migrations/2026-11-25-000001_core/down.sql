DROP TABLE lessons, sections, course_tags, course_terms, courses, categories, tenants CASCADE;
DROP FUNCTION bump_catalog_version();
DROP FUNCTION announce_tenants_changed();
DROP FUNCTION index_course();
