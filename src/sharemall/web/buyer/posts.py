"""Writing an experience post about a bought product."""

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
from sharemall.web.buyer.common import _buyer_order
from sharemall.web.buyer.forms import PostForm
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
