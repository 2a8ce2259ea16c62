"""Reports: terminal tables, the gradebook, per-student JSON and HTML feedback, the class summary."""
