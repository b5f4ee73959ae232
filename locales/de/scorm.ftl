# SCORM packages.
scorm-commit-too-large = Das Paket hat mehr gesendet, als der Lernstand aufnehmen kann.
scorm-commit-invalid = Der Lernstand des Pakets ist nicht lesbar: { $reason }.
scorm-completes-itself = Dieses Paket hält seinen Abschluss selbst fest, während du es durcharbeitest.
