mail-hello = Hallo { $name },
mail-sent-by = Gesendet von
mail-or-open = Oder öffnen Sie diesen Link:
mail-verify-subject = Bestätigen Sie Ihre E-Mail-Adresse für { $school }
mail-verify-body = Bitte bestätigen Sie, dass { $email } Ihre E-Mail-Adresse bei { $school } ist:
mail-verify-button = Meine Adresse bestätigen
mail-verify-footer = Der Link ist 7 Tage gültig. Wenn Sie sich nicht registriert haben, können Sie diese E-Mail ignorieren.
mail-reset-subject = Passwort bei { $school } zurücksetzen
mail-reset-body = Jemand (hoffentlich Sie) möchte das Passwort Ihres Kontos bei { $school } zurücksetzen. Wählen Sie hier ein neues:
mail-reset-button = Neues Passwort wählen
mail-reset-footer = Der Link funktioniert einmal, 30 Minuten lang. Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Ihr Passwort bleibt unverändert.
mail-email-change-subject = Bestätigen Sie Ihre neue E-Mail-Adresse bei { $school }
mail-email-change-body = Bitte bestätigen Sie, dass Ihr Konto bei { $school } ab jetzt { $email } verwenden soll:
mail-email-change-button = Diese Adresse verwenden
mail-email-change-footer = Der Link ist 24 Stunden gültig. Bis Sie ihn öffnen, behält Ihr Konto seine bisherige Adresse.
mail-invite-subject = Sie sind zu { $school } eingeladen
mail-invite-body = { $inviter } hat Sie als { $role ->
    [admin] Administrator
    [instructor] Lehrkraft
   *[learner] Lernende/n
} zu { $school } eingeladen.
mail-invite-courses = Sie werden eingeschrieben in: { $courses }.
mail-invite-create = Legen Sie hier Ihr Konto an:
mail-invite-button = Einladung annehmen
mail-invite-footer = Die Einladung ist 14 Tage gültig.
mail-enrollment-subject = Sie sind in { $course } eingeschrieben
mail-enrollment-body = Sie sind in { $course } bei { $school } eingeschrieben. Hier geht es los:
mail-enrollment-button = Mit dem Lernen beginnen
mail-announcement-signature = { $author }, { $course } bei { $school }
mail-announcement-why = Sie erhalten diese E-Mail, weil Sie in { $course } eingeschrieben sind.
mail-announcement-unsubscribe = Ankündigungen dieses Kurses abbestellen
mail-webhook-subject = Ein Webhook-Endpunkt von { $school } wurde deaktiviert
mail-webhook-body = EduFlow sendet keine Ereignisse mehr an { $url }, nach { $count } fehlgeschlagenen Versuchen in Folge. Der letzte: { $reason }
mail-webhook-kept = Ereignisse werden aufbewahrt, solange er deaktiviert ist. Sobald der Endpunkt wieder funktioniert, aktivieren Sie ihn hier, und sie werden zugestellt:
mail-webhook-button = Endpunkt ansehen
