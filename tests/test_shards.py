"""grader.shards: which shard a student belongs to, and parsing K/N."""
from __future__ import annotations

import pytest

from grader.errors import UsageError
from grader.shards import Shard


def test_every_student_falls_in_exactly_one_shard_and_always_the_same():
    students = [f"s{i}@uni.example" for i in range(400)]
    shards = [Shard(k, 4) for k in range(1, 5)]
    homes = [[s for s in shards if s.holds(student)] for student in students]
    assert all(len(h) == 1 for h in homes)
    sizes = [sum(1 for h in homes if h[0] == s) for s in shards]
    assert min(sizes) > 60  # roughly even
    assert Shard(3, 4).holds("s7@uni.example") == Shard.parse("3/4").holds("s7@uni.example")


@pytest.mark.parametrize("text", ["0/2", "3/2", "1", "a/b", "1/0", ""])
def test_a_malformed_shard_is_refused_with_the_expected_form(text):
    with pytest.raises(UsageError, match="expected K/N"):
        Shard.parse(text)
