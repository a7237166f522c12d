"""Translation for the pure modules (rules, money), which import no Django.

Rules speak to people: they refuse with a message. The message is written here with `_()` as
anywhere else (so `makemessages` finds it), but translating it needs Django's catalogues, which a
pure module may not import. So this module holds a translator that the core app installs when
Django is ready (`CoreConfig.ready()`); until then, e.g. in a plain unit test of a rule, a
message is its English msgid.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

Translator = Callable[[str], str]


def _untranslated(message: str) -> str:
    return message


_translator: Translator = _untranslated


def use_translator(translator: Translator) -> None:
    global _translator  # noqa: PLW0603 - installed once, when the app registry is ready
    _translator = translator


def gettext(message: str) -> str:
    return _translator(message)


class LazyText:
    """A label translated each time it is shown, in the language active then (a lazy msgid)."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message

    def __str__(self) -> str:
        return _translator(self.message)

    def __repr__(self) -> str:
        return f"LazyText({self.message!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyText):
            return self.message == other.message
        return str(self) == other

    def __hash__(self) -> int:
        return hash(self.message)


def gettext_lazy(message: str) -> LazyText:
    return LazyText(message)


def system_note(
    text: str,
    labels: Mapping[str, LazyText],
    prefixes: Mapping[str, LazyText] | None = None,
) -> str:
    """A note or reason the system wrote, in the reader's language.

    The system writes its notes as fixed English phrases (they are what the database and the API
    keep, so they never change with the language of whoever caused them); each owning app maps
    its phrases to labels. A phrase that starts with a known prefix ("ruling: …") keeps the
    operator's words after it, inserted as `%(text)s` into the prefix's label. Anything else is a
    person's own words and is shown as written.
    """
    label = labels.get(text)
    if label is not None:
        return str(label)
    for prefix, template in (prefixes or {}).items():
        if text.startswith(prefix):
            return str(template) % {"text": text[len(prefix) :]}
    return text
