"""The user-facing verbs, each a plain function the CLI calls: check, grade, validate, build."""
