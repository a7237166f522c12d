from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from sharemall.core.errors import DomainError
from sharemall.posts import rules, services
from sharemall.posts.models import BannedWord, ModerationEvent, Post, PostReport


class ReportInline(admin.TabularInline):
    model = PostReport
    extra = 0
    can_delete = False
    readonly_fields = ("reporter", "reason", "note", "created_at", "resolved_at")


class ModerationInline(admin.TabularInline):
    model = ModerationEvent
    extra = 0
    can_delete = False
    readonly_fields = ("actor", "action", "rule", "note", "created_at")


def _hide_action(rule: str, label: Any) -> Any:
    def hide(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        for post in queryset:
            try:
                services.post_hide(operator=request.user, post_id=post.pk, rule=rule)  # type: ignore[arg-type]
            except DomainError as refused:
                modeladmin.message_user(request, f"{post}: {refused.message}", messages.WARNING)

    hide.__name__ = f"hide_{rule}"
    return admin.action(description=format_lazy("{}: {}", _("Hide"), label))(hide)


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    """Posts can be hidden for a stated rule or restored; never edited or deleted here."""

    list_display = ("id", "product", "author", "rating", "status", "hidden_rule", "created_at")
    list_filter = ("status", "rating", "hidden_rule")
    search_fields = ("text", "author__phone")
    readonly_fields = [f.name for f in Post._meta.fields]
    inlines = (ReportInline, ModerationInline)
    actions = [
        *(_hide_action(rule, label) for rule, label in rules.RULINGS.items()),
        "restore",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Restore hidden posts"))
    def restore(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        for post in queryset:
            try:
                services.post_restore(operator=request.user, post_id=post.pk)  # type: ignore[arg-type]
            except DomainError as refused:
                self.message_user(request, f"{post}: {refused.message}", messages.WARNING)


@admin.register(BannedWord)
class BannedWordAdmin(admin.ModelAdmin):
    list_display = ("word", "created_at")
    search_fields = ("word",)
    fields = ("word",)
