"""Response headers every page carries, and requests refused before their body is read.

- `CacheControlMiddleware`: `Cache-Control: no-store` on every response, unless the path is one
  of the published spaces (PUBLISHED_PATH_PREFIXES: the public directory of the health offer,
  the open data, the accessibility statement) served by a view whose access policy is public.
  The rule is "private unless published", so that a page added tomorrow is private by default.
- `UploadLimitMiddleware`: a request whose announced length (CONTENT_LENGTH) exceeds what its
  page accepts is answered 413 with a French page, before Django reads a byte of its body. The
  upload pages accept their file's limit (the constants their forms check) plus room for the
  form around it; every other page accepts DATA_UPLOAD_MAX_MEMORY_SIZE.
- `csp_report`: where browsers post the Content-Security-Policy violations (report-uri); each is
  logged on the "trame.csp" logger, with the page named by its URL name rather than its address
  (signed links carry their token in the path).

The Content-Security-Policy itself is django-csp's (settings, "Headers (issue 12)"), with one
exception by page (`CSPMiddleware`); the Permissions-Policy is django-permissions-policy's.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Hashable
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import csp.constants
import csp.middleware
from csp.middleware import CheckableLazyObject, PolicyParts
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .access import POLICY_PUBLIC, public_view

logger = logging.getLogger("trame.csp")

NO_STORE = "no-store"
# A violation report is a few hundred bytes; a page with many blocked resources sends one each.
CSP_REPORT_MAX_BYTES = 16 * 1024
# Room for the other fields of an upload form and the multipart boundaries around the file.
FORM_MARGIN_BYTES = 256 * 1024
MEGABYTE = 1024 * 1024
# Responses django-csp leaves without a policy when DEBUG is on (its own error pages).
DEBUG_CODES = (HTTPStatus.INTERNAL_SERVER_ERROR, HTTPStatus.NOT_FOUND)


# --- Cache-Control -----------------------------------------------------------------------------


def view_policy(request: HttpRequest) -> str | None:
    """The access policy of the view that answered the request, None when none was resolved."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    view = match.func
    policy = getattr(view, "access_policy", None)
    if policy is None:
        policy = getattr(getattr(view, "view_class", None), "access_policy", None)
    return policy


def is_published(request: HttpRequest) -> bool:
    prefixes = tuple(getattr(settings, "PUBLISHED_PATH_PREFIXES", ()))
    return request.path_info.startswith(prefixes) and view_policy(request) == POLICY_PUBLIC


class CacheControlMiddleware:
    """`no-store` on whatever is not published: no browser, proxy or shared computer keeps a copy
    of a directory page, a PDF, an export or a signed link's page. A view's own, looser
    Cache-Control (an ICS feed's max-age) is replaced; one that says no-store already is kept.
    Published pages keep their own caching; read by a signed-in person (whose name the header
    shows), they are marked private."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if is_published(request):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                patch_cache_control(response, private=True)
            return response
        if NO_STORE not in response.get("Cache-Control", ""):
            response["Cache-Control"] = NO_STORE
            response.headers.pop("Expires", None)
        return response


# --- Content-Security-Policy ---------------------------------------------------------------------

# Pages of the rich-text editor (static/js/report-editor.js): the browser's own editing commands
# (execCommand "insertHTML", "formatBlock"...) write style attributes, and so does parsing what is
# pasted from a word processor; the editor reads them and drops them when it saves. There only,
# style attributes are let through (never <style> elements: those still need the nonce). A style
# attribute can neither run script nor load anything the policy refuses (img-src, font-src).
STYLE_ATTRIBUTE_PAGES = frozenset({"workgroups:report_edit"})


# The policies already written, by what they were built from; emptied when a setting changes.
_POLICIES: dict[Hashable, str] = {}
# Stands for the page's nonce in a kept policy: the nonce changes with every response.
_NONCE = "\x00nonce\x00"


def forget_policies(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _POLICIES.clear()


setting_changed.connect(forget_policies, dispatch_uid="trame_forget_csp_policies")


def frozen(value: Any) -> Hashable:
    """A hashable stand-in for a policy's part (dicts of lists, or None)."""
    if isinstance(value, dict):
        return tuple((key, frozen(item)) for key, item in value.items())
    if isinstance(value, list | tuple | set):
        return tuple(frozen(item) for item in value)
    return value


