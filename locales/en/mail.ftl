# Mail: subjects, plain-text bodies and HTML bodies share these.

mail-hello = Hello { $name },
mail-sent-by = Sent by
mail-or-open = Or open this link:
mail-verify-subject = Confirm your email address for { $school }
mail-verify-body = Please confirm that { $email } is your email address at { $school }:
mail-verify-button = Confirm my address
mail-verify-footer = The link works for 7 days. If you did not sign up, you can ignore this mail.
mail-reset-subject = Reset your password at { $school }
mail-reset-body = Someone (we hope you) asked to reset the password of your account at { $school }. Choose a new one here:
mail-reset-button = Choose a new password
mail-reset-footer = The link works once, for 30 minutes. If you did not ask, ignore this mail: your password stays as it is.
mail-email-change-subject = Confirm your new email address at { $school }
mail-email-change-body = Please confirm that your account at { $school } should use { $email } from now on:
mail-email-change-button = Use this address
mail-email-change-footer = The link works for 24 hours. Until you open it, your account keeps its current address.
mail-invite-subject = You are invited to { $school }
mail-invite-body = { $inviter } invited you to { $school } as { $role ->
    [admin] admin
    [instructor] instructor
   *[learner] learner
}.
mail-invite-courses = You will be enrolled in: { $courses }.
mail-invite-create = Create your account here:
mail-invite-button = Accept the invitation
mail-invite-footer = The invitation works for 14 days.
mail-enrollment-subject = You are enrolled in { $course }
mail-enrollment-body = You are enrolled in { $course } at { $school }. Start learning here:
mail-enrollment-button = Start learning
mail-announcement-signature = { $author }, { $course } at { $school }
mail-announcement-why = You get this because you are enrolled in { $course }.
mail-announcement-unsubscribe = Unsubscribe from its announcements
mail-webhook-subject = A webhook endpoint of { $school } was disabled
mail-webhook-body = EduFlow stopped sending events to { $url } after { $count } failed attempts in a row. The last one: { $reason }
mail-webhook-kept = Events are kept while it is disabled. Once the endpoint works again, enable it here and they will be delivered:
mail-webhook-button = See the endpoint
