# Errors and refusals: what a person reads on an error page or in an API error's `error`.
# Each id is also the error's `code` in the API, the same in every language.

error-a-course-cannot-require-itself = A course cannot require itself.
error-a-quiz-is-complete-when = A quiz is complete when it is passed.
error-a-quiz-is-complete-when-2 = A quiz is complete when you pass it.
error-account-suspended = This account is suspended. Contact { $school } to have it reinstated.
error-add-an-identity-provider-before = Add an identity provider before turning password sign-in off.
error-after-is-not-a-mark = after is not a mark this API gave.
error-an-account-with-this-address = An account with this address exists already: log in instead.
error-another-account-here-uses-that = Another account here uses that address.
error-another-account-here-uses-that-2 = Another account here uses that address now; yours was not changed.
error-another-request-created-this-account = Another request created this account at the same moment; retry.
error-avif-source = { $name } is an AVIF image, which EduFlow cannot read yet: upload a JPEG, PNG, GIF or WebP (visitors still receive AVIF versions of it).
error-busy = the service is busy, please retry shortly
error-choose-a-csv-file = Choose a CSV file.
error-choose-a-default-role = Choose a default role.
error-choose-at-least-one-event = Choose at least one event.
error-choose-at-least-one-scope = Choose at least one scope.
error-choose-learner-instructor-or-admin = Choose learner, instructor or admin.
error-choose-suspend-or-reinstate = Choose suspend or reinstate.
error-client-secret = Enter the client secret.
error-complete-first = Complete { $courses } first.
error-confirm-your-email-address-before = Confirm your email address before enrolling: open the link we mailed you, or ask for a new one on your account page (/account).
error-course-is-not-a-course = course is not a course slug.
error-delete-your-own-account-from = Delete your own account from your account page.
error-discovery-unreadable = The issuer's discovery document could not be read: { $reason }
error-email-is-not-an-email = email is not an email address.
error-endpoint-not-added = The endpoint was not added: { $reason }.
error-enroll-in-the-course-to = Enroll in the course to take its quizzes.
error-enroll-in-the-course-to-2 = Enroll in the course to record your progress.
error-enrollment-in-this-course-has = Enrollment in this course has closed.
error-enter-a-valid-email-address = Enter a valid email address.
error-expiry-is-a-number-of = Expiry is a number of days from 1 to 3650, or empty for none.
error-field-too-long = The field { $field } is too long.
error-file-empty = { $name } is empty.
error-file-too-large = The file is larger than { $kib } KiB.
error-form-unreadable = The form could not be read: { $reason }
error-give-at-most-one-category = give at most one category
error-give-either-after-or-before = give either `after` or `before`, not both
error-hls-damaged = The HLS archive is damaged.
error-hls-missing-file = { $name } refers to { $uri }, which is not in the archive.
error-hls-not-playlist = { $name } is not an HLS playlist (no #EXTM3U).
error-hls-not-text = { $name } is not a text playlist.
error-hls-not-zip = The HLS archive is not a readable zip.
error-hls-one-master = The HLS archive needs exactly one master playlist (with #EXT-X-STREAM-INF).
error-hls-playlist-too-large = { $name } is over 1 MiB.
error-hls-stray-file = { $name } is not part of an HLS ladder (playlists and .ts, .m4s, .mp4, .m4a, .aac or .vtt segments).
error-hls-too-large = The unpacked HLS ladder is over the { $mib } MiB limit.
error-hls-too-many-files = The HLS archive has over { $max } files.
error-hls-unpack = { $name } could not be unpacked.
error-hls-unsafe-path = { $name } is not a safe path.
error-hls-unterminated-uri = A playlist has an unterminated URI.
error-idp-metadata-missing = Paste the IdP's metadata, or give its URL.
error-idp-metadata-unreadable = The IdP metadata could not be read from { $url }: { $reason }
error-image-too-big = { $name } is { $width }×{ $height } pixels; images may have at most 50 megapixels and { $side } pixels a side.
error-image-unreadable = { $name } is not a readable image.
error-image-width = the width must be one of { $widths }
error-internal = internal error
error-invitation-not-sent = The invitation was not sent: { $reason }.
error-is-a-learner = { $email } is a learner; an admin must make them an instructor first.
error-json-unreadable = The JSON body could not be read: { $reason }
error-learner-must-complete = The learner must complete { $courses } first.
error-lesson-is-not-a-lesson = lesson is not a lesson slug.
error-lesson-opens-on = This lesson opens on { $date }.
error-limit-is-between-1-and = limit is between 1 and 500.
error-limit-range = limit must be a number from 1 to { $max }
error-malformed-page-cursor = malformed page cursor
error-media-too-large = That { $kind ->
    [image] image
    [video] video
   *[hls] HLS archive
} is too large: the limit is { $mib } MiB.
error-name-is-1-to-100 = name is 1 to 100 characters.
error-name-the-token-1-to = Name the token (1 to 100 characters).
error-no-account-has-this-email = No account has this email address here.
error-no-course-here = no course { $course } at that school
error-no-course-named = There is no course “{ $course }” at this school.
error-no-published-course-has-this = No published course has this slug here.
error-no-school-here = there is no school at this address
error-no-such-course-at-that = no such course at that school
error-no-such-lesson-in-a = No such lesson in a published course here.
error-no-such-school = no such school
error-nobody-has-email = Nobody at this school has the email { $email }.
error-not-a-tag = `{ $tag }` is not a tag
error-not-found = not found
error-only-admins-and-the-course = Only admins and the course's owner assign instructors.
error-only-jpeg-png-webp-avif = Only JPEG, PNG, WebP, AVIF or GIF images, MP4 or WebM video, or a zip of an HLS ladder can be uploaded.
error-only-the-school-s-admins = Only the school's admins revoke certificates.
error-only-the-school-s-admins-2 = Only the school's admins manage members.
error-only-the-school-s-instructors = Only the school's instructors and admins can author courses.
error-only-this-course-s-instructors = Only this course's instructors and the school's admins can edit it.
error-q-is-at-most-100 = q is at most 100 characters.
error-query = Query: { $reason }.
error-quiz-attempts-used = You have used all { $count ->
    [one] { $count } attempt
   *[other] { $count } attempts
} at this quiz.
error-role-is-learner-instructor-or = role is learner, instructor or admin.
error-search-for-at-most-100 = Search for at most 100 characters.
error-search-too-long = the search is limited to { $max } characters
error-seconds-must-be-a-whole = seconds must be a whole number from 0 to 86400
error-sign-in-first = sign in first
error-slug-taken = Another course or lesson here already uses this slug.
error-sso-did-not-work = Signing in did not work ({ $reason }). Go back to the login page and try again.
error-sso-misconfigured = The school's sign-in service is misconfigured.
error-sso-only = { $school } signs its people in with its own provider. Use the sign-in button on the login page.
error-sso-unreachable = The school's sign-in service could not be reached. Try again in a moment.
error-suspended = { $school } is closed for now. Please come back later.
error-that-is-already-your-address = That is already your address.
error-that-is-not-your-password = That is not your password; nothing was deleted.
error-that-is-not-your-password-2 = That is not your password; your account was not deleted.
error-that-is-not-your-password-3 = That is not your password; your address was not changed.
error-that-page-does-not-exist = That page does not exist.
error-the-address-contains-a-control = The address contains a control character.
error-the-form-contains-characters-that = The form contains characters that cannot be stored (a NUL or another control character).
error-the-form-has-too-many = The form has too many fields.
error-the-form-is-not-valid = The form is not valid UTF-8.
error-the-form-is-too-large = The form is too large.
error-the-learner-is-not-enrolled = The learner is not enrolled in this course.
error-the-provider-did-not-share = The provider did not share an email address, which an account needs.
error-the-reason-is-at-most = The reason is at most 500 characters.
error-the-search-cannot-contain-control = the search cannot contain control characters
error-the-source-image-cannot-be = The source image cannot be decoded.
error-the-title-has-1-to = the title has 1 to 200 characters
error-there-is-no-such-action = There is no such action to filter by.
error-this-certificate-was-revoked-see = This certificate was revoked; see its verification page.
error-this-course-is-full = This course is full.
error-this-form-has-expired-reload = This form has expired; reload the page and try again.
error-this-form-was-not-sent = This form was not sent from this school's own pages.
error-this-media-link-is-invalid = This media link is invalid or has expired; reload the page.
error-this-provider-is-set-by = This provider is set by the school's file; the operator changes it there.
error-this-provider-is-set-by-2 = This provider is set by the school's file; the operator removes it there.
error-title-400 = Bad request
error-title-401 = Sign in first
error-title-403 = Forbidden
error-title-404 = Not found
error-title-409 = Not possible
error-title-413 = Too large
error-title-415 = Unsupported file
error-title-422 = Cannot use this file
error-title-429 = Too many attempts
error-title-500 = Something went wrong
error-title-502 = Not reachable
error-title-503 = Busy
error-title-closed = Closed for now
error-token-lacks-scope = This token lacks the scope { $scope }.
error-too-many-minutes = too many requests; try again in { $n } minutes
error-too-many-seconds = too many requests; try again in { $n ->
    [one] { $n } second
   *[other] { $n } seconds
}
error-too-many-tags = filter by at most { $max } tags
error-type-mismatch = The file says it is { $declared } but its contents are { $actual }.
error-type-undeclared = The file says it is of no type but its contents are { $actual }.
error-unknown-category = unknown category `{ $category }`
error-unknown-instructor-action = Unknown instructor action.
error-unknown-lesson-action = Unknown lesson action.
error-unknown-section-action = Unknown section action.
error-write-a-subject-of-1 = Write a subject of 1-200 characters on one line.
error-write-the-announcement-up-to = Write the announcement (up to 20,000 characters).
error-wrong-media-kind = { $name } is not { $kind ->
    [image] an image
    [video] a video
   *[hls] an HLS archive
}.
error-you-cannot-change-your-own = You cannot change your own role; ask another admin.
error-you-cannot-suspend-yourself = You cannot suspend yourself.
home = Home
plain = { $text }
error-default-language-offered = Offer at least one language, the default among them.
error-accent-not-hex = Choose the accent colour as #rrggbb.
error-accent-too-light = This colour is too light to read: white text on it and links in it reach { $ratio }:1, and 4.5:1 is needed. { $suggestion } is the same colour, darkened enough.
error-password-short = Use at least 10 characters.
error-password-long = Use at most 128 characters.
error-password-common = This password is too common; choose another.
error-enter-your-name = Enter your name (up to 100 characters).
error-email-or-password = Email or password is incorrect.
error-not-a-language = `{ $language }` is not a language tag
error-captions-too-large = A captions file may weigh at most { $kib } KiB.
error-captions-not-utf8 = The captions file is not UTF-8 text.
error-captions-not-webvtt = The captions file is not WebVTT: its first line must be WEBVTT.
error-captions-timing = The captions file's line { $line } has a cue timing that does not read (HH:MM:SS.mmm --> HH:MM:SS.mmm, the end after the start).
error-captions-no-cues = The captions file has no cues.
error-captions-language = Say which language the captions are in.

# Sign-in refusals (single sign-on).
sso-domain-not-allowed = Accounts at { $domain } cannot sign in to this school through { $provider }.
sso-email-unconfirmed = An account with { $email } exists here, and { $provider } does not confirm that this address is yours. Log in with your password instead.
sso-account-suspended = This account is suspended. Contact the school to have it reinstated.

# A school's learning record store (xAPI), set by the operator.
error-lrs-endpoint = The LRS endpoint is not usable: { $reason }
