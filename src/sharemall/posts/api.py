from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Form, Query, Router, Status
from ninja.files import UploadedFile
from ninja.params import functions as params

from sharemall.accounts.auth import (
    caller,
    member_auth,
    optional_auth,
    require_member,
    require_operator,
)
from sharemall.core.errors import NotFound
from sharemall.core.images import read_image_upload
from sharemall.core.schemas import PageQuery
from sharemall.posts import rules, selectors, services
from sharemall.posts.models import CommentReport, Post, PostComment, PostReport
from sharemall.posts.schemas import (
    BannedWordIn,
    BannedWordOut,
    CommentIn,
    CommentModerationOut,
    CommentOut,
    CommentReportIn,
    CommentReportOut,
    HeldPostOut,
    HideIn,
    ModerationOut,
    MyPostOut,
    NoteIn,
    PostableLineOut,
    PostCreatedOut,
    PostOut,
    PostRulesOut,
    ReportedCommentOut,
    ReportedPostOut,
    ReportIn,
    ReportOut,
)
from sharemall.sharing import rules as sharing_rules

router = Router(tags=["posts"])

# Photos are optional: a post may be words alone.
NO_PHOTOS = params.File(None)


def _share_url(code: str | None) -> str | None:
    return sharing_rules.share_url(settings.PUBLIC_BASE_URL, code) if code else None


def post_out(request: HttpRequest, post: Post) -> dict[str, Any]:
    images = list(post.images.all())
    code = post.share_link.code if post.share_link else None
    return {
        "id": post.pk,
        "author_id": post.author_id,
        "author_nickname": post.author.nickname,
        "product_id": post.product_id,
        "order_line_id": post.order_line_id,
        "text": post.text,
        "rating": post.rating,
        # Absolute addresses: an app or a poster can use them as they are.
        "images": [request.build_absolute_uri(i.image.url) for i in images],
        "thumbnails": [request.build_absolute_uri(i.thumbnail.url) for i in images],
        "share_code": code,
        "share_url": _share_url(code),
        "created_at": post.created_at,
        "status": post.status,
        "hidden_rule": post.hidden_rule,
        "hidden_rule_label": post.hidden_rule_label,
    }


@router.post("/posts", response={201: PostCreatedOut}, auth=member_auth)
def post_create(
    request: HttpRequest,
    order_line_id: Form[int],
    text: Form[str],
    rating: Form[int],
    images: list[UploadedFile] = NO_PHOTOS,
) -> Status[dict[str, Any]]:
    """Multipart: a buyer posts about a received order line, with up to 9 photos."""
    uploads = images or []
    rules.check_image_count(len(uploads))
    post = services.post_create(
        author=require_member(request),
        order_line_id=order_line_id,
        text=text,
        rating=rating,
        images=[read_image_upload(upload) for upload in uploads],
    )
    code = post.share_link.code if post.share_link else ""
    return Status(201, {"id": post.pk, "share_code": code, "share_url": _share_url(code) or ""})


@router.get("/products/{product_id}/posts", response=list[PostOut], auth=None)
def product_posts(
    request: HttpRequest, product_id: int, q: Query[PageQuery]
) -> list[dict[str, Any]]:
    posts = selectors.product_posts(product_id)[q.offset : q.offset + q.limit]
    return [post_out(request, post) for post in posts]


@router.get("/posts/{post_id}", response=MyPostOut, auth=optional_auth)
def post_detail(request: HttpRequest, post_id: int) -> dict[str, Any]:
    return post_out(request, selectors.post_for_viewer(post_id, caller(request)))


@router.delete("/posts/{post_id}", response={204: None}, auth=member_auth)
def post_delete(request: HttpRequest, post_id: int) -> Status[None]:
    services.post_delete(author=require_member(request), post_id=post_id)
    return Status(204, None)


@router.get("/me/posts", response=list[MyPostOut], auth=member_auth)
def my_posts(request: HttpRequest, q: Query[PageQuery]) -> list[dict[str, Any]]:
    posts = selectors.posts_of(require_member(request))[q.offset : q.offset + q.limit]
    return [post_out(request, post) for post in posts]


@router.get("/me/postable-lines", response=list[PostableLineOut], auth=member_auth)
def postable_lines(request: HttpRequest, q: Query[PageQuery]) -> list[dict[str, Any]]:
    lines = selectors.postable_lines(require_member(request))[q.offset : q.offset + q.limit]
    return [
        {
            "order_line_id": line.pk,
            "order_id": line.order_id,
            "product_id": line.product_id,
            "title": line.title,
            "sku_name": line.sku_name,
            "received_at": line.order.received_at,
        }
        for line in lines
    ]


