your-courses = Ihre Kurse
new-course = Neuer Kurs
members-and-roles = Mitglieder und Rollen
title = Titel
status = Status
changed = Geändert
published = veröffentlicht
draft = Entwurf
no-courses-yours = Noch keine Kurse.
learners = Lernende
learners-of = Lernende von { $course }
enrolled-count = { $count } eingeschrieben
download-csv = Als CSV herunterladen
enrolled = Eingeschrieben
progress = Fortschritt
last-active = Zuletzt aktiv
done-of-total = { $done } von { $total } ({ $percent } %)
lessons-done-of-total = { $done } von { $total } Lektionen ({ $percent } %)
nobody-enrolled = Noch niemand ist eingeschrieben.
name-or-email = Name oder E-Mail
role = Rolle
role-name = { $role ->
    [admin] Administrator
    [instructor] Lehrkraft
   *[learner] Lernende/r
}
role-yours = { $role ->
    [admin] Administrator
    [instructor] Lehrkraft
   *[learner] Lernende/r
} (Sie)
role-of = Rolle von { $name }
set-role = Rolle setzen
joined = Beigetreten
joined-on = beigetreten am { $date }
suspended = gesperrt
confirmed = bestätigt
unconfirmed = unbestätigt
nobody = Niemand.
nobody-matches = Niemand passt zu „{ $q }“.
next-page = Nächste Seite
address-confirmed-state = Adresse bestätigt
address-not-confirmed-state = Adresse nicht bestätigt
course = Kurs
actions = Aktionen
remove-from-course = Aus dem Kurs entfernen
not-enrolled-anywhere = In keinem Kurs eingeschrieben.
account = Konto
reinstate = Freischalten
suspend-everywhere = Sperren (meldet die Person überall ab)
download-their-data = Ihre Daten herunterladen (JSON)
erase-account-password = Dieses Konto löschen: Ihr Passwort
erase-account = Konto löschen

admin-learners-link = Lernende und ihr Fortschritt
api-tokens = API-Tokens
webhooks = Webhooks
webhook = Webhook
audit-log = Protokoll
school-settings = Schuleinstellungen
invite-someone = Jemanden einladen
invite-courses-field = In Kurse einschreiben (Kürzel, durch Leerzeichen getrennt)
send-invitation = Einladung senden
invite-many = Viele aus einer CSV-Datei einladen
invite-csv-help = Eine Person pro Zeile (Rolle und Kurse optional; Kurse sind durch Leerzeichen getrennte Kürzel; eine Kopfzeile ist erlaubt):
csv-file = CSV-Datei
send-invitations = Einladungen senden
invitations = Einladungen
invitations-sent = { $count ->
    [one] { $count } Einladung gesendet.
   *[other] { $count } Einladungen gesendet.
}
rows-not-sent = { $count ->
    [one] { $count } Zeile nicht gesendet:
   *[other] { $count } Zeilen nicht gesendet:
}
invitations-not-sent = { $count ->
    [one] { $count } Einladung nicht gesendet:
   *[other] { $count } Einladungen nicht gesendet:
}
line = Zeile
reason = Grund
back-to-members = Zurück zu den Mitgliedern

api-intro = Die eigenen Systeme Ihrer Schule rufen die API mit einem Bearer-Token auf. Ein Token gilt nur für diese Schule und nur für das, was seine Berechtigungsbereiche erlauben, bis es abläuft oder widerrufen wird.
copy-token-now = Kopieren Sie dieses Token jetzt: Es wird nicht noch einmal angezeigt.
new-token = Neues Token
token-name = Name (wofür es ist)
scopes = Berechtigungsbereiche
token-days = Läuft ab nach (Tagen; leer: nie)
create-token = Token erstellen
tokens = Tokens
starts-with = Beginnt mit
created = Erstellt
state = Zustand
revoked-on-day = widerrufen am { $date }
expires-on = läuft ab am { $date }
no-expiry = kein Ablauf
revoke = Widerrufen
no-tokens = Noch keine Tokens.

