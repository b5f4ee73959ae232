# SCORM packages.
scorm-commit-too-large = أرسلت الحزمة أكثر مما يتسع له سجل المتعلّم.
scorm-commit-invalid = سجل الحزمة غير مقروء: { $reason }.
scorm-completes-itself = تسجّل هذه الحزمة إكمالها بنفسها أثناء عملك عليها.
