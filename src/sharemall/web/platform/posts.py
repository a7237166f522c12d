"""Moderating experience posts and the banned words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from sharemall.accounts.models import Member
from sharemall.posts import rules as post_rules
from sharemall.posts import selectors as post_selectors
from sharemall.posts import services as post_services
from sharemall.posts.models import Post
from sharemall.web.access import operator_page
from sharemall.web.actions import run_action, run_batch
from sharemall.web.platform.common import (
    _back,
    _batch_ids,
    _choices_label,
    _form_errors,
    _post_only,
    _render,
)
from sharemall.web.platform.forms import (
    BannedWordForm,
    HideForm,
    ModerationNoteForm,
)
from sharemall.web.tables import (
    DATETIME,
    EXPORT_SELECTED,
    NUMBER,
    STATUS,
    THUMB,
    BatchAction,
    Column,
    TableSpec,
)

REPORTED, HIDDEN = "reported", "hidden"


def _thumb(post: Post) -> str:
    images = list(post.images.all())
    return images[0].thumbnail.url if images else ""


def _reasons(post: Post) -> str:
    """Set on the page's posts by the view (one query for the page): "spam × 2" per line."""
    return str(getattr(post, "report_reasons", ""))


_POST_COLUMNS = [
    Column("photo", gettext_lazy("Photo"), kind=THUMB, value=_thumb, in_csv=False),
    Column("product.title", gettext_lazy("Product")),
    Column("author.nickname", gettext_lazy("Author")),
    Column("rating", gettext_lazy("Rating"), sortable=True, kind=NUMBER),
    Column("text", gettext_lazy("Text"), formatter=lambda t: Truncator(t).chars(120)),
    Column(
        "status",
        gettext_lazy("Status"),
        kind=STATUS,
        formatter=lambda s: _choices_label(Post.Status.choices, s),
    ),
    Column("created_at", gettext_lazy("Written"), sortable=True, kind=DATETIME),
]

REPORTED_POSTS = TableSpec(
    columns=[
        *_POST_COLUMNS[:5],
        Column("open_reports", gettext_lazy("Open reports"), sortable=True, kind=NUMBER),
        Column("reasons", gettext_lazy("Reported for"), value=_reasons),
        *_POST_COLUMNS[5:],
    ],
    default_sort="-open_reports",
    search=("text", "author__nickname", "author__phone", "product__title"),
    search_label=gettext_lazy("Words, author or product"),
    batch=(
        BatchAction(
            "hide",
            gettext_lazy("Hide the selected"),
            url="web:platform_posts_hide",
            confirm=gettext_lazy(
                "Hide every selected post? Each author is told which rule it broke."
            ),
            primary=True,
        ),
        EXPORT_SELECTED,
    ),
    export_name="reported-posts",
    empty=gettext_lazy("No post is waiting for review."),
)

HIDDEN_POSTS = TableSpec(
    columns=[
        *_POST_COLUMNS,
        Column(
            "hidden_rule",
            gettext_lazy("Rule broken"),
            value=lambda p: p.hidden_rule_label,
        ),
    ],
    default_sort="-created_at",
    search=REPORTED_POSTS.search,
    search_label=REPORTED_POSTS.search_label,
    batch=(EXPORT_SELECTED,),
    export_name="hidden-posts",
    empty=gettext_lazy("No post is hidden."),
)


@operator_page
def posts(request: HttpRequest, member: Member) -> HttpResponseBase:
    tab = request.GET.get("status", REPORTED)
    tab = tab if tab in (REPORTED, HIDDEN) else REPORTED
    if tab == HIDDEN:
        table = HIDDEN_POSTS.bind(request, post_selectors.hidden_posts())
    else:
        table = REPORTED_POSTS.bind(
            request, post_selectors.report_queue().select_related("product", "author")
        )
    if table.wants_csv:
        return table.csv_response()
    if tab == REPORTED:
        page_posts = list(table.page.object_list)
        counts = post_selectors.open_report_reasons([p.pk for p in page_posts])
        for post in page_posts:
            post.report_reasons = "\n".join(
                f"{post_rules.REPORT_REASONS.get(code, code)} × {n}"
                for code, n in sorted(counts.get(post.pk, {}).items())
            )
    waiting = post_selectors.report_queue().count()
    return _render(
        request,
        "web/platform/posts.html",
        {
            "table": table,
            "tab": tab,
            "tabs": [
                (REPORTED, _("Reported"), waiting),
                (HIDDEN, _("Hidden"), None),
            ],
            "batchable": [p.pk for p in table.page.object_list if p.status == post_rules.VISIBLE],
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
    return _render(
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
