"""Pure rules for experience posts and their comments (PRODUCT §6.1–6.2, §14): limits,
moderation rules, banned words, comment rate limits."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from sharemall.community.rules import CATEGORIES
from sharemall.core.errors import DomainError
from sharemall.core.i18n import gettext as _
from sharemall.core.i18n import gettext_lazy
from sharemall.core.transitions import StateMachine

TEXT_MAX_LENGTH = 2000
MAX_IMAGES = 9
RATING_MIN, RATING_MAX = 1, 5
THUMBNAIL_SIDE = 480

VISIBLE, HIDDEN, DELETED = "visible", "hidden", "deleted"
# Held: a near-duplicate of another author's post (同质化), waiting for an operator. Not public,
# not shareable; its author sees it as under review.
HELD = "held"
STATUSES = (VISIBLE, HIDDEN, DELETED, HELD)
POST = StateMachine(
    "post",
    {
        VISIBLE: {HIDDEN, DELETED},
        HIDDEN: {VISIBLE, DELETED},
        HELD: {VISIBLE, HIDDEN, DELETED},
    },
    event_model="posts.ModerationEvent",
    event_fk="post",
)

# Comments on a post: the same moderation as posts, without a held state (too short to copy).
COMMENT_STATUSES = (VISIBLE, HIDDEN, DELETED)
COMMENT = StateMachine(
    "comment",
    {VISIBLE: {HIDDEN, DELETED}, HIDDEN: {VISIBLE, DELETED}},
    event_model="posts.CommentEvent",
    event_fk="comment",
)
COMMENT_MAX_LENGTH = 500
# A member's comments: at least this many seconds apart, at most this many in 24 hours. Enough
# for a conversation, too slow for a bot pasting ads under every post.
COMMENT_GAP_SECONDS = 10
COMMENTS_PER_DAY = 50

# The rules operators cited when hiding a post before the community convention. Rulings now cite
# the convention's categories (RULINGS); these codes stay accepted so old rows and callers work.
# Merchants have no say either way: a negative but genuine post stays up (PRODUCT §6.2).
HIDE_RULES = {
    "spam": gettext_lazy("Advertising or spam"),
    "illegal": gettext_lazy("Illegal or prohibited content"),
    "privacy": gettext_lazy("Exposes someone's personal information"),
    "abuse": gettext_lazy("Abuse, harassment or hate"),
    "not_genuine": gettext_lazy("Not a genuine experience of the product"),
}
# What a reader reports a post for: the categories of the community convention (PRODUCT §14),
# by their convention codes. Reports filed before the convention may carry an older code (a hide
# rule, or "other"); REPORT_LABELS still names those in the queue.
REPORT_REASONS = CATEGORIES
# What an operator cites when hiding a post or a comment: a convention category.
RULINGS = CATEGORIES
# Every code a hide may carry, legacy ones included, with its label (the convention's wins).
RULE_LABELS = {**HIDE_RULES, **CATEGORIES}
REPORT_LABELS = {
    **HIDE_RULES,
    "other": gettext_lazy("Something else"),
    **REPORT_REASONS,
}
REPORT_NOTE_MAX_LENGTH = 500
MODERATION_NOTE_MAX_LENGTH = 500
BANNED_WORD_MAX_LENGTH = 40

# Words refused out of the box: the 微商 patterns posts exist to keep out (luring readers to a
# private channel, recruiting downlines, fake reviews). Operators add more in the back office.
DEFAULT_BANNED_WORDS = (
    "加微信",
    "加我微信",
    "私聊下单",
    "招代理",
    "代理招募",
    "躺赚",
    "刷单",
    "返现好评",
    "好评返现",
)

# Separators people slip between the characters of a banned word ("加 微-信") to dodge a filter.
_FILLER = re.compile(r"[\s\W_]+", re.UNICODE)


class NotEligible(DomainError):
    code = "not_eligible"


class InvalidPost(DomainError):
    code = "invalid_post"


class BannedWords(DomainError):
    code = "banned_words"


class InvalidModeration(DomainError):
    code = "invalid_moderation"


class AlreadyReported(DomainError):
    code = "already_reported"
    status = 409


def normalize_for_matching(text: str) -> str:
    """Full-width to half-width, case folded, separators removed: what the filter compares."""
    return _FILLER.sub("", unicodedata.normalize("NFKC", text).casefold())


def banned_words_in(text: str, words: Iterable[str]) -> list[str]:
    """The banned words the text contains, in the order given, each once."""
    haystack = normalize_for_matching(text)
    found: list[str] = []
    for word in words:
        needle = normalize_for_matching(word)
        if needle and needle in haystack and word not in found:
            found.append(word)
    return found


def clean_text(text: str | None) -> str:
    value = (text or "").strip()
    if not value:
        raise InvalidPost(_("Tell other buyers about your experience: the text is empty."))
    if len(value) > TEXT_MAX_LENGTH:
        raise InvalidPost(_("A post is at most %(n)d characters long.") % {"n": TEXT_MAX_LENGTH})
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in value):
        raise InvalidPost(_("The text contains control characters."))
    return value


def check_rating(rating: int) -> int:
    if isinstance(rating, bool) or not RATING_MIN <= rating <= RATING_MAX:
        raise InvalidPost(
            _("The rating is a whole number from %(lo)d to %(hi)d.")
            % {"lo": RATING_MIN, "hi": RATING_MAX}
        )
    return rating


def check_image_count(count: int) -> None:
    if count > MAX_IMAGES:
        raise InvalidPost(_("A post has at most %(n)d photos.") % {"n": MAX_IMAGES})


def check_hide_rule(rule: str) -> str:
    """A convention category; a pre-convention hide rule is still accepted."""
    if rule not in RULE_LABELS:
        raise InvalidModeration(
            _("Cite one of the convention's categories: %(rules)s.") % {"rules": ", ".join(RULINGS)}
        )
    return rule


def rule_label(rule: str) -> str:
    label = RULE_LABELS.get(rule)
    return str(label) if label is not None else rule


def rule_msgid(rule: str) -> str:
    """The untranslated label: a notice stores it and translates it when read."""
    label = RULE_LABELS.get(rule)
    return label.message if label is not None else rule


def check_report_reason(reason: str) -> str:
    if reason not in REPORT_REASONS:
        raise InvalidPost(
            _("Report one of the convention's categories: %(reasons)s.")
            % {"reasons": ", ".join(REPORT_REASONS)}
        )
    return reason


def clean_comment(text: str | None) -> str:
    value = (text or "").strip()
    if not value:
        raise InvalidPost(_("The comment is empty."))
    if len(value) > COMMENT_MAX_LENGTH:
        raise InvalidPost(
            _("A comment is at most %(n)d characters long.") % {"n": COMMENT_MAX_LENGTH}
        )
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in value):
        raise InvalidPost(_("The text contains control characters."))
    return value


def clean_note(note: str | None, *, limit: int) -> str:
    value = (note or "").strip()
    if len(value) > limit:
        raise InvalidPost(_("The note is at most %(n)d characters long.") % {"n": limit})
    return value


def clean_banned_word(word: str | None) -> str:
    value = (word or "").strip()
    if not normalize_for_matching(value) or len(value) > BANNED_WORD_MAX_LENGTH:
        raise InvalidPost(
            _("A banned word has 1 to %(n)d characters, not only spaces or punctuation.")
            % {"n": BANNED_WORD_MAX_LENGTH}
        )
    return value