class CSPMiddleware(csp.middleware.CSPMiddleware):
    """django-csp's, with the exceptions above, and its header written from a policy kept per
    process: django-csp builds both policies (the policy and the report-only one, which Trame
    does not set) from the settings on every response, copying its parts twice over. A policy
    depends on the settings, the view's own parts (none, or the editor's) and whether the page
    used its nonce, which is put in the kept text."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        # What django-csp's process_response does, with `policy` in place of build_policy.
        if response.status_code in DEBUG_CODES and settings.DEBUG:
            return response
        for report_only, header, exempt, excluded in (
            (False, csp.constants.HEADER, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
            (
                True,
                csp.constants.HEADER_REPORT_ONLY,
                "_csp_exempt_ro",
                "CONTENT_SECURITY_POLICY_REPORT_ONLY",
            ),
        ):
            policy = self.policy(request, response, report_only=report_only)
            if not policy or header in response or getattr(response, exempt, False) is not False:
                continue
            prefixes = (getattr(settings, excluded, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if not request.path_info.startswith(tuple(prefixes)):
                response[header] = policy
        # As django-csp: reading the nonce once the header is written is an error.
        if getattr(request, "_csp_nonce", None) is None:
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    def policy(self, request: HttpRequest, response: HttpResponseBase, *, report_only: bool) -> str:
        parts = self.get_policy_parts(request, response, report_only)
        try:
            key = (report_only, frozen(parts.config), frozen(parts.update), frozen(parts.replace))
            hash(key)
        except TypeError:  # a part that cannot be a key: built, not kept
            return build_policy(
                config=parts.config,
                update=parts.update,
                replace=parts.replace,
                nonce=parts.nonce,
                report_only=report_only,
            )
        key = (*key, bool(parts.nonce))
        policy = _POLICIES.get(key)
        if policy is None:
            policy = _POLICIES[key] = build_policy(
                config=parts.config,
                update=parts.update,
                replace=parts.replace,
                nonce=_NONCE if parts.nonce else None,
                report_only=report_only,
            )
        return policy.replace(_NONCE, parts.nonce) if parts.nonce else policy

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        match = getattr(request, "resolver_match", None)
        if not report_only and match is not None and match.view_name in STYLE_ATTRIBUTE_PAGES:
            parts.update = {**(parts.update or {}), "style-src-attr": ["'unsafe-inline'"]}
        return parts


# --- Upload size -------------------------------------------------------------------------------


def upload_limits() -> dict[str, tuple[int, str]]:
    """The upload pages, by URL name: the most their file may weigh, and what it is (French)."""
    from actions.forms.contracts import MAX_PDF_BYTES
    from partners.forms import MAX_IMPORT_BYTES
    from workgroups.services.reports import MAX_DOCUMENT_BYTES

    return {
        "partners:import_upload": (MAX_IMPORT_BYTES, _("Le fichier à importer")),
        "actions:contract_sign": (MAX_PDF_BYTES, _("Le contrat signé")),
        "actions:contract_document_upload": (MAX_PDF_BYTES, _("Le contrat signé")),
        "workgroups:document_upload": (MAX_DOCUMENT_BYTES, _("Le document")),
    }


def content_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def megabytes(size: int) -> str:
    """15 Mo, 2,5 Mo: the French way, as the forms' messages say it."""
    value = f"{size / MEGABYTE:.1f}".removesuffix(".0")
    return value.replace(".", ",")