webhooks-intro = Ihre Systeme erfahren, was bei { $school } geschieht: Jedes Ereignis wird als JSON per POST gesendet, nach der Spezifikation Standard Webhooks signiert und wiederholt, bis der Endpunkt mit 2xx antwortet.
copy-secret-now = Kopieren Sie dieses Signaturgeheimnis jetzt: Es wird nicht noch einmal angezeigt.
new-endpoint = Neuer Endpunkt
url = URL
events = Ereignisse
add-endpoint = Endpunkt hinzufügen
endpoints = Endpunkte
disabled-since = deaktiviert am { $date }
failing-in-a-row = fehlerhaft ({ $count } in Folge)
active = aktiv
no-endpoints = Noch keine Endpunkte.
events-list = Ereignisse: { $events }.
disabled-since-after = Deaktiviert seit { $date }, nach { $count } fehlgeschlagenen Versuchen in Folge. Der letzte:
failing-attempts = Fehlerhaft: { $count } Versuche in Folge.
active-sentence = Aktiv.
previous-secret-until = Das vorige Geheimnis signiert noch bis { $date }.
copy-new-secret-now = Kopieren Sie das neue Signaturgeheimnis jetzt: Es wird nicht noch einmal angezeigt.
old-secret-overlap = Das alte signiert noch einen Tag lang mit (eine zweite Signatur), damit Ihr Empfänger umstellen kann.
rotate-secret = Geheimnis erneuern
enable = Aktivieren
delete-endpoint = Endpunkt löschen
deliveries = Zustellungen
made = Erstellt
event = Ereignis
attempts = Versuche
last-answer = Letzte Antwort
latency = Latenz
next-attempt = Nächster Versuch
delivery-status = { $status ->
    [delivered] zugestellt
    [failed] fehlgeschlagen
   *[pending] ausstehend
}
milliseconds = { $n } ms
redeliver = Erneut zustellen
nothing-sent-yet = Noch nichts gesendet.
older-deliveries = Ältere Zustellungen

action = Aktion
any = Alle
who = Wer
what = Was
subject = Betreff
change = Änderung
from = Von
nothing-on-record = Nichts verzeichnet.
nothing-for-filter = Für diesen Filter ist nichts verzeichnet.

sso-intro = Ihre Mitglieder melden sich über den eigenen Identitätsanbieter Ihrer Schule an (OpenID Connect oder SAML 2.0): eine Schaltfläche pro Anbieter auf der Anmeldeseite. Die erste Anmeldung legt das Konto mit der Rolle an, auf die seine Angaben abgebildet werden; ein bestehendes Konto wird nur verknüpft, wenn der Anbieter die E-Mail-Adresse als bestätigt meldet.
providers = Anbieter
button = Schaltfläche
issuer = Aussteller
client-id = Client-ID
roles = Rollen
domains = Domains
saml-idp = SAML-IdP
give-idp-sp-metadata = Geben Sie dem IdP diese SP-Metadaten:
emails-trusted = E-Mail-Adressen gelten als bestätigt
emails-not-trusted = E-Mail-Adressen gelten nicht als bestätigt
redirect-uri-to-register = Zu registrierende Weiterleitungs-URI:
secret-saved = Geheimnis gespeichert (nicht angezeigt)
otherwise-role = sonst { $role ->
    [admin] Administrator
    [instructor] Lehrkraft
   *[learner] Lernende/r
}
any-domain = alle
set-by-school-file = durch die Schuldatei festgelegt
remove = Entfernen
no-providers = Noch keine Anbieter.
add-or-change-provider = Anbieter hinzufügen oder ändern
oidc-register-help = Um einen Anbieter zu ändern, verwenden Sie seinen Namen; lassen Sie das Geheimnis leer, um das gespeicherte zu behalten. Registrieren Sie seine Weiterleitungs-URI und die URI nach der Abmeldung:
provider-name-field = Name (in seinen Adressen: Kleinbuchstaben, Ziffern, '-')
button-label-field = Beschriftung der Schaltfläche („Anmelden mit …“)
issuer-url = URL des Ausstellers
client-secret = Client-Geheimnis
scopes-field = Scopes (durch Leerzeichen getrennt; leer: openid email profile)
role-claim-field = Rollenangabe (zum Beispiel groups; leer: alle erhalten die Standardrolle)
role-map-field = Rollenzuordnung, eine Zeile „Wert = Rolle“ je Eintrag (die höchste passende Rolle gilt)
default-role = Standardrolle
allowed-domains-field = Erlaubte E-Mail-Domains (durch Leerzeichen getrennt; leer: alle)
save-provider = Anbieter speichern
add-or-change-saml = SAML-2.0-Anbieter hinzufügen oder ändern
saml-register-help = Geben Sie dem IdP die SP-Metadaten (seine Antworten oder Zusicherungen müssen mit dem Zertifikat aus seinen Metadaten signiert sein):
idp-metadata-field = IdP-Metadaten (XML)
idp-metadata-url-field = …oder die URL, unter der sie veröffentlicht sind
role-attribute-field = Rollenattribut (zum Beispiel groups)
email-trusted-field = Die E-Mail-Adressen dieses IdP sind bestätigt (ein bestehendes Konto mit derselben Adresse wird verknüpft)
save-saml-provider = SAML-Anbieter speichern
sso-only-heading = Nur Einmalanmeldung
sso-only-field = Registrierung und Anmeldung mit Passwort sind aus; die Mitglieder melden sich über einen Anbieter an.
sso-only-admins = Administratoren können sich weiterhin mit ihrem Passwort anmelden (die Anmeldeseite verlinkt darauf), damit die Schule nie ausgesperrt ist, wenn ihr Anbieter ausfällt.

