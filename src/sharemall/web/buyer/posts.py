"""Writing an experience post about a bought product, commenting, reporting posts and comments."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from sharemall.accounts.models import Member
from sharemall.core.errors import NotFound
from sharemall.core.images import read_image_upload
from sharemall.orders.models import OrderLine
from sharemall.posts import rules as post_rules
from sharemall.posts import selectors as post_selectors
from sharemall.posts import services as posts
from sharemall.web.access import member_page, not_found
from sharemall.web.actions import run_action
from sharemall.web.buyer.catalogue import render_post_page
from sharemall.web.buyer.common import _buyer_order
from sharemall.web.buyer.forms import CommentForm, PostForm
from sharemall.web.forms import PageForm

POST_ERROR_FIELDS = {
    "invalid_image": "images",
    "banned_words": "text",
    "invalid_post": "text",
}


def _create_post(
    request: HttpRequest, member: Member, form: PostForm, line: OrderLine
) -> HttpResponse | None:
    outcome = run_action(
        request,
        lambda: posts.post_create(
            author=member,
            order_line_id=line.pk,
            text=form.cleaned_data["text"],
            rating=form.cleaned_data["rating"],
            images=[read_image_upload(upload) for upload in form.cleaned_data["images"]],
        ),
        form=form,
        error_fields=POST_ERROR_FIELDS,
    )
    if not outcome:
        return None
    post = outcome.value
    # The post page gives its author the share link with a copy button.
    messages.success(request, _("Posted! Share it with friends: they buy, you earn."))
    return HttpResponseRedirect(reverse("web:post", args=[post.pk]))


@member_page
def post_compose(request: HttpRequest, member: Member, order_id: int, line_id: int) -> HttpResponse:
    """Write an experience post about one received order line."""
    order = _buyer_order(member, order_id)
    line = next((x for x in order.lines.all() if x.pk == line_id), None) if order else None
    if line is None:
        return not_found(request)
    blocked = ""
    if request.method == "POST":
        form = PostForm(request.POST, request.FILES)
        if form.is_valid():
            response = _create_post(request, member, form, line)
            if response is not None:
                return response
    else:
        form = PostForm()
        try:
            post_selectors.line_for_post(member, line.pk)
        except post_rules.NotEligible as exc:
            blocked = exc.message
    return render(
        request,
        "web/buyer/post_compose.html",
        {"form": form, "order": order, "line": line, "blocked": blocked},
    )


class PostReportForm(PageForm):
    category = forms.ChoiceField(
        label=_lazy("What is wrong with it?"),
        choices=list(post_rules.REPORT_REASONS.items()),
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_lazy("Anything to add (optional)"),
        required=False,
        max_length=post_rules.REPORT_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@member_page
def post_report(request: HttpRequest, member: Member, post_id: int) -> HttpResponse:
    """Report a post to the platform, citing one of the convention's categories."""
    try:
        post = post_selectors.post_for_viewer(post_id, member)
    except NotFound:
        return not_found(request)
    back = reverse("web:post", args=[post.pk])
    if post_selectors.reported_by(member, [post.pk]):
        messages.info(request, _("You have already reported this post."))
        return HttpResponseRedirect(back)
    form = PostReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = run_action(
            request,
            lambda: posts.post_report(
                reporter=member,
                post_id=post.pk,
                reason=form.cleaned_data["category"],
                note=form.cleaned_data["note"],
            ),
            _("Thank you. The platform will review this post."),
            form=form,
        )
        if outcome:
            return HttpResponseRedirect(back)
        if isinstance(outcome.error, post_rules.AlreadyReported):  # a second tab got there first
            messages.info(request, outcome.error.message)
            return HttpResponseRedirect(back)
    return render(request, "web/buyer/post_report.html", {"form": form, "post": post})


# Every refusal of a comment is about what was typed (or who typed it): shown under the box.
COMMENT_ERROR_FIELDS = {
    "banned_words": "text",
    "invalid_post": "text",
    "rate_limited": "text",
    "muted": "text",
}


@member_page
def comment_create(request: HttpRequest, member: Member, post_id: int) -> HttpResponse:
    """Comment on a post from its page; a refused comment comes back with its text."""
    if request.method != "POST":
        return HttpResponseRedirect(reverse("web:post", args=[post_id]))
    form = CommentForm(request.POST)
    if form.is_valid():
        outcome = run_action(
            request,
            lambda: posts.comment_create(
                author=member, post_id=post_id, text=form.cleaned_data["text"]
            ),
            _("Your comment is up."),
            form=form,
            error_fields=COMMENT_ERROR_FIELDS,
        )
        if outcome:
            url = reverse("web:post", args=[post_id])
            return HttpResponseRedirect(f"{url}#comment-{outcome.value.pk}")
    return render_post_page(request, member, post_id, comment_form=form)


@member_page
def comment_delete(request: HttpRequest, member: Member, comment_id: int) -> HttpResponse:
    comment = post_selectors.own_comment(member, comment_id)
    if comment is None:
        return not_found(request)
    if request.method == "POST":
        run_action(
            request,
            lambda: posts.comment_delete(author=member, comment_id=comment_id),
            _("Your comment is deleted."),
        )
    return HttpResponseRedirect(reverse("web:post", args=[comment.post_id]) + "#comments")


@member_page
def comment_report(request: HttpRequest, member: Member, comment_id: int) -> HttpResponse:
    """Report a comment to the platform, citing one of the convention's categories."""
    try:
        comment = post_selectors.comment_for_viewer(comment_id)
    except NotFound:
        return not_found(request)
    back = reverse("web:post", args=[comment.post_id]) + f"#comment-{comment.pk}"
    if post_selectors.comments_reported_by(member, [comment.pk]):
        messages.info(request, _("You have already reported this comment."))
        return HttpResponseRedirect(back)
    form = PostReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = run_action(
            request,
            lambda: posts.comment_report(
                reporter=member,
                comment_id=comment.pk,
                category=form.cleaned_data["category"],
                note=form.cleaned_data["note"],
            ),
            _("Thank you. The platform will review this comment."),
            form=form,
        )
        if outcome:
            return HttpResponseRedirect(back)
        if isinstance(outcome.error, post_rules.AlreadyReported):
            messages.info(request, outcome.error.message)
            return HttpResponseRedirect(back)
    return render(
        request, "web/buyer/comment_report.html", {"form": form, "comment": comment, "back": back}
    )
