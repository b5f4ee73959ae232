# SCORM packages.
scorm-commit-too-large = The package sent more than the learner's record can keep.
scorm-commit-invalid = The package's record is not readable: { $reason }.
scorm-completes-itself = This package records its own completion as you work through it.