edit-title = { $title } bearbeiten
edit-quoted = „{ $title }“ bearbeiten
view-page = Seite ansehen
correct-fields = Bitte korrigieren Sie die unten markierten Felder.
course-slug-field = Kürzel (Webadresse; leer lassen, um es aus dem Titel abzuleiten)
summary = Zusammenfassung
description = Beschreibung
markdown-note = (Markdown)
tags-field = Schlagwörter (durch Kommas getrennt)
level-field = Niveau
duration-field = Dauer (Minuten)
enrollment-cap-field = Höchstzahl Einschreibungen (Lernende; leer: unbegrenzt)
enrollment-closes-field = Einschreibung endet
utc-empty-never = (UTC; leer: nie)
prerequisites-field = Voraussetzungen (Kürzel von Kursen dieser Schule, die zuerst abzuschließen sind, durch Kommas getrennt)
cover-image = Titelbild
current-cover = Aktuelles Titelbild
create-draft = Entwurf anlegen
roster-link = Wer eingeschrieben ist und wie weit alle gekommen sind
announce-heading = Ankündigung an die Eingeschriebenen
message = Nachricht
mail-to-learners = An die Lernenden senden
publishing = Veröffentlichung
published-note = Veröffentlicht: Lernende sehen ihn im Katalog.
unpublish = Veröffentlichung zurücknehmen
draft-note = Entwurf: Nur Lehrkräfte und Administratoren sehen ihn hier.
publish = Veröffentlichen
sections-and-lessons = Abschnitte und Lektionen
section-title = Titel des Abschnitts
opens-days-after = Öffnet so viele Tage nach der Einschreibung:
days-after-enrollment = Tage nach der Einschreibung
not-before-utc = frühestens am (UTC)
opening-date-utc = Öffnungsdatum (UTC)
move-section-up = Abschnitt nach oben
move-section-down = Abschnitt nach unten
delete = Löschen
move-lesson-up = Lektion nach oben
move-lesson-down = Lektion nach unten
add-a-lesson = Lektion hinzufügen
new-section = Neuer Abschnitt
add-section = Abschnitt hinzufügen
instructors = Lehrkräfte
owner-paren = (verantwortlich)
assign-instructor = Lehrkraft per E-Mail zuweisen
assign = Zuweisen

new-lesson = Neue Lektion
edit-lesson-quoted = Lektion „{ $title }“ bearbeiten
lesson-slug-field = Kürzel (leer lassen, um es aus dem Titel abzuleiten)
text = Text
free-preview-field = Kostenlose Vorschau (alle dürfen sie ansehen)
optional-field = Optional (für den Kursabschluss nicht nötig)
gift-field = Fragen im GIFT-Format von Moodle
gift-field-note = (leer lassen für eine Text- oder Videolektion)
pass-mark-field = Bestehensgrenze (%)
attempts-field = Erlaubte Versuche (leer: unbegrenzt)
shuffle-field = Fragen und Antworten mischen
export-gift = Als GIFT exportieren
preview = Vorschau
not-saved-yet = (noch nicht gespeichert)
no-questions = Keine Fragen: Diese Lektion ist kein Quiz.
question-type = { $type ->
    [true_false] wahr/falsch
    [single] Einfachauswahl
    [multiple] Mehrfachauswahl
    [short] Kurzantwort
   *[numeric] numerisch
}
answer-is = Antwort:
always-shown = Immer angezeigt:
has-hls = Diese Lektion hat eine HLS-Leiter.
video = Video
hls-ladder = HLS-Leiter
hls-note = (ein ZIP aus Playlists und Segmenten)
remove-video = Video entfernen
save-lesson = Lektion speichern
add-lesson = Lektion hinzufügen
preview-quiz = Quizfragen in der Vorschau ansehen

