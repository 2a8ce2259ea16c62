"""The dashboard and a student page in a real browser (headless Chromium): charts, links and tables render.

One Chromium start per page (screenshot and DOM together). In CI (CI=true) a missing Chromium fails:
.ci/run installs Debian's package.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from grader.reports.gradebook import student_json
from grader.reports.html import student_page, summary_page
from grader.reports.names import report_names
from grader.reports.summary import summarise
from grader.scoring import AssignmentResult, CaseResult

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium() -> str:
    found = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome") if shutil.which(name)), None)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed: .ci/run installs it (apt-get install -y chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return found


class Dom(HTMLParser):
    """The tags, ids and links of a rendered page."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def count(self, tag: str) -> int:
        return sum(1 for t, _ in self.tags if t == tag)

    def ids(self) -> set[str]:
        return {a["id"] for _, a in self.tags if a.get("id")}

    def links(self) -> list[str]:
        return [a["href"] for t, a in self.tags if t == "a" and a.get("href")]


def render(page: Path, tmp_path: Path, height: int = 1600) -> tuple[Dom, bytes]:
    """Load ``page`` once: its DOM after rendering, and a screenshot."""
    shot = tmp_path / f"{page.stem}.png"
    done = subprocess.run([chromium(), *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", f"--window-size=1100,{height}",
                           f"--screenshot={shot}", "--dump-dom", page.as_uri()],
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 0 and "<html" in done.stdout, done.stderr[-2000:]
    return Dom(done.stdout), shot.read_bytes()


def case(name: str, part: str, status: str = "passed", points: float = 1.0, hint: str = "", diagnosis_name: str = "") -> CaseResult:
    earned = points if status == "passed" else 0.0
    return CaseResult(name, part, "public", earned, points, status, "wrong values" if earned == 0 else "ok",
                      ("max abs error: 2",) if earned == 0 else (), "flipped" if hint else "", hint, diagnosis_name)


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Path:
    """A small class written the way `grader grade` writes it, from results made in code."""
    out = tmp_path_factory.mktemp("class")
    hint = "Flipped kernel: slide W as it is."
    rows = {
        "ann": [AssignmentResult("ann", "conv", "Convolution", (case("a", "conv2d"), case("b", "conv2d"), case("c", "pool")), 3.0)],
        "bo b": [AssignmentResult("bo b", "conv", "Convolution", (
            case("a", "conv2d", "failed", hint=hint, diagnosis_name="flipped kernel"),
            case("b", "conv2d", "failed", hint=hint, diagnosis_name="flipped kernel"), case("c", "pool")), 3.0)],
        "bo_b": [AssignmentResult("bo_b", "conv", "Convolution", (case("a", "conv2d", "timeout"), case("b", "conv2d"),
                                                                   case("c", "pool")), 3.0)],
        "cy": [AssignmentResult("cy", "conv", "Convolution", tuple(case(n, p, "no_submission") for n, p in
                                                                   (("a", "conv2d"), ("b", "conv2d"), ("c", "pool"))), 3.0,
                                status="no_submission")],
    }
    names = report_names(list(rows))
    people = {s: {"report": names[s], "warnings": ["bo b.zip:evil.py: ignored"] if s == "bo b" else [],
                  "roster": {"name": f"Student {s}"}, "on_roster": s != "bo_b"} for s in rows}
    for student, results in rows.items():
        report = student_json(student, results, "namespace", warnings=people[student]["warnings"],
                              roster=people[student]["roster"], on_roster=people[student]["on_roster"])
        (out / f"{names[student]}.html").write_text(student_page(report, {"conv": {"a": "the lecture's example"}}))
    (out / "summary.html").write_text(summary_page(summarise(rows, ["conv"], "namespace", people)))
    return out


def test_the_dashboard_renders_its_table_charts_and_links_to_every_student(graded, tmp_path):
    dom, shot = render(graded / "summary.html", tmp_path, height=2000)
    assert shot.startswith(b"\x89PNG") and len(shot) > 10_000
    assert {"student-table", "misconception-table", "warning-table", "limits-table"} <= dom.ids()
    assert dom.count("svg") >= 2 and dom.count("rect") >= 10  # a histogram and the pass-rate bars
    reports = [link for link in dom.links() if link.endswith(".html")]
    assert len(set(reports)) == 4
    assert all((graded / link).is_file() for link in reports)  # every link opens a report, offline
    fetched = [a.get("src") or a.get("href") for t, a in dom.tags if t in ("script", "link", "img", "iframe")]
    assert not fetched and "http" not in " ".join(dom.links())  # no script, no CDN: works from a zip


def test_a_student_page_renders_its_overview_and_the_diagnosis_once(graded, tmp_path):
    (page,) = [p for p in graded.glob("bo_b-*.html") if "Student bo b" in p.read_text()]
    dom, shot = render(page, tmp_path)
    assert shot.startswith(b"\x89PNG") and len(shot) > 10_000
    assert "overview" in dom.ids() and "file-problems" in dom.ids()
    assert dom.count("table") == 1 and dom.count("rect") == 2
    text = page.read_text()
    assert text.count("Flipped kernel: slide W as it is.") == 1 and "the lecture&#39;s example" in text