@router.post("/posts/{post_id}/report", response={201: ReportOut}, auth=member_auth)
def post_report(request: HttpRequest, post_id: int, payload: ReportIn) -> Status[PostReport]:
    """A reader reports a post to the platform, citing a convention category; once per reader
    per post (a second report is 409 `already_reported`)."""
    report = services.post_report(
        reporter=require_member(request), post_id=post_id, reason=payload.chosen, note=payload.note
    )
    return Status(201, report)


@router.get("/posts-rules", response=PostRulesOut, auth=None)
def moderation_rules(request: HttpRequest) -> dict[str, list[dict[str, str]]]:
    """The convention categories a post or comment may be hidden for (older hide rule codes are
    still accepted), and those a reader may report one for."""
    return {
        "hide_rules": [{"code": k, "label": str(v)} for k, v in rules.RULINGS.items()],
        "report_reasons": [{"code": k, "label": str(v)} for k, v in rules.REPORT_REASONS.items()],
    }


# --- the platform ------------------------------------------------------------------------------


def _categories(counts: dict[str, int]) -> dict[str, Any]:
    """A queue row's open reports by convention category, most reported first (older report
    codes keep their label)."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    labelled = [
        {"code": code, "label": str(rules.REPORT_LABELS.get(code, code)), "count": n}
        for code, n in ranked
    ]
    top = labelled[0] if labelled else {"code": "", "label": ""}
    return {
        "reasons": counts,
        "category": top["code"],
        "category_label": top["label"],
        "categories": labelled,
    }


@router.get("/platform/post-reports", response=list[ReportedPostOut], auth=member_auth)
def report_queue(request: HttpRequest, q: Query[PageQuery]) -> list[dict[str, Any]]:
    require_operator(request)
    posts = list(selectors.report_queue()[q.offset : q.offset + q.limit])
    reasons = selectors.open_report_reasons([post.pk for post in posts])
    return [
        {
            **post_out(request, post),
            "open_reports": post.open_reports,  # type: ignore[attr-defined]
            "first_reported_at": post.first_reported_at,  # type: ignore[attr-defined]
            **_categories(reasons.get(post.pk, {})),
        }
        for post in posts
    ]


@router.post("/platform/posts/{post_id}/hide", response=ModerationOut, auth=member_auth)
def post_hide(request: HttpRequest, post_id: int, payload: HideIn) -> Post:
    return services.post_hide(
        operator=require_operator(request), post_id=post_id, rule=payload.rule, note=payload.note
    )


@router.post("/platform/posts/{post_id}/restore", response=ModerationOut, auth=member_auth)
def post_restore(request: HttpRequest, post_id: int, payload: NoteIn) -> Post:
    return services.post_restore(
        operator=require_operator(request), post_id=post_id, note=payload.note
    )


@router.get("/platform/held-posts", response=list[HeldPostOut], auth=member_auth)
def held_posts(request: HttpRequest, q: Query[PageQuery]) -> list[dict[str, Any]]:
    """Posts held as near-copies of other authors' posts (同质化), with what they copy."""
    require_operator(request)
    posts = list(selectors.held_posts()[q.offset : q.offset + q.limit])
    copies = selectors.copies_for([post.pk for post in posts])
    return [
        {
            **post_out(request, post),
            "copies": [
                {
                    "original_id": c.original_id,
                    "original_author_nickname": c.original.author.nickname,
                    "original_text": c.original.text,
                    "similarity": round(c.similarity, 3),
                }
                for c in copies.get(post.pk, [])
            ],
        }
        for post in posts
    ]


@router.post("/platform/posts/{post_id}/approve", response=ModerationOut, auth=member_auth)
def post_approve(request: HttpRequest, post_id: int, payload: NoteIn) -> Post:
    """A held post goes up after all."""
    return services.post_approve(
        operator=require_operator(request), post_id=post_id, note=payload.note
    )


@router.post("/platform/posts/{post_id}/keep", response=ModerationOut, auth=member_auth)
def post_keep(request: HttpRequest, post_id: int, payload: NoteIn) -> Post:
    return services.post_keep(
        operator=require_operator(request), post_id=post_id, note=payload.note
    )


@router.get("/platform/banned-words", response=list[BannedWordOut], auth=member_auth)
def banned_words(request: HttpRequest) -> list[dict[str, Any]]:
    require_operator(request)
    built_in = [{"id": None, "word": w, "built_in": True} for w in rules.DEFAULT_BANNED_WORDS]
    kept = [{"id": w.pk, "word": w.word, "built_in": False} for w in selectors.kept_banned_words()]
    return built_in + kept


