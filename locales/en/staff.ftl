# The staff's pages: authoring and the school's administration.

your-courses = Your courses
new-course = New course
members-and-roles = Members and roles
title = Title
status = Status
changed = Changed
published = published
draft = draft
no-courses-yours = No courses yet.
learners = Learners
learners-of = Learners of { $course }
enrolled-count = { $count } enrolled
download-csv = Download as CSV
enrolled = Enrolled
progress = Progress
last-active = Last active
done-of-total = { $done } of { $total } ({ $percent }%)
lessons-done-of-total = { $done } of { $total } lessons ({ $percent }%)
nobody-enrolled = Nobody is enrolled yet.
name-or-email = Name or email
role = Role
role-name = { $role ->
    [admin] admin
    [instructor] instructor
   *[learner] learner
}
role-yours = { $role ->
    [admin] admin
    [instructor] instructor
   *[learner] learner
} (you)
role-of = Role of { $name }
set-role = Set role
joined = Joined
joined-on = joined { $date }
suspended = suspended
confirmed = confirmed
unconfirmed = unconfirmed
nobody = Nobody.
nobody-matches = Nobody matches “{ $q }”.
next-page = Next page
address-confirmed-state = address confirmed
address-not-confirmed-state = address not confirmed
course = Course
actions = Actions
remove-from-course = Remove from course
not-enrolled-anywhere = Not enrolled in any course.
account = Account
reinstate = Reinstate
suspend-everywhere = Suspend (signs them out everywhere)
download-their-data = Download their data (JSON)
erase-account-password = Erase this account: your password
erase-account = Erase the account

admin-learners-link = Learners and their progress
api-tokens = API tokens
webhooks = Webhooks
webhook = Webhook
audit-log = Audit log
school-settings = School settings
invite-someone = Invite someone
invite-courses-field = Enroll in courses (slugs, separated by spaces)
send-invitation = Send the invitation
invite-many = Invite many from a CSV file
invite-csv-help = One person per line (role and courses optional; courses are slugs separated by spaces; a header line is allowed):
csv-file = CSV file
send-invitations = Send the invitations
invitations = Invitations
invitations-sent = { $count ->
    [one] { $count } invitation sent.
   *[other] { $count } invitations sent.
}
rows-not-sent = { $count ->
    [one] { $count } row not sent:
   *[other] { $count } rows not sent:
}
invitations-not-sent = { $count ->
    [one] { $count } invitation not sent:
   *[other] { $count } invitations not sent:
}
line = Line
reason = Reason
back-to-members = Back to members

api-intro = Your school's own systems call the API with a bearer token. A token works at this school only, for what its scopes allow, until it expires or is revoked.
copy-token-now = Copy this token now: it is not shown again.
new-token = New token
token-name = Name (what it is for)
scopes = Scopes
token-days = Expires after (days; empty: never)
create-token = Create token
tokens = Tokens
starts-with = Starts with
created = Created
state = State
revoked-on-day = revoked { $date }
expires-on = expires { $date }
no-expiry = no expiry
revoke = Revoke
no-tokens = No tokens yet.

webhooks-intro = Your systems hear what happens at { $school }: each event is POSTed as JSON, signed as the Standard Webhooks specification says, retried until the endpoint answers 2xx.
copy-secret-now = Copy this signing secret now: it is not shown again.
new-endpoint = New endpoint
url = URL
events = Events
add-endpoint = Add endpoint
endpoints = Endpoints
disabled-since = disabled { $date }
failing-in-a-row = failing ({ $count } in a row)
active = active
no-endpoints = No endpoints yet.
events-list = Events: { $events }.
disabled-since-after = Disabled since { $date }, after { $count } failed attempts in a row. The last one:
failing-attempts = Failing: { $count } attempts in a row.
active-sentence = Active.
previous-secret-until = The previous secret still signs until { $date }.
copy-new-secret-now = Copy the new signing secret now: it is not shown again.
old-secret-overlap = The old one keeps signing (a second signature) for a day, so your receiver can switch over.
rotate-secret = Rotate secret
enable = Enable
delete-endpoint = Delete endpoint
deliveries = Deliveries
made = Made
event = Event
attempts = Attempts
last-answer = Last answer
latency = Latency
next-attempt = Next attempt
delivery-status = { $status ->
    [delivered] delivered
    [failed] failed
   *[pending] pending
}
milliseconds = { $n } ms
redeliver = Redeliver
nothing-sent-yet = Nothing sent yet.
older-deliveries = Older deliveries

