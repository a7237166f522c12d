"""Moderating experience posts, their comments, near-copies held for review, and the banned
words."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from sharemall.accounts.models import Member
from sharemall.posts import rules as post_rules
from sharemall.posts import selectors as post_selectors
from sharemall.posts import services as post_services
from sharemall.posts.models import Post, PostComment
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

REPORTED, HELD, COMMENTS, HIDDEN, HIDDEN_COMMENTS = (
    "reported",
    "held",
    "comments",
    "hidden",
    "hidden_comments",
)


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


def _author_page(row: Post | PostComment) -> str:
    """The author's member page, where an operator sees their history and penalises them."""
    return reverse("web:platform_member", args=[row.author_id])


_POST_COLUMNS = [
    Column("photo", gettext_lazy("Photo"), kind=THUMB, value=_thumb, in_csv=False),
    Column("product.title", gettext_lazy("Product")),
    Column("author.nickname", gettext_lazy("Author"), link=_author_page),
    Column("rating", gettext_lazy("Rating"), sortable=True, kind=NUMBER),
    Column("text", gettext_lazy("Text"), formatter=lambda t: Truncator(t).chars(120)),
    Column("created_at", gettext_lazy("Written"), sortable=True, kind=DATETIME),
]

POST_TABS = StatusTabs(
    [
        (REPORTED, gettext_lazy("Reported")),
        (HELD, gettext_lazy("Held copies")),
        (COMMENTS, gettext_lazy("Reported comments")),
        (HIDDEN, gettext_lazy("Hidden")),
        (HIDDEN_COMMENTS, gettext_lazy("Hidden comments")),
    ],
    all_label=None,
    counted=frozenset({REPORTED, HELD, COMMENTS}),
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


def _copies(post: Post) -> str:
    """Set by the view for the page's held posts: what each copies, most similar first."""
    return str(getattr(post, "copy_lines", ""))


def _copy_lines(post: Post, copies: list[Any]) -> str:
    return "\n".join(
        _("%(similarity)d%% like post %(id)s by %(author)s: “%(text)s”")
        % {
            "similarity": round(c.similarity * 100),
            "id": c.original_id,
            "author": c.original.author.nickname,
            "text": Truncator(c.original.text).chars(60),
        }
        for c in copies
    )


HELD_POSTS = replace(
    REPORTED_POSTS,
    columns=[
        *_POST_COLUMNS[:5],
        Column("copies", gettext_lazy("Nearly copies"), value=_copies),
        *_POST_COLUMNS[5:],
    ],
    default_sort="created_at",
    batch=(EXPORT_SELECTED,),
    export_name="held-posts",
    empty=gettext_lazy("No post is held as a copy."),
    batch_fields="",
)


def _comment_reasons(comment: PostComment) -> str:
    if not hasattr(comment, "report_reasons"):
        counts = post_selectors.open_comment_report_reasons([comment.pk]).get(comment.pk, {})
        return _reason_lines(counts)
    return str(comment.report_reasons)


_COMMENT_COLUMNS = [
    Column("post.product.title", gettext_lazy("Product")),
    Column("author.nickname", gettext_lazy("Author"), link=_author_page),
    Column("text", gettext_lazy("Comment"), formatter=lambda t: Truncator(t).chars(120)),
    Column("created_at", gettext_lazy("Written"), sortable=True, kind=DATETIME),
]

REPORTED_COMMENTS = TableSpec(
    columns=[
        *_COMMENT_COLUMNS[:3],
        Column("open_reports", gettext_lazy("Open reports"), sortable=True, kind=NUMBER),
        Column("reasons", gettext_lazy("Reported for"), value=_comment_reasons),
        *_COMMENT_COLUMNS[3:],
    ],
    default_sort="-open_reports",
    search=("text", "author__nickname", "author__phone", "post__product__title"),
    search_label=gettext_lazy("Words, author or product"),
    batch=(EXPORT_SELECTED,),
    export_name="reported-comments",
    empty=gettext_lazy("No comment is waiting for review."),
    tabs=POST_TABS,
    row_actions="web/platform/posts.html#comment_actions",
    actions_label=gettext_lazy("Decision"),
    row_id="comment",
)

HIDDEN_COMMENTS_SPEC = replace(
    REPORTED_COMMENTS,
    columns=[
        *_COMMENT_COLUMNS,
        Column("hidden_rule", gettext_lazy("Rule broken"), value=lambda c: c.hidden_rule_label),
    ],
    default_sort="-created_at",
    export_name="hidden-comments",
    empty=gettext_lazy("No comment is hidden."),
)


def _with_copies(table: Table) -> Table:
    page_posts = list(table.page.object_list)
    copies = post_selectors.copies_for([p.pk for p in page_posts])
    for post in page_posts:
        post.copy_lines = _copy_lines(post, copies.get(post.pk, []))
    return table


def _with_comment_reports(table: Table) -> Table:
    page_comments = list(table.page.object_list)
    counts = post_selectors.open_comment_report_reasons([c.pk for c in page_comments])
    for comment in page_comments:
        comment.report_reasons = _reason_lines(counts.get(comment.pk, {}))
    return table


def _as_is(table: Table) -> Table:
    return table


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
    """One moderation page, a tab per queue: reported posts, posts held as near-copies,
    reported comments, and what operators hid (posts, comments), to be restored."""
    tab = POST_TABS.chosen(request.GET)
    spec: TableSpec
    queue: QuerySet[Any]
    if tab == HIDDEN:
        spec, queue = HIDDEN_POSTS, post_selectors.hidden_posts()
    elif tab == HELD:
        spec, queue = HELD_POSTS, post_selectors.held_posts()
    elif tab == COMMENTS:
        spec, queue = REPORTED_COMMENTS, post_selectors.comment_report_queue()
    elif tab == HIDDEN_COMMENTS:
        spec, queue = HIDDEN_COMMENTS_SPEC, post_selectors.hidden_comments()
    else:
        spec = REPORTED_POSTS
        queue = post_selectors.report_queue().select_related("product", "author")
    decorate = {
        REPORTED: _with_reports,
        HELD: _with_copies,
        COMMENTS: _with_comment_reports,
    }.get(tab, _as_is)
    return spec.respond(
        request,
        queue,
        lambda table: _render(
            request,
            "web/platform/posts.html",
            {
                "table": decorate(table),
                "tab": tab,
                "hide_form": HideForm(auto_id=False),
                "note_form": ModerationNoteForm(auto_id=False),
            },
        ),
        tab_counts={
            REPORTED: post_selectors.report_queue().count(),
            HELD: post_selectors.held_posts().count(),
            COMMENTS: post_selectors.comment_report_queue().count(),
        },
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
@_post_only
def post_approve(request: HttpRequest, member: Member, post_id: int) -> HttpResponse:
    run_form_action(
        request,
        ModerationNoteForm(request.POST),
        lambda data: post_services.post_approve(
            operator=member, post_id=post_id, note=data["note"]
        ),
        _("The post is approved and visible."),
    )
    return _back(request, reverse(QUEUE))


@operator_page
@_post_only
def comment_hide(request: HttpRequest, member: Member, comment_id: int) -> HttpResponse:
    run_form_action(
        request,
        HideForm(request.POST),
        lambda data: post_services.comment_hide(
            operator=member, comment_id=comment_id, rule=data["rule"], note=data["note"]
        ),
        _("The comment is hidden."),
    )
    return _back(request, reverse(QUEUE))


@operator_page
@_post_only
def comment_keep(request: HttpRequest, member: Member, comment_id: int) -> HttpResponse:
    run_form_action(
        request,
        ModerationNoteForm(request.POST),
        lambda data: post_services.comment_keep(
            operator=member, comment_id=comment_id, note=data["note"]
        ),
        _("The comment stays up; its reports are closed."),
    )
    return _back(request, reverse(QUEUE))


@operator_page
@_post_only
def comment_restore(request: HttpRequest, member: Member, comment_id: int) -> HttpResponse:
    run_form_action(
        request,
        ModerationNoteForm(request.POST),
        lambda data: post_services.comment_restore(
            operator=member, comment_id=comment_id, note=data["note"]
        ),
        _("The comment is visible again."),
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
