"""Rates and spans of time as people read them, in Chinese and in English."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from sharemall.core.money import MoneyError, format_bp, parse_percent
from sharemall.web.forms import PercentField


@pytest.mark.parametrize(
    ("bp", "text"),
    [
        (1250, "12.5 %"),
        (3000, "30 %"),
        (5, "0.05 %"),
        (0, "0 %"),
        (10_000, "100 %"),
        (-50, "-0.5 %"),
    ],
)
def test_basis_points_read_as_percent(bp: int, text: str) -> None:
    assert format_bp(bp) == text


@pytest.mark.parametrize(
    ("typed", "bp"),
    [("12.5", 1250), ("12.5 %", 1250), ("30%", 3000), (" 0.05 ", 5), ("100", 10_000)],
)
def test_a_typed_percentage_is_whole_basis_points(typed: str, bp: int) -> None:
    assert parse_percent(typed) == bp


@pytest.mark.parametrize("typed", ["", "12.345", "-1", "1e3", "abc", "１２"])
def test_a_percentage_finer_than_a_basis_point_or_not_a_number_is_refused(typed: str) -> None:
    with pytest.raises(MoneyError):
        parse_percent(typed)


def test_the_percent_field_cleans_to_basis_points_and_shows_percent_again() -> None:
    field = PercentField(max_bp=10_000)

    assert field.clean("12.5") == 1250
    assert field.prepare_value(1250) == "12.5"
    with translation.override("zh-hans"), pytest.raises(Exception, match="最多 100 %"):
        field.clean("100.5")


def render(source: str, language: str, **context: object) -> str:
    with translation.override(language):
        return Template("{% load sharemall_web %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("seconds", "zh", "en"),
    [
        (45, "45 秒", "45 seconds"),
        (600, "10 分钟", "10 minutes"),
        (3 * 3600, "3 小时", "3 hours"),
        (3600, "1 小时", "1 hour"),
        (36 * 3600, "36 小时", "36 hours"),
        (2 * 86400, "2 天", "2 days"),
        (90 * 86400 + 3600, "90 天", "90 days"),
    ],
)
def test_spans_of_time_read_in_the_unit_people_use(seconds: int, zh: str, en: str) -> None:
    assert render("{{ s|duration }}", "zh-hans", s=seconds) == zh
    assert render("{{ s|duration }}", "en", s=seconds) == en


def test_the_filters_cover_rates_hours_days_and_ratios() -> None:
    assert render("{{ bp|bp_percent }}", "zh-hans", bp=1250) == "12.5 %"
    assert render("{{ h|hours }}", "zh-hans", h=2.5) == "3 小时"
    assert render("{{ d|days }}", "en", d=1) == "1 day"
    assert render("{{ r|ratio }}", "en", r=0.1234) == "12.3 %"
    assert render("{{ nothing|bp_percent }}{{ nothing|duration }}", "en", nothing=None) == ""
