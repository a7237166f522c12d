"""The pure modules (every app's rules, money maths) load without Django and still speak the
member's language once Django is up."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation

import sharemall
from sharemall.core.errors import InvalidTransition
from sharemall.posts import rules as post_rules

SOURCE = Path(sharemall.__file__).parent
RULES = sorted(f"sharemall.{path.parent.name}.rules" for path in SOURCE.glob("*/rules.py"))
PURE = [*RULES, "sharemall.core.money"]


def test_the_pure_modules_load_without_importing_django() -> None:
    script = (
        "import importlib, sys\n"
        f"for name in {PURE!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] == 'django'}))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout

    assert "sharemall.posts.rules" in PURE and "sharemall.wallet.rules" in PURE
    assert loaded.strip() == "[]"


def test_a_rule_refuses_in_the_active_language() -> None:
    with translation.override("zh-hans"), pytest.raises(post_rules.InvalidPost) as refused:
        post_rules.clean_text("")

    assert refused.value.message == "请写下您的使用体验：内容不能为空。"


def test_a_refused_transition_is_explained_in_the_active_language() -> None:
    with translation.override("zh-hans"), pytest.raises(InvalidTransition) as refused:
        post_rules.POST.check(post_rules.DELETED, post_rules.VISIBLE)

    assert refused.value.message == "当前状态（deleted）不能变为 visible（post）。"


def test_labels_are_translated_each_time_they_are_shown() -> None:
    spam = post_rules.HIDE_RULES["spam"]

    with translation.override("zh-hans"):
        assert str(spam) == "广告或垃圾信息"
    with translation.override("en"):
        assert str(spam) == "Advertising or spam"
