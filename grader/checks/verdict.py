"""The outcome of one check: the fraction of credit earned and the words the student reads."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Tolerance:
    """How close a float must be: ``|s - r| <= atol * max(1, max|r|) + rtol * |r|``; ``exact`` for equality."""

    rtol: float = 1e-6
    atol: float = 1e-8
    exact: bool = False

    def describe(self) -> str:
        """Human form, for feedback."""
        return "exact equality" if self.exact else f"rtol {self.rtol:g}, atol {self.atol:g}"


@dataclass(frozen=True)
class Verdict:
    """One check's result. ``fraction`` is the share of the case's points earned (0..1)."""

    fraction: float
    message: str
    where: str = ""
    details: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """Full credit."""
        return self.fraction >= 1.0

    @classmethod
    def ok(cls, message: str = "correct") -> "Verdict":
        """Full credit."""
        return cls(1.0, message)

    @classmethod
    def fail(cls, message: str, where: str = "", **details) -> "Verdict":
        """No credit."""
        return cls(0.0, message, where, details)

    @classmethod
    def partial(cls, fraction: float, message: str, **details) -> "Verdict":
        """Some credit, e.g. right statistics but not the spec's exact random draw."""
        fraction = float(fraction)
        if not fraction >= 0.0:  # NaN (e.g. a statistic of a NaN output): no credit, never min(1.0, nan) == 1.0
            fraction = 0.0
        return cls(min(1.0, fraction), message, "", details)
