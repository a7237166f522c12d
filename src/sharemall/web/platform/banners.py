"""The home carousel's banners, kept by operators: list, add, edit, switch on or off, delete."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, re_path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sharemall.accounts.models import Member
from sharemall.core.errors import DomainError
from sharemall.core.images import read_image_upload
from sharemall.showcase import rules, selectors, services
from sharemall.showcase.models import Banner
from sharemall.web.access import not_found, operator_page
from sharemall.web.actions import run_action
from sharemall.web.forms import PageForm
from sharemall.web.platform.common import _found, _post_only

IMAGE_TYPES = "image/jpeg,image/png,image/webp"
# Which form field a refusal from the services belongs to.
ERROR_FIELDS = {"invalid_image": "image"}


class BannerForm(PageForm):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=rules.TITLE_MAX)
    image = forms.FileField(
        label=gettext_lazy("Picture"),
        help_text=gettext_lazy("JPEG, PNG or WebP, about 750 × 300 pixels (5:2)."),
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_TYPES}),
    )
    link_url = forms.CharField(
        label=gettext_lazy("Link"),
        max_length=rules.LINK_MAX,
        required=False,
        help_text=gettext_lazy("A path on this site such as /p/12, or an https:// address."),
    )
    position = forms.IntegerField(
        label=gettext_lazy("Position"),
        min_value=0,
        max_value=1_000_000,
        initial=0,
        help_text=gettext_lazy("Lower numbers show first."),
    )
    is_active = forms.BooleanField(label=gettext_lazy("Show it"), required=False, initial=True)
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Starts at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("Ends at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["image"].required = False
            self.fields["image"].help_text = _("Leave empty to keep the current picture.")

    def clean_link_url(self) -> str:
        try:
            return rules.clean_link(self.cleaned_data.get("link_url", ""))
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("A banner must end after it starts."))
        return data

    def picture(self) -> bytes | None:
        upload = self.cleaned_data.get("image")
        return read_image_upload(upload) if upload else None


def _fields(form: BannerForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "link_url": data["link_url"],
        "position": data["position"],
        "is_active": data["is_active"],
        "starts_at": data["starts_at"],
        "ends_at": data["ends_at"],
    }


def _list() -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("web:platform_banners"))


@operator_page
def banners(request: HttpRequest, member: Member) -> HttpResponse:
    now = timezone.now()
    rows = [(banner, banner.showing_now) for banner in selectors.banners_all()]
    return render(
        request,
        "web/platform/banners.html",
        {"rows": rows, "now": now, "showing": sum(1 for _, on in rows if on)},
    )


@operator_page
def banner_new(request: HttpRequest, member: Member) -> HttpResponse:
    form = BannerForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        created = run_action(
            request,
            lambda: services.banner_create(image=form.picture() or b"", **_fields(form)),
            _("The banner was added."),
            form=form,
            error_fields=ERROR_FIELDS,
        )
        if created:
            return _list()
    return render(request, "web/platform/banners_form.html", {"form": form, "banner": None})


@operator_page
def banner_edit(request: HttpRequest, member: Member, banner_id: str) -> HttpResponse:
    banner = _found(lambda: selectors.banner_by_id(int(banner_id)))
    if banner is None:
        return not_found(request)
    if request.method == "POST":
        form = BannerForm(request.POST, request.FILES, editing=True)
        if form.is_valid():
            saved = run_action(
                request,
                lambda: services.banner_update(banner, image=form.picture(), **_fields(form)),
                _("The banner was saved."),
                form=form,
                error_fields=ERROR_FIELDS,
            )
            if saved:
                return _list()
    else:
        form = BannerForm(initial=_initial(banner), editing=True)
    return render(request, "web/platform/banners_form.html", {"form": form, "banner": banner})


def _initial(banner: Banner) -> dict[str, Any]:
    local = timezone.localtime
    return {
        "title": banner.title,
        "link_url": banner.link_url,
        "position": banner.position,
        "is_active": banner.is_active,
        "starts_at": local(banner.starts_at) if banner.starts_at else None,
        "ends_at": local(banner.ends_at) if banner.ends_at else None,
    }


@operator_page
@_post_only
def banner_toggle(request: HttpRequest, member: Member, banner_id: str) -> HttpResponse:
    banner = _found(lambda: selectors.banner_by_id(int(banner_id)))
    if banner is None:
        return not_found(request)
    run_action(
        request,
        lambda: services.banner_toggle(banner),
        lambda b: _("The banner is shown.") if b.is_active else _("The banner is hidden."),
    )
    return _list()


@operator_page
@_post_only
def banner_delete(request: HttpRequest, member: Member, banner_id: str) -> HttpResponse:
    banner = _found(lambda: selectors.banner_by_id(int(banner_id)))
    if banner is None:
        return not_found(request)
    run_action(request, lambda: services.banner_delete(banner), _("The banner was deleted."))
    return _list()


# Spliced into web/platform/urls.py (under "platform/"). Ids have at most 18 digits, as the
# area's converter allows (longer numbers name nothing and must not reach SQL); that converter
# is registered by urls.py after importing this module, hence the patterns.
_ID = r"(?P<banner_id>[0-9]{1,18})"
urlpatterns: list[URLPattern] = [
    path("banners", banners, name="platform_banners"),
    path("banners/new", banner_new, name="platform_banner_new"),
    re_path(rf"^banners/{_ID}$", banner_edit, name="platform_banner_edit"),
    re_path(rf"^banners/{_ID}/toggle$", banner_toggle, name="platform_banner_toggle"),
    re_path(rf"^banners/{_ID}/delete$", banner_delete, name="platform_banner_delete"),
]
