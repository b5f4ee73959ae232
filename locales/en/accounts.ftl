# Signing up, logging in, passwords and the account page.

title-sign-up = Sign up · { $school }
title-log-in = Log in · { $school }
signup-heading = Create your { $school } account
signup-sso-only = { $school } signs its people in with its own provider: use the button above. Your account is made the first time.
field-name = Name
field-email = Email
field-password = Password
password-rule = (at least 10 characters)
have-account = Already have an account?
login-heading = Log in to { $school }
login-admins-can = Administrators can
login-with-password = log in with a password
login-password-for-admins = Password sign-in here is for the school's administrators.
login-or-password = Or log in with your email and password:
forgot-password = Forgot your password?
new-here = New here?
create-account = Create an account
sso-list = Single sign-on
sso-sign-in-with = Sign in with { $provider }

reset-sent = If { $email } has an account at { $school }, a link to choose a new password is on its way. It works once, for 30 minutes.
forgot-intro = Enter the email address of your account and we will mail you a link to choose a new password.
mail-me-a-link = Mail me a link
back-to-log-in = Back to log in
choose-new-password = Choose a new password
reset-for = For { $email } at { $school }. Every device signed in to this account will be signed out.
field-new-password = New password
set-my-password = Set my password

your-account = Your account
email-confirmed = Your email address is confirmed.
email-unconfirmed = Your email address is not confirmed yet.
email-unconfirmed-required = Your email address is not confirmed yet: { $school } asks you to confirm it before you enroll.
new-link-on-its-way = A new link is on its way.
mail-me-a-new-link = Mail me a new link
language = Language
language-choice = The language of your pages and mail
save = Save
change-email = Change your email address
email-change-sent = A confirmation link is on its way to the new address. Until it is opened, your account keeps { $email }.
field-new-address = New address
field-your-password = Your password
send-confirmation-link = Send a confirmation link
your-data = Your data
download-my-data = Download everything { $school } holds about you (JSON)
delete-account-password = Delete my account: enter your password
delete-account-for-good = Delete my account for good

join-school = Join { $school }
invited-as = You are invited as { $role ->
    [admin] admin
    [instructor] instructor
   *[learner] learner
} with { $email }.
invited-courses = You will be enrolled in { $count ->
    [one] { $count } course
   *[other] { $count } courses
}.
field-choose-password = Choose a password
create-my-account = Create my account

unsubscribe = Unsubscribe
unsubscribe-heading = Unsubscribe from announcements
unsubscribe-question = Stop receiving this course's announcements by email? You stay enrolled.
signed-out = Signed out
signed-out-of = You are signed out of { $school }
signing-out-of-provider = Now signing you out of { $provider } too.
if-nothing-happens = If nothing happens,
continue-to = continue to { $provider }
back-to = Back to { $school }

invitation-gone-title = This invitation no longer works
invitation-gone = It was accepted already, or has expired. Ask the school for a new one.
account-deleted-title = Your account is deleted
account-deleted = Everything that said who you were is gone from this school.
address-confirmed-title = Address confirmed
address-confirmed = Thank you: your email address is confirmed.
link-gone-title = This link no longer works
verify-link-gone = It was used already, or has expired. Log in and ask for a new one from your account page.
address-changed-title = Address changed
address-changed = Your account uses the new address from now on.
address-taken-title = Address taken
address-taken = Another account here uses that address now; yours was not changed.
email-link-gone = It was used already, or has expired. Ask again from your account page.
reset-link-gone = A reset link works once, for 30 minutes. Ask for a new one from the log-in page.
unsubscribed-title = Unsubscribed
unsubscribed = You will get no more announcements from this course.
error-language-not-offered = Choose one of the school's languages.
notice-password-changed = Your password was changed, and every device was signed out. Log in with the new one.
