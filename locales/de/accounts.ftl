title-sign-up = Registrieren · { $school }
title-log-in = Anmelden · { $school }
signup-heading = Ihr Konto bei { $school } anlegen
signup-sso-only = { $school } meldet seine Mitglieder über einen eigenen Anbieter an: Verwenden Sie die Schaltfläche oben. Ihr Konto wird beim ersten Mal angelegt.
field-name = Name
field-email = E-Mail
field-password = Passwort
password-rule = (mindestens 10 Zeichen)
have-account = Sie haben schon ein Konto?
login-heading = Bei { $school } anmelden
login-admins-can = Administratoren können sich
login-with-password = mit einem Passwort anmelden
login-password-for-admins = Die Anmeldung mit Passwort ist hier den Administratoren der Schule vorbehalten.
login-or-password = Oder melden Sie sich mit E-Mail und Passwort an:
forgot-password = Passwort vergessen?
new-here = Neu hier?
create-account = Konto anlegen
sso-list = Einmalanmeldung
sso-sign-in-with = Anmelden mit { $provider }

reset-sent = Wenn { $email } ein Konto bei { $school } hat, ist ein Link zum Festlegen eines neuen Passworts unterwegs. Er funktioniert einmal, 30 Minuten lang.
forgot-intro = Geben Sie die E-Mail-Adresse Ihres Kontos ein, und wir senden Ihnen einen Link, mit dem Sie ein neues Passwort festlegen.
mail-me-a-link = Link zusenden
back-to-log-in = Zurück zur Anmeldung
choose-new-password = Neues Passwort festlegen
reset-for = Für { $email } bei { $school }. Alle Geräte, die mit diesem Konto angemeldet sind, werden abgemeldet.
field-new-password = Neues Passwort
set-my-password = Passwort speichern

your-account = Ihr Konto
email-confirmed = Ihre E-Mail-Adresse ist bestätigt.
email-unconfirmed = Ihre E-Mail-Adresse ist noch nicht bestätigt.
email-unconfirmed-required = Ihre E-Mail-Adresse ist noch nicht bestätigt: { $school } bittet Sie, sie vor der Einschreibung zu bestätigen.
new-link-on-its-way = Ein neuer Link ist unterwegs.
mail-me-a-new-link = Neuen Link zusenden
language = Sprache
language-choice = Die Sprache Ihrer Seiten und E-Mails
save = Speichern
change-email = E-Mail-Adresse ändern
email-change-sent = Ein Bestätigungslink ist an die neue Adresse unterwegs. Bis er geöffnet wird, behält Ihr Konto { $email }.
field-new-address = Neue Adresse
field-your-password = Ihr Passwort
send-confirmation-link = Bestätigungslink senden
your-data = Ihre Daten
download-my-data = Alles herunterladen, was { $school } über Sie speichert (JSON)
delete-account-password = Mein Konto löschen: Passwort eingeben
delete-account-for-good = Mein Konto endgültig löschen

join-school = { $school } beitreten
invited-as = Sie sind als { $role ->
    [admin] Administrator
    [instructor] Lehrkraft
   *[learner] Lernende/r
} mit { $email } eingeladen.
invited-courses = Sie werden in { $count ->
    [one] { $count } Kurs
   *[other] { $count } Kurse
} eingeschrieben.
field-choose-password = Passwort wählen
create-my-account = Mein Konto anlegen

unsubscribe = Abbestellen
unsubscribe-heading = Ankündigungen abbestellen
unsubscribe-question = Keine Ankündigungen dieses Kurses mehr per E-Mail erhalten? Sie bleiben eingeschrieben.
signed-out = Abgemeldet
signed-out-of = Sie sind von { $school } abgemeldet
signing-out-of-provider = Sie werden jetzt auch bei { $provider } abgemeldet.
if-nothing-happens = Falls nichts passiert,
continue-to = weiter zu { $provider }
back-to = Zurück zu { $school }

invitation-gone-title = Diese Einladung gilt nicht mehr
invitation-gone = Sie wurde bereits angenommen oder ist abgelaufen. Bitten Sie die Schule um eine neue.
account-deleted-title = Ihr Konto ist gelöscht
account-deleted = Alles, was Sie bei dieser Schule identifiziert hat, ist entfernt.
address-confirmed-title = Adresse bestätigt
address-confirmed = Danke: Ihre E-Mail-Adresse ist bestätigt.
link-gone-title = Dieser Link gilt nicht mehr
verify-link-gone = Er wurde bereits verwendet oder ist abgelaufen. Melden Sie sich an und fordern Sie auf Ihrer Kontoseite einen neuen an.
address-changed-title = Adresse geändert
address-changed = Ihr Konto verwendet ab jetzt die neue Adresse.
address-taken-title = Adresse vergeben
address-taken = Ein anderes Konto hier verwendet diese Adresse inzwischen; Ihre wurde nicht geändert.
email-link-gone = Er wurde bereits verwendet oder ist abgelaufen. Fordern Sie auf Ihrer Kontoseite einen neuen an.
reset-link-gone = Ein Link zum Zurücksetzen funktioniert einmal, 30 Minuten lang. Fordern Sie auf der Anmeldeseite einen neuen an.
unsubscribed-title = Abbestellt
unsubscribed = Sie erhalten keine Ankündigungen dieses Kurses mehr.
error-language-not-offered = Wählen Sie eine der Sprachen der Schule.
notice-password-changed = Ihr Passwort wurde geändert, und alle Geräte wurden abgemeldet. Melden Sie sich mit dem neuen an.
