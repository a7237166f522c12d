"""Moderating experience posts and the banned words."""

from __future__ import annotations

from dataclasses import replace

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
from sharemall.web.actions import run_action, run_form_action, run_form_batch
from sharemall.web.platform.common import _back, _post_only, _render
from sharemall.web.platform.forms import (
    BannedWordForm,
    HideForm,
    ModerationNoteForm,
)
from sharemall.web.tables import (
    DATETIME,
    EXPORT_SELECTED,
    NUMBER,
    THUMB,
    BatchAction,
    Column,
    StatusTabs,
    Table,
    TableSpec,
    selected_ids,
)

REPORTED, HIDDEN = "reported", "hidden"


def _thumb(post: Post) -> str:
    images = list(post.images.all())
    return images[0].thumbnail.url if images else ""


def _reason_lines(counts: dict[str, int]) -> str:
    """ "广告 × 2" per line. Reports filed before the convention codes keep their old code, which
    still has a label."""
    return "\n".join(
        f"{post_rules.REPORT_LABELS.get(code, code)} × {n}" for code, n in sorted(counts.items())
    )


def _note_lines(notes: list[str]) -> str:
    return "\n".join(f"“{Truncator(note).chars(60)}”" for note in notes)


def _reasons(post: Post) -> str:
    """Set on the page's posts by the view (one query for the page); an export asks per post."""
    if not hasattr(post, "report_reasons"):
        return _reason_lines(post_selectors.open_report_reasons([post.pk]).get(post.pk, {}))
    return str(post.report_reasons)


def _notes(post: Post) -> str:
    if not hasattr(post, "report_notes"):
        return _note_lines(post_selectors.open_report_notes([post.pk]).get(post.pk, []))
    return str(post.report_notes)


_POST_COLUMNS = [
    Column("photo", gettext_lazy("Photo"), kind=THUMB, value=_thumb, in_csv=False),
    Column("product.title", gettext_lazy("Product")),
    Column("author.nickname", gettext_lazy("Author")),
    Column("rating", gettext_lazy("Rating"), sortable=True, kind=NUMBER),
    Column("text", gettext_lazy("Text"), formatter=lambda t: Truncator(t).chars(120)),
    Column("created_at", gettext_lazy("Written"), sortable=True, kind=DATETIME),
]

POST_TABS = StatusTabs(
    [(REPORTED, gettext_lazy("Reported")), (HIDDEN, gettext_lazy("Hidden"))],
    all_label=None,
    counted=frozenset({REPORTED}),
)

REPORTED_POSTS = TableSpec(
    columns=[
        *_POST_COLUMNS[:5],  # each tab holds one status: no status column
        Column("open_reports", gettext_lazy("Open reports"), sortable=True, kind=NUMBER),
        Column("reasons", gettext_lazy("Reported for"), value=_reasons),
        Column("notes", gettext_lazy("What the reporters wrote"), value=_notes),
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
    batch_fields="web/platform/posts.html#batch_fields",
    tabs=POST_TABS,
    row_actions="web/platform/posts.html#actions",
    actions_label=gettext_lazy("Decision"),
    row_id="post",
)

HIDDEN_POSTS = replace(
    REPORTED_POSTS,
    columns=[
        *_POST_COLUMNS,
        Column(
            "hidden_rule",
            gettext_lazy("Rule broken"),
            value=lambda p: p.hidden_rule_label,
        ),
    ],
    default_sort="-created_at",
    batch=(EXPORT_SELECTED,),
    export_name="hidden-posts",
    empty=gettext_lazy("No post is hidden."),
    batch_fields="",
)


def _with_reports(table: Table) -> Table:
    """The page's reported posts with their reasons and notes, one query each for the page."""
    page_posts = list(table.page.object_list)
    ids = [p.pk for p in page_posts]
    counts = post_selectors.open_report_reasons(ids)
    notes = post_selectors.open_report_notes(ids)
    for post in page_posts:
        post.report_reasons = _reason_lines(counts.get(post.pk, {}))
        post.report_notes = _note_lines(notes.get(post.pk, []))
    return table


@operator_page
def posts(request: HttpRequest, member: Member) -> HttpResponseBase:
    tab = POST_TABS.chosen(request.GET)
    if tab == HIDDEN:
        spec, queue = HIDDEN_POSTS, post_selectors.hidden_posts()
    else:
        spec = REPORTED_POSTS
        queue = post_selectors.report_queue().select_related("product", "author")
    return spec.respond(
        request,
        queue,
        lambda table: _render(
            request,
            "web/platform/posts.html",
            {
                "table": _with_reports(table) if tab == REPORTED else table,
                "tab": tab,
                "hide_form": HideForm(auto_id=False),
                "note_form": ModerationNoteForm(auto_id=False),
            },
        ),
        tab_counts={REPORTED: post_selectors.report_queue().count()},
        selectable=lambda p: p.status == post_rules.VISIBLE,
    )


QUEUE = "web:platform_posts"


@operator_page
@_post_only
def post_hide(request: HttpRequest, member: Member, post_id: int) -> HttpResponse:
    run_form_action(
        request,
        HideForm(request.POST),
        lambda data: post_services.post_hide(
            operator=member, post_id=post_id, rule=data["rule"], note=data["note"]
        ),
        _("The post is hidden."),
    )
    return _back(request, reverse(QUEUE))


@operator_page
@_post_only
def post_keep(request: HttpRequest, member: Member, post_id: int) -> HttpResponse:
    run_form_action(
        request,
        ModerationNoteForm(request.POST),
        lambda data: post_services.post_keep(operator=member, post_id=post_id, note=data["note"]),
        _("The post stays up; its reports are closed."),
    )
    return _back(request, reverse(QUEUE))


@operator_page
@_post_only
def post_restore(request: HttpRequest, member: Member, post_id: int) -> HttpResponse:
    run_form_action(
        request,
        ModerationNoteForm(request.POST),
        lambda data: post_services.post_restore(
            operator=member, post_id=post_id, note=data["note"]
        ),
        _("The post is visible again."),
    )
    return _back(request, reverse(QUEUE))


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
    run_form_batch(
        request,
        HideForm(request.POST),
        selected_ids(request),
        lambda pk, data: post_services.post_hide(
            operator=member, post_id=pk, rule=data["rule"], note=data["note"]
        ),
        name=lambda pk: _("Post %(id)s") % {"id": pk},
        done=lambda n: ngettext("%(n)d post hidden.", "%(n)d posts hidden.", n) % {"n": n},
    )
    return _back(request, reverse(QUEUE))
