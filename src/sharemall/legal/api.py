from django.http import HttpRequest
from ninja import Router, Status

from sharemall.accounts.auth import member_auth, require_member, require_operator
from sharemall.core.http import client_address
from sharemall.legal import selectors, services
from sharemall.legal.models import Consent, LegalDocument
from sharemall.legal.schemas import ConsentOut, DocumentOut, Kind, PublishIn

router = Router(tags=["legal"])


@router.get("/legal/{kind}", response=DocumentOut, auth=None)
def document(request: HttpRequest, kind: Kind) -> LegalDocument:
    """The current version of the user agreement or the privacy policy, for clients to show
    before sign-up (`POST /auth/register` records consent to exactly these versions)."""
    return services.current(kind)


@router.post("/me/consents", response=list[ConsentOut], auth=member_auth)
def consent(request: HttpRequest) -> list[Consent]:
    """The caller accepts the current versions of both documents (after a new one is
    published); accepting a version twice changes nothing."""
    return services.consent_record(require_member(request), address=client_address(request))


@router.get("/platform/legal/{kind}", response=list[DocumentOut], auth=member_auth)
def history(request: HttpRequest, kind: Kind) -> list[LegalDocument]:
    """Every published version, newest first. Operators only."""
    require_operator(request)
    services.current(kind)
    return list(selectors.history(kind))


@router.post("/platform/legal/{kind}", response={201: DocumentOut}, auth=member_auth)
def publish(request: HttpRequest, kind: Kind, payload: PublishIn) -> Status[LegalDocument]:
    """Publish a new version (the next number); earlier versions are never changed. Operators
    only; an empty title or text → 400 `invalid_title` / `invalid_body`."""
    document = services.document_publish(
        kind=kind, title=payload.title, body=payload.body, actor=require_operator(request)
    )
    return Status(201, document)
