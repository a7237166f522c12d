import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sharemall.config.settings")
django_application = get_wsgi_application()

# Imported only now: the fast path's models need the apps that get_wsgi_application set up.
from sharemall.core import edge  # noqa: E402
from sharemall.promotions.services import flash  # noqa: E402
from sharemall.sharing import ingest  # noqa: E402

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# What a request's environ legitimately carries besides HTTP_* headers and wsgi.* keys.
_CGI_KEYS = frozenset(
    {
        "REQUEST_METHOD",
        "SCRIPT_NAME",
        "PATH_INFO",
        "QUERY_STRING",
        "CONTENT_TYPE",
        "CONTENT_LENGTH",
        "SERVER_NAME",
        "SERVER_PORT",
        "SERVER_PROTOCOL",
        "REMOTE_ADDR",
        "REMOTE_HOST",
        "REMOTE_PORT",
        "RAW_URI",
    }
)


def without_process_environment(app: WsgiApp, process_env: Iterable[str]) -> WsgiApp:
    """granian copies the server's environment variables into every request's environ, where
    Django's error reports would print them (DATABASE_URL with its password, SECRET_KEY)."""
    leaked = frozenset(
        key
        for key in process_env
        if not key.startswith(("HTTP_", "wsgi.")) and key not in _CGI_KEYS
    )

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        for key in leaked & environ.keys():
            del environ[key]
        return app(environ, start_response)

    return application


# Every order placed and paid goes through these: an app's cookie-less calls of them take the
# lean way in (core.edge, docs/adr/0019), the same operations with fewer middlewares.
HOT_ROUTES = (
    edge.Route("POST", "api/v1/orders"),
    edge.Route("POST", "api/v1/payments/sandbox/<payment_id>/complete"),
    edge.Route("POST", "api/v1/payments/notify/<provider>"),
)

# Anonymous share-link clicks are answered in front of Django (docs/adr/0007), and so are orders
# of a flash sale that is sold out or over (from the Redis gate with REDIS_URL, else from what
# this process last read: promotions.services.flash.front); everything else reaches Django
# without the process environment.
application = ingest.wrap(
    flash.front(
        without_process_environment(edge.front(HOT_ROUTES, django_application), list(os.environ))
    )
)