class UploadLimitMiddleware:
    """413 for a body announced larger than its page accepts, answered before it is read.

    Placed before every middleware that may read the body (CSRF reads a POST's form). The body
    of an upload page may reach its file's limit plus FORM_MARGIN_BYTES; anything else
    DATA_UPLOAD_MAX_MEMORY_SIZE, the most Django keeps in memory of a form. A larger file than
    its page accepts is still refused by its form with the same words, once read (a client that
    announces no length, a file just under the margin)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        length = content_length(request)
        default = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if default is None or length <= default:
            return self.get_response(request)
        try:
            name = resolve(request.path_info).view_name
        except Resolver404:
            name = ""
        limit, what = upload_limits().get(name, (None, None))
        if limit is None:
            return self.refuse(request, limit=default, what=None)
        if length > limit + FORM_MARGIN_BYTES:
            return self.refuse(request, limit=limit, what=what)
        return self.get_response(request)

    def refuse(self, request: HttpRequest, *, limit: int, what: str | None) -> HttpResponse:
        if what:
            message = _("%(what)s dépasse %(size)s Mo : déposez-en une version plus légère.") % {
                "what": what,
                "size": megabytes(limit),
            }
        else:
            message = _("Cet envoi dépasse %(size)s Mo, le plus que cette page accepte.") % {
                "size": megabytes(limit)
            }
        back = request.META.get("HTTP_REFERER", "")
        # Only a page of this site, by its path: a referrer is the client's word.
        back_path = urlsplit(back).path if urlsplit(back).netloc == request.get_host() else ""
        html = render_to_string(
            "413.html", {"message": message, "back": back_path}, request=request
        )
        response = HttpResponse(html, status=413)
        # The client reads the answer to its end while the rest of its body is still unsent.
        response["Content-Length"] = str(len(response.content))
        return response


# --- Content-Security-Policy reports -----------------------------------------------------------


def page_name(address: str, host: str) -> str:
    """A page of this site by its URL name (signed links carry a token in the path), another
    site by its origin, never a query string; "inline", "eval" as the browser says them."""
    parts = urlsplit(address or "")
    if not parts.scheme:
        return (address or "")[:40]
    if parts.netloc != host:
        return f"{parts.scheme}://{parts.netloc}"[:200]
    try:
        return resolve(parts.path).view_name or "?"
    except Resolver404:
        return parts.path[:200]


def violations(payload: Any) -> list[dict[str, Any]]:
    """The reports of a body: report-uri's {"csp-report": {...}} or report-to's list."""
    if isinstance(payload, dict) and isinstance(payload.get("csp-report"), dict):
        return [payload["csp-report"]]
    if isinstance(payload, list):
        return [
            item["body"]
            for item in payload[:20]
            if isinstance(item, dict)
            and item.get("type") == "csp-violation"
            and isinstance(item.get("body"), dict)
        ]
    return []


def _field(report: dict[str, Any], *names: str) -> Any:
    for name in names:
        if report.get(name) not in (None, ""):
            return report[name]
    return ""


@public_view
@csrf_exempt
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Logs what the browser reports; answers 204 whatever it holds, 413 when too large."""
    if content_length(request) > CSP_REPORT_MAX_BYTES:
        return HttpResponse(status=413)
    body = request.read(CSP_REPORT_MAX_BYTES)
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return HttpResponse(status=400)
    host = request.get_host()
    for report in violations(payload):
        logger.warning(
            "CSP violation: %s blocked %s on %s (%s:%s)",
            str(_field(report, "effective-directive", "effectiveDirective", "violated-directive"))[
                :60
            ],
            page_name(str(_field(report, "blocked-uri", "blockedURL")), host),
            page_name(str(_field(report, "document-uri", "documentURL")), host),
            page_name(str(_field(report, "source-file", "sourceFile")), host),
            str(_field(report, "line-number", "lineNumber"))[:10],
        )
    return HttpResponse(status=204)
