"""Diagnosis beyond the catalogue: structural rules, localisation, and the leave-one-out measure."""
