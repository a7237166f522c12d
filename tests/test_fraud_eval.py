"""The adversarial data set, small: the fraud holds keep their goals (a regression fails here)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.test import override_settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import fraud_eval

pytestmark = pytest.mark.django_db


@override_settings(AUTH_THROTTLE=False)
def test_holds_meet_the_goals_on_a_small_seeded_run() -> None:
    report = fraud_eval.run(seed=11, scale=0.1)
    print(report.text())  # noqa: T201
    precision, recall, _ = report.figure("overall")
    assert precision >= 0.9
    assert recall >= 0.8
    assert report.honest_held_rate() < 0.02
