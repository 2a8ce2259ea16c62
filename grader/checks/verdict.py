"""The outcome of one check: the fraction of credit earned and the words the student reads."""
from __future__ import annotations

from dataclasses import dataclass, field


DTYPE_SLIP = "right values, wrong dtype"  # a verdict message starting so earns half the case's points
PRECISION_SLIP = "right formula, precision lost"  # errors all below PRECISION_RTOL: float32 somewhere inside
SLIPS = (DTYPE_SLIP, PRECISION_SLIP)
SLIP_CREDIT = 0.5
PRECISION_RTOL = 1e-4  # float32 keeps ~7 digits: a float32-inside answer is off by ~1e-7..1e-5 relative


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


def dtype_slip(where: str, problem: str, **details) -> Verdict:
    """Right values in the wrong dtype: half the points, and one line that says so."""
    return Verdict.partial(SLIP_CREDIT, f"{DTYPE_SLIP}: {where} {problem}", slip="dtype", **details)


def precision_slip(where: str, max_rel: float) -> Verdict:
    """Values right to float32 precision but not to the tolerance: the formula is right, digits were lost."""
    return Verdict.partial(SLIP_CREDIT, f"{PRECISION_SLIP}: {where} agrees only to {max_rel:.1e} relative (float32 keeps "
                           "~7 digits: compute in float64 throughout, no float32 arrays or astype)", slip="precision")
