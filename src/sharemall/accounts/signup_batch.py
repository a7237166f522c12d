"""Group commit for one process's concurrent writes of the same shape (code sign-ups): what
arrives while a statement runs goes together in the next one, one statement and one commit for
all of it instead of one each.

There is no timer and no thread of its own. The first caller to arrive leads: it takes what is
queued (itself included) and runs it on its own database connection; callers arriving meanwhile
queue and wait. When the statement is done the leader hands each waiter its answer and, if more
have queued, wakes the first of them to lead the next statement. Alone, a caller runs its own
statement at once (a group of one), so nothing waits for company: a caller waits at most for
the statement ahead of its own, a few milliseconds. Items with the same key never share a
statement (a later one waits for the next).

What a group's statement guarantees is the statement's business (each row whole or not there,
as the sign-up statement's CTEs are); this module only keeps every caller's answer its own.
When the statement fails, every caller of the group is told to run alone (None), so one bad
row fails only its own caller.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

# How long a waiter trusts the statement ahead of it before it leaves the queue and runs alone.
PATIENCE_SECONDS = 30.0


@dataclass(eq=False)
class _Waiter[Item, Answer]:
    item: Item
    key: Hashable
    woken: threading.Event = field(default_factory=threading.Event)
    answer: Answer | None = None
    lead: bool = False  # woken to run the next statement itself


class GroupCommit[Item, Answer]:
    """`run(items)` writes items (distinct keys) in one statement on the calling thread's
    connection and answers each one's result by key; at most `most` items a statement."""

    def __init__(
        self,
        run: Callable[[list[Item]], dict[Hashable, Answer]],
        key: Callable[[Item], Hashable],
        most: int = 64,
    ) -> None:
        self._run = run
        self._key = key
        self._most = most
        self._lock = threading.Lock()
        self._queue: list[_Waiter[Item, Answer]] = []
        self._leading = False
        self.statements = 0  # statements run and items written: the group size, for benches
        self.items = 0

    def submit(self, item: Item) -> Answer | None:
        """The item's answer, written together with whatever else was waiting; None when its
        group's statement failed (the caller runs the item alone)."""
        me: _Waiter[Item, Answer] = _Waiter(item, self._key(item))
        with self._lock:
            self._queue.append(me)
            lead = not self._leading
            self._leading = True
        if not lead and not self._wait(me):
            return me.answer  # answered by another caller's statement, or None: run alone
        while True:
            group = self._take()
            failure: BaseException | None = None
            try:
                answers = self._run([w.item for w in group])
            except Exception:
                answers = {}  # each caller runs alone
            except BaseException as exc:  # an interrupt: nobody may be left waiting for us
                answers, failure = {}, exc
            self.statements += 1
            self.items += len(group)
            for waiter in group:
                waiter.answer = answers.get(waiter.key)
            mine = me in group
            if failure is not None:
                with self._lock:  # our item is not written by anyone else after we are gone
                    if me in self._queue:
                        self._queue.remove(me)
            if mine or failure is not None:
                self._hand_over()
            for waiter in group:
                if waiter is not me:
                    waiter.woken.set()
            if failure is not None:
                raise failure
            if mine:
                return me.answer

    def _wait(self, me: _Waiter[Item, Answer]) -> bool:
        """Wait to be answered (False) or to lead the next statement (True). A waiter whose
        statement ahead takes too long leaves the queue unanswered (False, answer None)."""
        if not me.woken.wait(PATIENCE_SECONDS):
            with self._lock:
                if me in self._queue and not me.lead:
                    self._queue.remove(me)
                    return False
            me.woken.wait()  # taken by a statement running now, or just handed the lead
        return me.lead

    def _take(self) -> list[_Waiter[Item, Answer]]:
        """The next group: queued items in order, distinct keys, at most `most`."""
        with self._lock:
            group: list[_Waiter[Item, Answer]] = []
            keys: set[Hashable] = set()
            rest: list[_Waiter[Item, Answer]] = []
            for waiter in self._queue:
                if len(group) < self._most and waiter.key not in keys:
                    group.append(waiter)
                    keys.add(waiter.key)
                else:
                    rest.append(waiter)
            self._queue = rest
            return group

    def _hand_over(self) -> None:
        """The lead to the first waiter still queued, or nobody leads."""
        with self._lock:
            if not self._queue:
                self._leading = False
                return
            following = self._queue[0]
            following.lead = True
        following.woken.set()
