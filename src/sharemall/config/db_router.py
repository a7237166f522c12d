"""The database router installed when DATABASE_REPLICA_URL sets a `replica` alias.

Writes always go to the primary (`default`) and mark the request as having written; reads go
where `core.replica.read_alias()` says: the replica only inside `replica.reads()`, outside a
transaction, before the request wrote. The replica is a physical copy of the primary, so
nothing is migrated on it and objects from either may be related.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

from sharemall.core import replica

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ReplicaRouter:
    def db_for_read(self, model: type, **hints: Any) -> str:
        instance = hints.get("instance")
        return replica.read_alias(following=instance if isinstance(instance, Model) else None)

    def db_for_write(self, model: type, **hints: Any) -> str:
        replica.wrote()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


class ReplicaScopeMiddleware:
    """One read-your-writes scope per request; a request that is not a read (POST, PUT…)
    reads the primary throughout."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with replica.scope(writing=request.method not in SAFE_METHODS):
            return self.get_response(request)
