from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharemall.catalog.models import Product
from sharemall.core.models import Photo, StatusEvent
from sharemall.orders.models import OrderLine
from sharemall.posts import rules
from sharemall.sharing.models import ShareLink


class Post(models.Model):
    """A verified buyer's experience of one order line: text, rating, photos and the author's
    share link, through which readers buy with the share discount."""

    class Status(models.TextChoices):
        VISIBLE = rules.VISIBLE, _("visible")
        HIDDEN = rules.HIDDEN, _("hidden by the platform")
        DELETED = rules.DELETED, _("deleted by the author")
        HELD = rules.HELD, _("held for review")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts"
    )
    # One post per order line, kept by the database: two concurrent posts cannot both land.
    order_line = models.OneToOneField(OrderLine, on_delete=models.PROTECT, related_name="post")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="posts")
    text = models.TextField(_("text"), max_length=rules.TEXT_MAX_LENGTH)
    rating = models.PositiveSmallIntegerField(_("rating"))
    share_link = models.ForeignKey(
        ShareLink, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=rules.VISIBLE
    )
    hidden_rule = models.CharField(_("rule"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("experience post")
        verbose_name_plural = _("experience posts")
        indexes = [
            models.Index(fields=["product", "status", "-created_at"]),
            models.Index(fields=["author", "-created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=rules.RATING_MIN) & Q(rating__lte=rules.RATING_MAX),
                name="post_rating_in_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=rules.STATUSES), name="post_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status=rules.HIDDEN) | ~Q(hidden_rule=""),
                name="post_hidden_states_its_rule",
            ),
        ]

    def __str__(self) -> str:
        return f"post {self.pk} on {self.product_id}"

    @property
    def hidden_rule_label(self) -> str:
        return rules.rule_label(self.hidden_rule) if self.hidden_rule else ""


class PostImage(Photo):
    """One of a post's photos."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="images")

    class Meta(Photo.Meta):
        constraints = [
            models.UniqueConstraint(fields=["post", "position"], name="post_image_position_once"),
        ]


class PostReport(models.Model):
    """A reader's report of a post to the platform; one per reader per post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=20)
    note = models.CharField(_("note"), max_length=rules.REPORT_NOTE_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Set when an operator rules on the post (hidden or kept): the report leaves the queue.
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("post report")
        verbose_name_plural = _("post reports")
        constraints = [
            models.UniqueConstraint(fields=["post", "reporter"], name="post_report_once"),
        ]
        indexes = [models.Index(fields=["resolved_at", "created_at"])]

    def __str__(self) -> str:
        return f"{self.reason} on post {self.post_id}"


class ModerationEvent(StatusEvent):
    """Who hid, restored, kept or deleted a post, when, citing which rule and why: the post's
    trail. A "keep" ruling leaves the status as it was (from and to are the same)."""

    HIDE, RESTORE, KEEP, DELETE = "hide", "restore", "keep", "delete"
    # HOLD: the post copies another author's (written by the system, actor = the author);
    # APPROVE: an operator let a held post through.
    HOLD, APPROVE = "hold", "approve"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="moderation")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=10)
    rule = models.CharField(max_length=20, blank=True)
    note = models.CharField(max_length=rules.MODERATION_NOTE_MAX_LENGTH, blank=True)

    class Meta(StatusEvent.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.action} post {self.post_id}"


class BannedWord(models.Model):
    """A word no post may contain, besides the built-in list; kept by operators."""

    word = models.CharField(_("word"), max_length=rules.BANNED_WORD_MAX_LENGTH, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("banned word")
        verbose_name_plural = _("banned words")
        ordering = ["word"]

    def __str__(self) -> str:
        return self.word


class PostFingerprint(models.Model):
    """A post's MinHash signature (posts.similarity), kept to score later posts against it."""

    post = models.OneToOneField(
        Post, on_delete=models.CASCADE, primary_key=True, related_name="fingerprint"
    )
    signature = models.BinaryField()

    def __str__(self) -> str:
        return f"fingerprint of post {self.post_id}"


class PostBand(models.Model):
    """One LSH band key of a post's signature: posts sharing a (band, key) are candidates for
    near-duplicates, found through the (band, key) index rather than a scan of every post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="bands")
    band = models.PositiveSmallIntegerField()
    key = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["band", "key"], name="post_band_lookup")]
        constraints = [models.UniqueConstraint(fields=["post", "band"], name="post_band_once")]

    def __str__(self) -> str:
        return f"band {self.band} of post {self.post_id}"


class PostCopy(models.Model):
    """A held post and an earlier post by another author it nearly copies, with the estimated
    similarity: what the operator compares before approving or hiding."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="copies_of")
    original = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="copied_by")
    similarity = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "original"], name="post_copy_once"),
        ]

    def __str__(self) -> str:
        return f"post {self.post_id} copies {self.original_id}"


class PostComment(models.Model):
    """A member's comment on a post (PRODUCT §6, §14): moderated like posts."""

    class Status(models.TextChoices):
        VISIBLE = rules.VISIBLE, _("visible")
        HIDDEN = rules.HIDDEN, _("hidden by the platform")
        DELETED = rules.DELETED, _("deleted by the author")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="post_comments"
    )
    text = models.TextField(_("text"), max_length=rules.COMMENT_MAX_LENGTH)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=rules.VISIBLE
    )
    hidden_rule = models.CharField(_("rule"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            models.Index(fields=["post", "status", "created_at"]),
            # The daily limit counts a member's recent comments.
            models.Index(fields=["author", "-created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=rules.COMMENT_STATUSES), name="comment_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status=rules.HIDDEN) | ~Q(hidden_rule=""),
                name="comment_hidden_states_its_rule",
            ),
        ]

    def __str__(self) -> str:
        return f"comment {self.pk} on post {self.post_id}"

    @property
    def hidden_rule_label(self) -> str:
        return rules.rule_label(self.hidden_rule) if self.hidden_rule else ""


class CommentReport(models.Model):
    """A member's report of a comment, citing a convention category; one per member per comment."""

    comment = models.ForeignKey(PostComment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    category = models.CharField(_("category"), max_length=20)
    note = models.CharField(_("note"), max_length=rules.REPORT_NOTE_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("comment report")
        verbose_name_plural = _("comment reports")
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="comment_report_once"),
        ]
        indexes = [models.Index(fields=["resolved_at", "created_at"])]

    def __str__(self) -> str:
        return f"{self.category} on comment {self.comment_id}"


class CommentEvent(StatusEvent):
    """A comment's trail: who hid, restored, kept or deleted it, citing which rule and why."""

    HIDE, RESTORE, KEEP, DELETE = "hide", "restore", "keep", "delete"

    comment = models.ForeignKey(PostComment, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10)
    rule = models.CharField(max_length=20, blank=True)

    class Meta(StatusEvent.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.action} comment {self.comment_id}"
