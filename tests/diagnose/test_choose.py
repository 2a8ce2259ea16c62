"""grader.diagnose.choose: the diagnoses prefer_consistent would choose from complete candidate lists, with fewer runs."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from grader.checks import Tolerance, matches
from grader.diagnose.choose import MUTATION_LEAD, Question, choose
from grader.diagnose.runs import RAISED, Run
from grader.diagnosis import Mistake, diagnose, mistake_diagnosis, prefer_consistent

TOL = Tolerance()
BASE = np.array([1.0, 2.0, 4.0])  # every expected value is a multiple: wrong outputs are factors of it


@dataclass(frozen=True)
class Spec:
    name: str
    tolerance: Tolerance = TOL


@dataclass(frozen=True)
class Case:
    spec: Spec
    expected: object
    seconds: float


@dataclass
class FakeRuns:
    """Stands in for CatalogueRuns: every (case, mistake) output fixed in advance, each run counted."""

    reach: dict  # case name -> mistake ids, in catalogue order
    outputs: dict  # (case name, mistake id) -> output, or RAISED
    mutations: dict = field(default_factory=dict)  # (case name, mistake id) -> frozenset of (function, argument)
    ran: list = field(default_factory=list)

    def value_ids(self, case):
        return list(self.reach[case.spec.name])

    mutation_ids = value_ids

    def cost(self, case, mistake_id, watch=False):
        return 0.0 if (case.spec.name, mistake_id) in self.ran else case.seconds

    def output(self, case, mistake_id):
        if (case.spec.name, mistake_id) not in self.ran:
            self.ran.append((case.spec.name, mistake_id))
        out = self.outputs.get((case.spec.name, mistake_id), RAISED)
        return out if isinstance(out, Run) else Run(True, out)

    def mutated(self, case, mistake_id):
        self.output(case, mistake_id)
        return self.mutations.get((case.spec.name, mistake_id), frozenset())


def complete(questions, runs, passed, catalogue):
    """What grading chose before choose(): every candidate list complete, then prefer_consistent."""
    per_case = []
    for q in questions:
        if q is None:
            per_case.append([])
        elif q.mutation is not None:
            per_case.append([mistake_diagnosis(catalogue[m], MUTATION_LEAD) for m in runs.mutation_ids(q.case)
                             if q.mutation in runs.mutated(q.case, m)])
        else:
            outputs = {m: r.output for m in runs.value_ids(q.case) if (r := runs.output(q.case, m)).ok}
            per_case.append(diagnose(q.got, q.case.expected, TOL, outputs, catalogue))

    def contradictions(mid):
        return sum(1 for c in passed if (r := runs.output(c, mid)).ok and not matches(r.output, c.expected, TOL))

    return prefer_consistent(per_case, contradictions)


def random_grading(rng, n_mistakes=6, n_failed=6, n_passed=4):
    catalogue = {f"m{i}": Mistake(f"m{i}", f"mistake {i}", f"hint {i}", Path(f"m{i}.py")) for i in range(n_mistakes)}
    factors = [1.0, 2.0, 3.0, -1.0]  # 1.0: the mistake gives the reference's output on that case
    reach, outputs, mutations = {}, {}, {}
    questions, passed = [], []
    for k in range(n_failed + n_passed):
        name = f"c{k}"
        case = Case(Spec(name), BASE * (k + 1), float(rng.choice([0.0001, 0.001, 0.02])))
        reach[name] = [m for m in catalogue if rng.random() < 0.7]
        for m in reach[name]:
            outputs[(name, m)] = RAISED if rng.random() < 0.1 else case.expected * rng.choice(factors)
            if rng.random() < 0.3:
                mutations[(name, m)] = frozenset({("f", "x")})
        if k >= n_failed:
            passed.append(case)
        elif rng.random() < 0.15:
            questions.append(None)
        elif rng.random() < 0.2:
            questions.append(Question(case, mutation=("f", "x")))
        else:
            questions.append(Question(case, got=case.expected * rng.choice([2.0, 3.0, -1.0, 5.0])))
    return catalogue, reach, outputs, mutations, questions, passed


@pytest.mark.parametrize("seed", range(300))
def test_the_choice_is_prefer_consistents_on_complete_lists(seed):
    rng = np.random.default_rng(seed)
    catalogue, reach, outputs, mutations, questions, passed = random_grading(rng, n_mistakes=int(rng.integers(1, 8)))
    everything = FakeRuns(reach, outputs, mutations)
    wanted = complete(questions, everything, passed, catalogue)
    assert choose(questions, FakeRuns(reach, outputs, mutations), passed, catalogue) == wanted


def test_on_the_whole_it_costs_less_than_running_everything():
    """A tie may be settled on passed cases that turn out not to matter, but over many gradings it is cheaper."""
    spent = {"lazy": 0.0, "everything": 0.0}
    for seed in range(200):
        catalogue, reach, outputs, mutations, questions, passed = random_grading(np.random.default_rng(seed))
        seconds = {c.spec.name: c.seconds for c in [q.case for q in questions if q] + passed}
        for label, chooser in (("lazy", choose), ("everything", complete)):
            runs = FakeRuns(reach, outputs, mutations)
            chooser(questions, runs, passed, catalogue)
            spent[label] += sum(seconds[name] for name, _ in runs.ran)
    assert spent["lazy"] < 0.9 * spent["everything"]


def test_an_expensive_case_is_not_run_for_mistakes_that_cannot_win():
    """The student's mistake m0, confirmed on three cheap cases and then the expensive one, settles it alone."""
    catalogue = {f"m{i}": Mistake(f"m{i}", f"mistake {i}", "", Path(f"m{i}.py")) for i in range(5)}
    cheap = [Case(Spec(f"cheap{k}"), BASE * (k + 1), 0.0001) for k in range(3)]
    slow = Case(Spec("train"), BASE * 7, 0.02)
    reach = {c.spec.name: ["m0", "m1"] for c in cheap} | {"train": list(catalogue)}
    outputs = {(c.spec.name, m): c.expected * (2.0 if m == "m0" else 3.0) for c in cheap for m in ("m0", "m1")}
    outputs |= {("train", m): slow.expected * (2.0 + i) for i, m in enumerate(catalogue)}
    questions = [Question(c, got=c.expected * 2.0) for c in cheap + [slow]]
    runs = FakeRuns(reach, outputs)
    chosen = choose(questions, runs, [], catalogue)
    assert [d.id for d in chosen] == ["m0"] * 4
    assert [m for name, m in runs.ran if name == "train"] == ["m0"]


def test_a_mutation_shared_by_no_likelier_mistake_is_settled_without_the_rest():
    """Only the student's mistake changes the input; the mistakes after it in the catalogue cannot win a tie."""
    catalogue = {f"m{i}": Mistake(f"m{i}", f"mistake {i}", "", Path(f"m{i}.py")) for i in range(6)}
    slow = Case(Spec("train"), BASE, 0.02)
    mutations = {("train", "m2"): frozenset({("train", "params")})}
    runs = FakeRuns({"train": list(catalogue)}, {("train", m): BASE for m in catalogue}, mutations)
    chosen = choose([Question(slow, mutation=("train", "params"))], runs, [], catalogue)
    assert [d.id for d in chosen] == ["m2"] and chosen[0].lead == MUTATION_LEAD
    assert [m for _, m in runs.ran] == ["m0", "m1", "m2"]