@router.post("/platform/banned-words", response={201: BannedWordOut}, auth=member_auth)
def banned_word_add(request: HttpRequest, payload: BannedWordIn) -> Status[dict[str, Any]]:
    require_operator(request)
    word = services.banned_word_add(payload.word)
    return Status(201, {"id": word.pk, "word": word.word, "built_in": False})


@router.delete("/platform/banned-words/{word_id}", response={204: None}, auth=member_auth)
def banned_word_remove(request: HttpRequest, word_id: int) -> Status[None]:
    require_operator(request)
    services.banned_word_remove(word_id)
    return Status(204, None)


# --- comments ----------------------------------------------------------------------------------


def comment_out(comment: PostComment) -> dict[str, Any]:
    return {
        "id": comment.pk,
        "post_id": comment.post_id,
        "author_id": comment.author_id,
        "author_nickname": comment.author.nickname,
        "text": comment.text,
        "created_at": comment.created_at,
    }


@router.get("/posts/{post_id}/comments", response=list[CommentOut], auth=None)
def post_comments(request: HttpRequest, post_id: int, q: Query[PageQuery]) -> list[dict[str, Any]]:
    """A visible post's visible comments, oldest first."""
    if not selectors.post_is_public(post_id):
        raise NotFound(_("No such post."))
    return [comment_out(c) for c in selectors.post_comments(post_id)[q.offset : q.offset + q.limit]]


@router.post("/posts/{post_id}/comments", response={201: CommentOut}, auth=member_auth)
def comment_create(
    request: HttpRequest, post_id: int, payload: CommentIn
) -> Status[dict[str, Any]]:
    """A member comments on a visible post: refused while muted (403 `muted`), with banned
    words (400 `banned_words`) or too often (429 `rate_limited`)."""
    comment = services.comment_create(
        author=require_member(request), post_id=post_id, text=payload.text
    )
    return Status(201, comment_out(comment))


@router.delete("/comments/{comment_id}", response={204: None}, auth=member_auth)
def comment_delete(request: HttpRequest, comment_id: int) -> Status[None]:
    services.comment_delete(author=require_member(request), comment_id=comment_id)
    return Status(204, None)


@router.post("/comments/{comment_id}/report", response={201: CommentReportOut}, auth=member_auth)
def comment_report(
    request: HttpRequest, comment_id: int, payload: CommentReportIn
) -> Status[CommentReport]:
    """Report a comment citing a convention category; once per member per comment (409
    `already_reported`)."""
    report = services.comment_report(
        reporter=require_member(request),
        comment_id=comment_id,
        category=payload.category,
        note=payload.note,
    )
    return Status(201, report)


@router.get("/platform/comment-reports", response=list[ReportedCommentOut], auth=member_auth)
def comment_report_queue(request: HttpRequest, q: Query[PageQuery]) -> list[dict[str, Any]]:
    require_operator(request)
    comments = list(selectors.comment_report_queue()[q.offset : q.offset + q.limit])
    reasons = selectors.open_comment_report_reasons([c.pk for c in comments])
    return [
        {
            **comment_out(c),
            "status": c.status,
            "open_reports": c.open_reports,  # type: ignore[attr-defined]
            "first_reported_at": c.first_reported_at,  # type: ignore[attr-defined]
            **_categories(reasons.get(c.pk, {})),
        }
        for c in comments
    ]


@router.post(
    "/platform/comments/{comment_id}/hide", response=CommentModerationOut, auth=member_auth
)
def comment_hide(request: HttpRequest, comment_id: int, payload: HideIn) -> PostComment:
    return services.comment_hide(
        operator=require_operator(request),
        comment_id=comment_id,
        rule=payload.rule,
        note=payload.note,
    )


@router.post(
    "/platform/comments/{comment_id}/restore", response=CommentModerationOut, auth=member_auth
)
def comment_restore(request: HttpRequest, comment_id: int, payload: NoteIn) -> PostComment:
    return services.comment_restore(
        operator=require_operator(request), comment_id=comment_id, note=payload.note
    )


@router.post(
    "/platform/comments/{comment_id}/keep", response=CommentModerationOut, auth=member_auth
)
def comment_keep(request: HttpRequest, comment_id: int, payload: NoteIn) -> PostComment:
    return services.comment_keep(
        operator=require_operator(request), comment_id=comment_id, note=payload.note
    )
