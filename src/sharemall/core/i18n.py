"""Translation for the pure modules (rules, money), which import no Django.

Rules speak to people: they refuse with a message. The message is written here with `_()` as
anywhere else (so `makemessages` finds it), but translating it needs Django's catalogues, which a
pure module may not import. So this module holds a translator that the core app installs when
Django is ready (`CoreConfig.ready()`); until then, e.g. in a plain unit test of a rule, a
message is its English msgid.
"""

from __future__ import annotations

from collections.abc import Callable

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