languages-offered = Sprachen, die die Schule anbietet
default-language = Standardsprache (Seiten und E-Mails für alle, die keine gewählt haben)
accent-colour = Akzentfarbe
accent-colour-help = Schaltflächen zeigen weiße Schrift darauf und Links werden in ihr geschrieben, daher muss sie zu beidem einen Kontrast von 4,5:1 erreichen.
formats-image = (JPEG, PNG, WebP, AVIF oder GIF)
formats-video = (MP4 oder WebM)
saml-acs = sein ACS (HTTP-POST):

# The audit log's actions, by their code (`.` written as `-`).
audit-member-role = Rolle eines Mitglieds geändert
audit-member-invited = Jemand eingeladen
audit-member-created = Konto aus einer Einladung angelegt
audit-learner-suspended = Lernende/r gesperrt
audit-learner-reinstated = Lernende/r freigeschaltet
audit-learner-removed = Lernende/r aus einem Kurs entfernt
audit-learner-exported = Daten einer lernenden Person heruntergeladen
audit-learner-erased = Lernende/r gelöscht
audit-course-published = Kurs veröffentlicht
audit-course-unpublished = Kursveröffentlichung zurückgenommen
audit-course-section_deleted = Abschnitt gelöscht
audit-course-lesson_deleted = Lektion gelöscht
audit-course-instructor_assigned = Lehrkraft zugewiesen
audit-course-instructor_removed = Lehrkraft entfernt
audit-certificate-revoked = Zertifikat widerrufen
audit-certificate-restored = Zertifikat wiederhergestellt
audit-quiz-imported = Quiz importiert
audit-school-created = Schule angelegt
audit-school-updated = Schule vom Betreiber geändert
audit-school-suspended = Schule gesperrt
audit-school-resumed = Schule wieder geöffnet
audit-school-exported = Schule exportiert
audit-school-imported = Schule importiert
audit-school-restored = Schule aus einer Sicherung wiederhergestellt
audit-school-moved = Schule auf einen anderen Datenbank-Cluster verschoben
audit-token-created = API-Token erstellt
audit-token-revoked = API-Token widerrufen
audit-webhook-added = Webhook-Endpunkt hinzugefügt
audit-webhook-rotated = Webhook-Geheimnis erneuert
audit-webhook-enabled = Webhook-Endpunkt aktiviert
audit-webhook-removed = Webhook-Endpunkt entfernt
audit-webhook-redelivered = Webhook-Zustellung erneut gesendet
audit-sso-provider_added = Identitätsanbieter hinzugefügt
audit-sso-provider_changed = Identitätsanbieter geändert
audit-sso-provider_removed = Identitätsanbieter entfernt
audit-sso-only_changed = Schalter „Nur Einmalanmeldung“ geändert
audit-school-look_changed = Sprachen oder Farbe geändert

field-required = Pflichtfeld.
field-at-most-chars = Höchstens { $max } Zeichen.
field-control-chars = Enthält Steuerzeichen.
field-slug-rule = Verwenden Sie Kleinbuchstaben, Ziffern und einzelne Bindestriche (höchstens { $max }).
field-choose-category = Wählen Sie eine der Kategorien der Schule.
field-not-a-tag = „{ $tag }“ ist kein Schlagwort: Kleinbuchstaben, Ziffern und Bindestriche.
field-at-most-tags = Höchstens { $max } Schlagwörter.
field-choose-level = Wählen Sie ein Niveau.
field-minutes = Eine ganze Zahl von Minuten.
field-cap = Eine ganze Zahl von Lernenden, mindestens 1 (oder leer: unbegrenzt).
field-closes-at = Datum und Uhrzeit, JJJJ-MM-TTTHH:MM in UTC (oder leer: nie).
field-not-a-course-slug = „{ $slug }“ ist kein Kurskürzel: Kleinbuchstaben, Ziffern und Bindestriche.
field-at-most-prerequisites = Höchstens { $max } Voraussetzungen.
field-days = Eine ganze Zahl von Tagen von 1 bis 3650 (oder leer: sofort).
field-opens-at = Datum und Uhrzeit, JJJJ-MM-TTTHH:MM in UTC (oder leer).
field-course-slug-taken = Ein anderer Kurs verwendet dieses Kürzel bereits.
field-lesson-slug-taken = Eine andere Lektion dieses Kurses verwendet dieses Kürzel.
field-choose-language = Wählen Sie die Sprache, in der der Kurs geschrieben ist.
course-language-field = Sprache, in der der Kurs geschrieben ist
captions = Untertitel
captions-field = Untertitel (WebVTT, eine Datei pro Sprache)
captions-lang-field = Sprache dieser Untertitel
captions-existing = Untertitel dieser Lektion:
remove-captions = entfernen
transcript-field = Transkript (optional, unter dem Player angezeigt)

