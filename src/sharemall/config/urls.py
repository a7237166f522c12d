from pathlib import PurePosixPath

from django.conf import settings
from django.contrib import admin
from django.http import Http404, HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.static import serve as serve_file

from sharemall.config.api import api
from sharemall.core.images import CONTENT_TYPES


@csrf_exempt
def api_not_found(request: HttpRequest, rest: str) -> JsonResponse:
    return JsonResponse(
        {"error": {"code": "not_found", "message": "No such API endpoint."}}, status=404
    )


def serve_media(request: HttpRequest, path: str) -> HttpResponseBase:
    """Uploaded images only, typed by our own table rather than the host's mime.types, and never
    sniffed: a stray .html or .svg in the media folder must not become a page on our origin."""
    content_type = CONTENT_TYPES.get(PurePosixPath(path).suffix.lower().lstrip("."))
    if content_type is None:
        raise Http404
    response = serve_file(request, path, document_root=str(settings.MEDIA_ROOT))
    if response.status_code == 200:
        response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", api_not_found),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Uploaded media. Behind a CDN or object storage in production, this is never reached.
    re_path(r"^media/(?P<path>.*)$", serve_media),
    path("", include("sharemall.web.urls")),
]
if settings.WECHAT_SANDBOX:  # WeChat's servers, simulated: never mounted in production
    urlpatterns.insert(0, path("wechat-sim/", include("sharemall.wechat_sim.urls")))