action = Action
any = Any
who = Who
what = What
subject = Subject
change = Change
from = From
nothing-on-record = Nothing on record.
nothing-for-filter = Nothing on record for this filter.

sso-intro = Your people sign in with your school's own identity provider (OpenID Connect or SAML 2.0): a button per provider on the login page. A first sign-in makes the account, with the role its claims map to; an existing account is linked only when the provider says the email address is verified.
providers = Providers
button = Button
issuer = Issuer
client-id = Client id
roles = Roles
domains = Domains
saml-idp = SAML IdP
give-idp-sp-metadata = Give the IdP this SP metadata:
emails-trusted = emails trusted as verified
emails-not-trusted = emails not trusted
redirect-uri-to-register = Redirect URI to register:
secret-saved = secret saved (not shown)
otherwise-role = otherwise { $role ->
    [admin] admin
    [instructor] instructor
   *[learner] learner
}
any-domain = any
set-by-school-file = set by the school file
remove = Remove
no-providers = No providers yet.
add-or-change-provider = Add or change a provider
oidc-register-help = To change a provider, use its name; leave the secret empty to keep the saved one. Register its redirect URI and post-logout redirect URI:
provider-name-field = Name (in its addresses: lowercase letters, digits, '-')
button-label-field = Button label ("Sign in with …")
issuer-url = Issuer URL
client-secret = Client secret
scopes-field = Scopes (space-separated; empty: openid email profile)
role-claim-field = Role claim (for example groups; empty: everyone gets the default role)
role-map-field = Role map, one "value = role" per line (the highest role matched wins)
default-role = Default role
allowed-domains-field = Allowed email domains (space-separated; empty: any)
save-provider = Save provider
add-or-change-saml = Add or change a SAML 2.0 provider
saml-register-help = Give the IdP the SP metadata (its responses or assertions must be signed with the certificate its metadata names):
idp-metadata-field = IdP metadata (XML)
idp-metadata-url-field = …or the URL it is published at
role-attribute-field = Role attribute (for example groups)
email-trusted-field = This IdP's email addresses are verified (an existing account with the same address is linked)
save-saml-provider = Save SAML provider
sso-only-heading = SSO only
sso-only-field = Sign-up and password sign-in are off; people sign in through a provider.
sso-only-admins = Administrators can still log in with their password (the login page links to it), so the school is never locked out when its provider is down.