# The GIFT parser's complaints (lesson editor, `eduflow quiz import`), each naming its line.
gift-too-long = Zeile { $line }: Der Text ist länger als { $max } Bytes.
gift-too-many-questions = Zeile { $line }: Ein Quiz enthält höchstens { $max } Fragen.
gift-no-questions = Zeile { $line }: Es gibt keine Fragen.
gift-title-not-closed = Zeile { $line }: Der Titel der Frage (::title::) ist nicht geschlossen.
gift-no-answers = Zeile { $line }: Eine Frage braucht ihre Antworten in {"{ }"} (Beschreibungen werden nicht unterstützt).
gift-answers-not-closed = Zeile { $line }: Die {"{"} der Antworten wird nie geschlossen.
gift-one-answer-set = Zeile { $line }: Pro Frage wird nur ein Antwortblock {"{ }"} unterstützt.
gift-no-text = Zeile { $line }: Die Frage hat keinen Text.
gift-weight-syntax = Zeile { $line }: Eine Gewichtung wird %50% geschrieben (Prozent zwischen %).
gift-weight-range = Zeile { $line }: Eine Gewichtung ist ein Prozentsatz zwischen -100 und 100.
gift-essay = Zeile { $line }: Freitextfragen ({"{}"}) werden nicht unterstützt.
gift-matching = Zeile { $line }: Zuordnungsfragen (->) werden nicht unterstützt.
gift-answer-marks = Zeile { $line }: Antworten beginnen mit = (richtig) oder ~ (falsch), oder die Frage ist T oder F.
gift-too-many-answers = Zeile { $line }: Eine Frage bietet höchstens { $max } Antworten.
gift-empty-answer = Zeile { $line }: Eine Antwort ist leer.
gift-no-right-answer = Zeile { $line }: Keine Antwort ist richtig: Markieren Sie eine mit = oder geben Sie den richtigen eine Gewichtung (~%50%).
gift-weights-total = Zeile { $line }: Die positiven Gewichtungen einer Frage mit mehreren Antworten ergeben zusammen 100 %, nicht { $total } %.
gift-one-right-answer = Zeile { $line }: Eine Multiple-Choice-Frage hat eine richtige Antwort (=); für mehrere vergeben Sie Gewichtungen (~%50%).
gift-not-a-number = Zeile { $line }: „{ $text }“ ist weder eine Zahl noch Zahl:Toleranz noch ein Bereich min..max.
gift-numeric-syntax = Zeile { $line }: Numerische Antworten werden {"{"}#=3.14:0.01 =%50%3:0.5{"}"} geschrieben.
quiz-pass-mark-invalid = Ein ganzer Prozentsatz von 0 bis 100.
quiz-max-attempts-invalid = Eine ganze Zahl von 1 bis 100 (oder leer: keine Grenze).

# A sign-in provider's settings, checked alike on /admin/sso and in the school file.
sso-provider-name-invalid = `{ $name }` ist kein Anbietername: 1–40 Kleinbuchstaben, Ziffern oder '-'
sso-issuer-entity-id = Der Aussteller muss die entityID der IdP-Metadaten sein
sso-label-length = Die Beschriftung der Schaltfläche hat 1–80 Zeichen
sso-issuer-not-url = Der Aussteller ist keine URL ({ $reason })
sso-issuer-https = Der Aussteller muss eine https://-URL sein
sso-issuer-no-query = Der Aussteller darf kein ?query und kein #fragment haben
sso-client-id-length = Die Client-ID hat 1–500 Zeichen
sso-client-secret-length = Das Client-Geheimnis hat höchstens 500 Zeichen
sso-scopes-openid = Die Scopes müssen `openid` enthalten
sso-scopes-words = Scopes sind Wörter ohne Leerzeichen
sso-not-a-domain = `{ $domain }` ist keine E-Mail-Domain
sso-metadata-not-saml = Die IdP-Metadaten sind keine SAML-Metadaten ({ $reason })
sso-metadata-no-entity = Die IdP-Metadaten haben keine entityID
sso-metadata-no-redirect = Die IdP-Metadaten haben keinen SingleSignOnService für HTTP-Redirect
sso-metadata-no-certificate = Die IdP-Metadaten nennen kein Signaturzertifikat
sso-role-line = `{ $line }` hat nicht die Form `Claim-Wert = Rolle`
sso-not-a-role = `{ $role }` ist keine Rolle (learner, instructor, admin)
