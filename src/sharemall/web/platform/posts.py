"""Moderating experience posts and the banned words."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sharemall.accounts.models import Member
from sharemall.posts import rules as post_rules
from sharemall.posts import selectors as post_selectors
from sharemall.posts import services as post_services
from sharemall.posts.models import Post
from sharemall.web.access import operator_page
from sharemall.web.actions import run_action, run_batch
from sharemall.web.platform.common import _back, _batch_ids, _form_errors, _page, _post_only
from sharemall.web.platform.forms import (
    BannedWordForm,
    HideForm,
    ModerationNoteForm,
)

HIDDEN_POSTS_SHOWN = 20


@dataclass(frozen=True)
class Reported:
    post: Post
    reasons: list[tuple[str, int]]


@operator_page
def posts(request: HttpRequest, member: Member) -> HttpResponse:
    page = _page(request, post_selectors.report_queue().select_related("product"))
    counts = post_selectors.open_report_reasons([post.pk for post in page])
    reported = [
        Reported(
            post,
            [
                (str(post_rules.REPORT_REASONS.get(code, code)), n)
                for code, n in sorted(counts.get(post.pk, {}).items())
            ],
        )
        for post in page
    ]
    # Hiding a post answers its reports, so hidden posts are listed apart, to be restored.
    hidden = post_selectors.hidden_posts()[:HIDDEN_POSTS_SHOWN]
    return render(
        request,
        "web/platform/posts.html",
        {
            "page": page,
            "reported": reported,
            "hidden": hidden,
            "hide_form": HideForm(auto_id=False),
            "note_form": ModerationNoteForm(auto_id=False),
        },
    )


def _moderation(
    request: HttpRequest, form: forms.Form, act: Callable[[dict[str, Any]], object], done: str
) -> HttpResponse:
    if not form.is_valid():
        _form_errors(request, form)
    else:
        run_action(request, lambda: act(form.cleaned_data), done)
    return _back(request, reverse("web:platform_posts"))


@operator_page
@_post_only
def post_hide(request: HttpRequest, member: Member, post_id: int) -> HttpResponse:
    return _moderation(
        request,
        HideForm(request.POST),
        lambda data: post_services.post_hide(
            operator=member, post_id=post_id, rule=data["rule"], note=data["note"]
        ),
        _("The post is hidden."),
    )


@operator_page
@_post_only
def post_keep(request: HttpRequest, member: Member, post_id: int) -> HttpResponse:
    return _moderation(
        request,
        ModerationNoteForm(request.POST),
        lambda data: post_services.post_keep(operator=member, post_id=post_id, note=data["note"]),
        _("The post stays up; its reports are closed."),
    )


@operator_page
@_post_only
def post_restore(request: HttpRequest, member: Member, post_id: int) -> HttpResponse:
    return _moderation(
        request,
        ModerationNoteForm(request.POST),
        lambda data: post_services.post_restore(
            operator=member, post_id=post_id, note=data["note"]
        ),
        _("The post is visible again."),
    )


@operator_page
def banned_words(request: HttpRequest, member: Member) -> HttpResponse:
    if request.method == "POST":
        form = BannedWordForm(request.POST)
        if form.is_valid() and run_action(
            request,
            lambda: post_services.banned_word_add(form.cleaned_data["word"]),
            _("The word is banned."),
        ):
            return HttpResponseRedirect(reverse("web:platform_banned_words"))
    else:
        form = BannedWordForm()
    return render(
        request,
        "web/platform/banned_words.html",
        {
            "form": form,
            "built_in": post_rules.DEFAULT_BANNED_WORDS,
            "kept": post_selectors.kept_banned_words(),
        },
    )


@operator_page
@_post_only
def banned_word_remove(request: HttpRequest, member: Member, word_id: int) -> HttpResponse:
    run_action(
        request,
        lambda: post_services.banned_word_remove(word_id),
        _("The word is allowed again."),
    )
    return HttpResponseRedirect(reverse("web:platform_banned_words"))


@operator_page
@_post_only
def posts_hide_batch(request: HttpRequest, member: Member) -> HttpResponse:
    """Hide every ticked post for one rule, each through the same service as one hiding."""
    form = HideForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request, reverse("web:platform_posts"))
    rule, note = form.cleaned_data["rule"], form.cleaned_data["note"]
    run_batch(
        request,
        _batch_ids(request),
        lambda pk: post_services.post_hide(operator=member, post_id=pk, rule=rule, note=note),
        name=lambda pk: _("Post %(id)s") % {"id": pk},
        done=lambda n: ngettext("%(n)d post hidden.", "%(n)d posts hidden.", n) % {"n": n},
    )
    return _back(request, reverse("web:platform_posts"))