edit-title = Edit { $title }
edit-quoted = Edit “{ $title }”
view-page = view page
correct-fields = Please correct the fields marked below.
course-slug-field = Slug (web address; leave empty to derive it from the title)
summary = Summary
description = Description
markdown-note = (Markdown)
tags-field = Tags (comma-separated)
level-field = Level
duration-field = Duration (minutes)
enrollment-cap-field = Enrollment cap (learners; empty: no limit)
enrollment-closes-field = Enrollment closes
utc-empty-never = (UTC; empty: never)
prerequisites-field = Prerequisites (slugs of this school's courses to complete first, comma-separated)
cover-image = Cover image
current-cover = Current cover
create-draft = Create draft
roster-link = Who is enrolled, and how far each has got
announce-heading = Announce to enrolled learners
message = Message
mail-to-learners = Mail it to the learners
publishing = Publishing
published-note = Published: learners see it in the catalog.
unpublish = Unpublish
draft-note = Draft: only instructors and admins see it here.
publish = Publish
sections-and-lessons = Sections and lessons
section-title = Section title
opens-days-after = Opens this many days after enrollment:
days-after-enrollment = Days after enrollment
not-before-utc = not before (UTC)
opening-date-utc = Opening date (UTC)
move-section-up = Move section up
move-section-down = Move section down
delete = Delete
move-lesson-up = Move lesson up
move-lesson-down = Move lesson down
add-a-lesson = Add a lesson
new-section = New section
add-section = Add section
instructors = Instructors
owner-paren = (owner)
assign-instructor = Assign an instructor by email
assign = Assign

new-lesson = New lesson
edit-lesson-quoted = Edit lesson “{ $title }”
lesson-slug-field = Slug (leave empty to derive it from the title)
text = Text
free-preview-field = Free preview (anyone may watch it)
optional-field = Optional (not needed to complete the course)
gift-field = Questions in Moodle's GIFT format
gift-field-note = (leave empty for a text or video lesson)
pass-mark-field = Pass mark (%)
attempts-field = Attempts allowed (empty: no limit)
shuffle-field = Shuffle questions and options
export-gift = Export as GIFT
preview = Preview
not-saved-yet = (not saved yet)
no-questions = No questions: this lesson is not a quiz.
question-type = { $type ->
    [true_false] true false
    [single] single
    [multiple] multiple
    [short] short
   *[numeric] numeric
}
answer-is = Answer:
always-shown = Always shown:
has-hls = This lesson has an HLS ladder.
video = Video
hls-ladder = HLS ladder
hls-note = (a zip of playlists and segments)
remove-video = Remove the video
save-lesson = Save lesson
add-lesson = Add lesson
preview-quiz = Preview quiz questions

languages-offered = Languages the school offers
default-language = Default language (pages and mail for anyone who has not chosen)
accent-colour = Accent colour
accent-colour-help = Buttons show white text on it and links are written in it, so it must reach a contrast of 4.5:1 with both.
formats-image = (JPEG, PNG, WebP, AVIF or GIF)
formats-video = (MP4 or WebM)
saml-acs = its ACS (HTTP-POST):

# The audit log's actions, by their code (`.` written as `-`).
audit-member-role = A member's role changed
audit-member-invited = Someone invited
audit-member-created = Account made from an invitation
audit-learner-suspended = Learner suspended
audit-learner-reinstated = Learner reinstated
audit-learner-removed = Learner removed from a course
audit-learner-exported = Learner's data downloaded
audit-learner-erased = Learner erased
audit-course-published = Course published
audit-course-unpublished = Course unpublished
audit-course-section_deleted = Section deleted
audit-course-lesson_deleted = Lesson deleted
audit-course-instructor_assigned = Instructor assigned
audit-course-instructor_removed = Instructor removed
audit-certificate-revoked = Certificate revoked
audit-certificate-restored = Certificate restored
audit-quiz-imported = Quiz imported
audit-school-created = School created
audit-school-updated = School changed by the operator
audit-school-suspended = School suspended
audit-school-resumed = School resumed
audit-school-exported = School exported
audit-school-imported = School imported
audit-school-restored = School restored from a backup
audit-school-moved = School moved to another database cluster
audit-token-created = API token created
audit-token-revoked = API token revoked
audit-webhook-added = Webhook endpoint added
audit-webhook-rotated = Webhook secret rotated
audit-webhook-enabled = Webhook endpoint enabled
audit-webhook-removed = Webhook endpoint removed
audit-webhook-redelivered = Webhook delivery sent again
audit-sso-provider_added = Identity provider added
audit-sso-provider_changed = Identity provider changed
audit-sso-provider_removed = Identity provider removed
audit-sso-only_changed = SSO-only switch changed
audit-school-look_changed = Languages or colour changed

field-required = Required.
field-at-most-chars = At most { $max } characters.
field-control-chars = Contains control characters.
field-slug-rule = Use lowercase letters, digits and single dashes (at most { $max }).
field-choose-category = Choose one of the school's categories.
field-not-a-tag = “{ $tag }” is not a tag: lowercase letters, digits and dashes.
field-at-most-tags = At most { $max } tags.
field-choose-level = Choose a level.
field-minutes = A whole number of minutes.
field-cap = A whole number of learners, at least 1 (or empty: no limit).
field-closes-at = A date and time, YYYY-MM-DDTHH:MM in UTC (or empty: never).
field-not-a-course-slug = “{ $slug }” is not a course slug: lowercase letters, digits and dashes.
field-at-most-prerequisites = At most { $max } prerequisites.
field-days = A whole number of days from 1 to 3650 (or empty: at once).
field-opens-at = A date and time, YYYY-MM-DDTHH:MM in UTC (or empty).
field-course-slug-taken = Another course already uses this slug.
field-lesson-slug-taken = Another lesson of this course uses this slug.
field-choose-language = Choose the language the course is written in.
course-language-field = Language the course is written in
captions = Captions
captions-field = Captions (WebVTT, one file per language)
captions-lang-field = Language of these captions
captions-existing = Captions of this lesson:
remove-captions = remove
transcript-field = Transcript (optional, shown below the player)

# The GIFT parser's complaints (lesson editor, `eduflow quiz import`), each naming its line.
gift-too-long = line { $line }: The text is longer than { $max } bytes.
gift-too-many-questions = line { $line }: A quiz holds at most { $max } questions.
gift-no-questions = line { $line }: There are no questions.
gift-title-not-closed = line { $line }: The question's title (::title::) is not closed.
gift-no-answers = line { $line }: A question needs its answers in {"{ }"} (descriptions are not supported).
gift-answers-not-closed = line { $line }: The answers' {"{"} is never closed.
gift-one-answer-set = line { $line }: Only one set of answers {"{ }"} per question is supported.
gift-no-text = line { $line }: The question has no text.
gift-weight-syntax = line { $line }: A weight is written %50% (percent between %).
gift-weight-range = line { $line }: A weight is a percentage between -100 and 100.
gift-essay = line { $line }: Essay questions ({"{}"}) are not supported.
gift-matching = line { $line }: Matching questions (->) are not supported.
gift-answer-marks = line { $line }: Answers start with = (right) or ~ (wrong), or the question is T or F.
gift-too-many-answers = line { $line }: A question offers at most { $max } answers.
gift-empty-answer = line { $line }: An answer is empty.
gift-no-right-answer = line { $line }: No answer is right: mark one with =, or give right ones a weight (~%50%).
gift-weights-total = line { $line }: The positive weights of a multiple-answer question add up to 100%, not { $total }%.
gift-one-right-answer = line { $line }: A multiple-choice question has one right answer (=); for several, give weights (~%50%).
gift-not-a-number = line { $line }: “{ $text }” is not a number, a number:tolerance or a range min..max.
gift-numeric-syntax = line { $line }: Numeric answers are written {"{"}#=3.14:0.01 =%50%3:0.5{"}"}.
quiz-pass-mark-invalid = A whole percentage from 0 to 100.
quiz-max-attempts-invalid = A whole number from 1 to 100 (or empty: no limit).

# A sign-in provider's settings, checked alike on /admin/sso and in the school file.
sso-provider-name-invalid = `{ $name }` is not a provider name: 1-40 lowercase letters, digits or '-'
sso-issuer-entity-id = the issuer must be the IdP metadata's entityID
sso-label-length = the button label must be 1-80 characters
sso-issuer-not-url = the issuer is not a URL ({ $reason })
sso-issuer-https = the issuer must be an https:// URL
sso-issuer-no-query = the issuer must have no ?query or #fragment
sso-client-id-length = the client id must be 1-500 characters
sso-client-secret-length = the client secret must be at most 500 characters
sso-scopes-openid = the scopes must include `openid`
sso-scopes-words = scopes are words without spaces
sso-not-a-domain = `{ $domain }` is not an email domain
sso-metadata-not-saml = the IdP metadata is not SAML metadata ({ $reason })
sso-metadata-no-entity = the IdP metadata has no entityID
sso-metadata-no-redirect = the IdP metadata has no HTTP-Redirect SingleSignOnService
sso-metadata-no-certificate = the IdP metadata names no signing certificate
sso-role-line = `{ $line }` is not `claim value = role`
sso-not-a-role = `{ $role }` is not a role (learner, instructor, admin)
