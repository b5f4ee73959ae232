# The learner's pages: layout, catalog, course, lessons, quizzes, certificates.

skip-to-content = Skip to content
nav-main = Main
nav-courses = Courses
nav-languages = Languages
nav-authoring = Authoring
nav-members = Members
footer-powered = { $school } · powered by EduFlow
my-learning = My learning
log-in = Log in
log-out = Log out
sign-up = Sign up
list-separator = {", "}
pages = Pages
previous = Previous
next = Next
lessons = Lessons
tags = Tags
percent = { $n }%

title-courses = Courses · { $school }
title-my-learning = My learning · { $school }
search-courses = Search courses
search-placeholder = What do you want to learn?
search = Search
categories = Categories
category = Category
all-categories = All categories
newest-courses = Newest courses
browse-all-courses = Browse all courses
no-courses-yet = No courses yet — check back soon.
filter = Filter
clear-filters = Clear filters
tagged = Tagged:
no-courses-match = No courses match these filters.

level = { $level ->
    [beginner] beginner
    [intermediate] intermediate
    [advanced] advanced
   *[other] { $level }
}
duration-minutes = { $minutes } min
card-requires = Requires:
course-requires = Requires completing first:
curriculum = Curriculum
curriculum-empty = The curriculum is being written.
drip-days = Opens { $days ->
    [one] { $days } day
   *[other] { $days } days
} after you enroll.
drip-date = Opens on { $date }.
drip-days-and-date = Opens { $days ->
    [one] { $days } day
   *[other] { $days } days
} after you enroll, and not before { $date }.
lesson-kind = { $kind ->
    [video] video
    [quiz] quiz
   *[text] text
}
lesson-count = { $count ->
    [one] { $count } lesson
   *[other] { $count } lessons
}
optional = optional
free-preview = free preview
free-preview-label = Free preview

log-in-to-enroll = Log in to enroll
enroll = Enroll
unenroll = Unenroll
continue = Continue
you-are-enrolled = You are enrolled.
lessons-complete-of = { $done }/{ $total } lessons complete.
lessons-open-on = { $count ->
    [one] { $count } lesson opens
   *[other] { $count } lessons open
} on { $date }.
dashboard-empty = You are not enrolled in any course yet.
browse-the-catalog = Browse the catalog.
lessons-complete-label = { $total ->
    [one] lesson complete
   *[other] lessons complete
}
course-complete = Course complete
finished = Finished
download-certificate = Download certificate
verification-page = Verification page

lesson-position = lesson { $position } of { $total }
completed = Completed
mark-complete = Mark complete

quiz-pass-mark = Pass mark { $mark }%.
quiz-attempts-allowed = { $count ->
    [one] { $count } attempt allowed
   *[other] { $count } attempts allowed
}
quiz-attempts-left = , { $count } left
quiz-unlimited = Unlimited attempts.
quiz-you-passed = You passed this quiz.
quiz-your-attempts = Your attempts
score = Score
result = Result
when = When
passed = Passed
not-passed = Not passed
quiz-staff-view = You see this quiz as its staff: submitting needs an enrollment.
quiz-submit = Submit answers
quiz-no-attempts-left = You have used all your attempts at this quiz.
quiz-enroll-to-take = Enroll to take this quiz
true = True
false = False
your-answer = Your answer

attempt-number = Attempt { $number }:
quiz-passed-mark = Passed (the pass mark is { $mark }%).
quiz-not-passed-mark = Not passed (the pass mark is { $mark }%).
your-answer-was = Your answer:
answer-none = none
answer-right = right
answer-partly-right = partly right
answer-not-right = not right
you-completed = You completed { $course }.
download-your-certificate = Download your certificate
quiz-no-attempts-left-here = You have no attempts left at this quiz.
try-again = Try again
attempts-left-paren = ({ $count } left)
next-lesson = Next: { $title }

certificate-title = Certificate { $id }
certificate-of-completion = Certificate of completion
revoked = Revoked
revoked-on = on { $date }
reason-separator = {": "}
certificate-no-longer-valid = This certificate is no longer valid.
valid = Valid.
certificate-issued-by = { $school } issued this certificate.
awarded-to = Awarded to
for-completing = For completing
issued-on = On
certificate-id = Certificate id
download-the-pdf = Download the PDF
admin = Admin
take-back-revocation = Take back the revocation
revoke-reason = Reason (shown on this page)
revoke-certificate = Revoke this certificate

landing-what = Online schools, each on its own address: a catalog, courses, lessons and progress for every learner.
landing-where = Looking for your school? Use the address your school gave you, such as
course-language = In { $language }
course-language-filter = Language of the course
all-languages = All languages
transcript = Transcript

# The printed certificate (PDF): one line each, centred.
pdf-certificate-of-completion = Certificate of Completion
pdf-this-certifies-that = This certifies that
pdf-has-completed-the-course = has completed the course
pdf-completed-on = on { $date }
pdf-certificate-number = Certificate { $id }
pdf-verify-at = Verify at { $url }
