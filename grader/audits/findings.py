"""What an audit found: one row of the audit table, failed when it names a problem."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One audited subject (a do-nothing answer, a rewrite, a mistake) and how it scored."""

    audit: str  # trivial | public_only | rewrites | fairness
    slug: str
    subject: str
    score: str  # e.g. "0/27" or "12-12.5/27"
    problem: str = ""  # empty when the guarantee holds

    @property
    def ok(self) -> bool:
        return not self.problem
