//! Authoring queries. Every one runs inside the tenant door, so another school's ids simply do
//! not exist here; who may touch which course is checked in the same transaction as the write.

mod courses;
mod lessons;
mod outline;
mod staff;

pub use courses::{
    CourseListItem, CourseRecord, categories, course, course_by_slug, create_course,
    editable_courses, may_edit, may_edit_as, named_course, set_published, update_course,
};
pub use lessons::{
    LessonMedia, LessonRecord, add_lesson, captions, delete_lesson, lesson, move_lesson,
    remove_captions, set_captions, update_lesson,
};
pub use outline::{
    OutlineLesson, OutlineSection, add_section, append_lesson, delete_section, move_section,
    outline, prerequisite_slugs, save_section, set_prerequisites,
};
pub use staff::{Member, assign, instructors, members, set_role, unassign};
