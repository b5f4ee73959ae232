skip-to-content = Zum Inhalt springen
nav-main = Hauptmenü
nav-courses = Kurse
nav-languages = Sprachen
nav-authoring = Kurse bearbeiten
nav-members = Mitglieder
footer-powered = { $school } · betrieben mit EduFlow
my-learning = Mein Lernen
log-in = Anmelden
log-out = Abmelden
sign-up = Registrieren
list-separator = {", "}
pages = Seiten
previous = Zurück
next = Weiter
lessons = Lektionen
tags = Schlagwörter
percent = { $n } %

title-courses = Kurse · { $school }
title-my-learning = Mein Lernen · { $school }
search-courses = Kurse durchsuchen
search-placeholder = Was möchten Sie lernen?
search = Suchen
categories = Kategorien
category = Kategorie
all-categories = Alle Kategorien
newest-courses = Neueste Kurse
browse-all-courses = Alle Kurse ansehen
no-courses-yet = Noch keine Kurse – schauen Sie bald wieder vorbei.
filter = Filtern
clear-filters = Filter zurücksetzen
tagged = Schlagwörter:
no-courses-match = Keine Kurse passen zu diesen Filtern.

level = { $level ->
    [beginner] Einsteiger
    [intermediate] Fortgeschrittene
    [advanced] Experten
   *[other] { $level }
}
duration-minutes = { $minutes } Min.
card-requires = Voraussetzung:
course-requires = Zuerst abzuschließen:
curriculum = Lehrplan
curriculum-empty = Der Lehrplan wird gerade geschrieben.
drip-days = Öffnet { $days ->
    [one] { $days } Tag
   *[other] { $days } Tage
} nach Ihrer Einschreibung.
drip-date = Öffnet am { $date }.
drip-days-and-date = Öffnet { $days ->
    [one] { $days } Tag
   *[other] { $days } Tage
} nach Ihrer Einschreibung, frühestens am { $date }.
lesson-kind = { $kind ->
    [video] Video
    [quiz] Quiz
   *[text] Text
}
lesson-count = { $count ->
    [one] { $count } Lektion
   *[other] { $count } Lektionen
}
optional = optional
free-preview = kostenlose Vorschau
free-preview-label = Kostenlose Vorschau

log-in-to-enroll = Zum Einschreiben anmelden
enroll = Einschreiben
unenroll = Abmelden vom Kurs
continue = Weiterlernen
you-are-enrolled = Sie sind eingeschrieben.
lessons-complete-of = { $done } von { $total } Lektionen abgeschlossen.
lessons-open-on = { $count ->
    [one] { $count } Lektion öffnet
   *[other] { $count } Lektionen öffnen
} am { $date }.
dashboard-empty = Sie sind noch in keinem Kurs eingeschrieben.
browse-the-catalog = Zum Kurskatalog.
lessons-complete-label = { $total ->
    [one] Lektion abgeschlossen
   *[other] Lektionen abgeschlossen
}
course-complete = Kurs abgeschlossen
finished = Fertig
download-certificate = Zertifikat herunterladen
verification-page = Prüfseite

lesson-position = Lektion { $position } von { $total }
completed = Abgeschlossen
mark-complete = Als abgeschlossen markieren

quiz-pass-mark = Bestehensgrenze { $mark } %.
quiz-attempts-allowed = { $count ->
    [one] { $count } Versuch erlaubt
   *[other] { $count } Versuche erlaubt
}
quiz-attempts-left = , { $count } übrig
quiz-unlimited = Unbegrenzte Versuche.
quiz-you-passed = Sie haben dieses Quiz bestanden.
quiz-your-attempts = Ihre Versuche
score = Ergebnis
result = Auswertung
when = Wann
passed = Bestanden
not-passed = Nicht bestanden
quiz-staff-view = Sie sehen dieses Quiz als Lehrkraft: Zum Abgeben ist eine Einschreibung nötig.
quiz-submit = Antworten abgeben
quiz-no-attempts-left = Sie haben alle Versuche für dieses Quiz aufgebraucht.
quiz-enroll-to-take = Einschreiben, um das Quiz zu machen
true = Wahr
false = Falsch
your-answer = Ihre Antwort

attempt-number = Versuch { $number }:
quiz-passed-mark = Bestanden (die Bestehensgrenze ist { $mark } %).
quiz-not-passed-mark = Nicht bestanden (die Bestehensgrenze ist { $mark } %).
your-answer-was = Ihre Antwort:
answer-none = keine
answer-right = richtig
answer-partly-right = teilweise richtig
answer-not-right = nicht richtig
you-completed = Sie haben { $course } abgeschlossen.
download-your-certificate = Ihr Zertifikat herunterladen
quiz-no-attempts-left-here = Sie haben keine Versuche mehr für dieses Quiz.
try-again = Noch einmal versuchen
attempts-left-paren = (noch { $count })
next-lesson = Weiter: { $title }

certificate-title = Zertifikat { $id }
certificate-of-completion = Teilnahmezertifikat
revoked = Widerrufen
revoked-on = am { $date }
reason-separator = {": "}
certificate-no-longer-valid = Dieses Zertifikat ist nicht mehr gültig.
valid = Gültig.
certificate-issued-by = { $school } hat dieses Zertifikat ausgestellt.
awarded-to = Verliehen an
for-completing = Für den Abschluss von
issued-on = Am
certificate-id = Zertifikatsnummer
download-the-pdf = PDF herunterladen
admin = Verwaltung
take-back-revocation = Widerruf zurücknehmen
revoke-reason = Grund (wird auf dieser Seite angezeigt)
revoke-certificate = Dieses Zertifikat widerrufen

landing-what = Online-Schulen, jede unter ihrer eigenen Adresse: ein Katalog, Kurse, Lektionen und Lernfortschritt für alle Lernenden.
landing-where = Sie suchen Ihre Schule? Verwenden Sie die Adresse, die Ihre Schule Ihnen gegeben hat, zum Beispiel
course-language = Auf { $language }
course-language-filter = Sprache des Kurses
all-languages = Alle Sprachen
transcript = Transkript

# The printed certificate (PDF): one line each, centred.
pdf-certificate-of-completion = Abschlusszertifikat
pdf-this-certifies-that = Hiermit wird bestätigt, dass
pdf-has-completed-the-course = den Kurs
pdf-completed-on = am { $date } abgeschlossen hat.
pdf-certificate-number = Zertifikat { $id }
pdf-verify-at = Prüfen unter { $url }
