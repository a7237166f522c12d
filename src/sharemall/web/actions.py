"""Running the write a page asks for, the same way on every page.

A service refuses with a DomainError (the API answers it with a 4xx); a page shows the refusal
instead: as the form's error when the page re-renders a form, else as an error message on the
page it goes back to. A write that went through shows its success message.

A decision posted from a list (a row's small form, or the batch bar) does not re-render: it
goes back to the list. `run_form_action` and `run_form_batch` check the posted form first and
show what is wrong with it as messages there, so such a view is: find the row, run, go back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from sharemall.core.errors import DomainError

type Message = str


@dataclass(frozen=True)
class Outcome[T]:
    """What came of an action: its result, or the refusal. True when it went through."""

    result: T | None = None
    error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.error is None

    @property
    def value(self) -> T:
        """The action's result; only asked for once it went through."""
        if self.error is not None:
            raise self.error
        return cast("T", self.result)


def run_action[T](
    request: HttpRequest,
    action: Callable[[], T],
    success: Message | Callable[[T], Message] | None = None,
    *,
    form: forms.Form | None = None,
    error_fields: Mapping[str, str | None] | None = None,
    field: str | None = None,
) -> Outcome[T]:
    """Run `action`. A refusal becomes the form's error (on the field `error_fields` names for
    its code, else on `field`, else on the whole form) or, without a form, an error message;
    success shows `success` (text, or made from the action's result)."""
    try:
        value = action()
    except DomainError as exc:
        if form is not None:
            form.add_error((error_fields or {}).get(exc.code, field), exc.message)
        else:
            messages.error(request, exc.message)
        return Outcome(error=exc)
    if success is not None:
        messages.success(request, success(value) if callable(success) else success)
    return Outcome(result=value)


@dataclass(frozen=True)
class BatchReport:
    """What came of a batch: the items that went through and those refused, with why."""

    done: list[str]
    refused: list[tuple[str, str]]


def run_batch[K](
    request: HttpRequest,
    keys: Iterable[K],
    action: Callable[[K], object],
    *,
    name: Callable[[K], str],
    done: Callable[[int], Message],
) -> BatchReport:
    """Run `action` on each item, one after the other, and say how each went.

    Each call is the owning service's own unit of work, committed (or refused) on its own: one
    refusal stops nothing else, and nothing is undone because another item failed. No
    transaction is opened around a call here, because some services must commit before they
    talk to a provider (a payout). An item named twice runs once.
    """
    report = BatchReport(done=[], refused=[])
    for key in dict.fromkeys(keys):
        try:
            action(key)
        except DomainError as exc:
            report.refused.append((name(key), exc.message))
        else:
            report.done.append(name(key))
    if report.done:
        messages.success(request, done(len(report.done)))
    for item, why in report.refused:
        messages.error(request, _("%(item)s: %(reason)s") % {"item": item, "reason": why})
    return report


def form_errors_as_messages(request: HttpRequest, form: forms.Form) -> None:
    """A form's errors as error messages, for a page that redirects instead of re-rendering."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))


def run_form_action[T](
    request: HttpRequest,
    form: forms.Form | None,
    action: Callable[[dict[str, Any]], T],
    success: Message | Callable[[T], Message] | None = None,
) -> Outcome[T] | None:
    """Run `action` with the form's cleaned data (an empty dict without a form). An invalid
    form runs nothing and returns None, its errors shown as messages."""
    if form is not None and not form.is_valid():
        form_errors_as_messages(request, form)
        return None
    data = form.cleaned_data if form is not None else {}
    return run_action(request, lambda: action(data), success)


def run_form_batch[K](
    request: HttpRequest,
    form: forms.Form | None,
    keys: Iterable[K],
    action: Callable[[K, dict[str, Any]], object],
    *,
    name: Callable[[K], str],
    done: Callable[[int], Message],
) -> BatchReport | None:
    """`run_batch` with one form for every item (the batch bar's rule or note): an invalid form
    runs nothing and returns None, its errors shown as messages."""
    if form is not None and not form.is_valid():
        form_errors_as_messages(request, form)
        return None
    data = form.cleaned_data if form is not None else {}
    return run_batch(request, keys, lambda key: action(key, data), name=name, done=done)
