"""PDF documents from Django templates with WeasyPrint: A4, tagged (PDF/UA-1), in French.

Every print layout lives in `templates/pdf/` and extends `pdf/base.html`, which sets the
document's language and title (WeasyPrint writes them to the PDF's /Lang and /Title). Nothing
is fetched over the network: stylesheets are read from the static directories through the
staticfiles finders, and the URL fetcher serves `/static/` and `/media/` from disk and refuses
everything else, so that a link or an image pasted into a compte-rendu can neither slow a
render down nor make the server call an arbitrary address.

Speed (a 60-action contract is about 130 pages): WeasyPrint builds millions of short-lived Python
objects, so the cyclic garbage collector is paused while a document is laid out and written;
stylesheets are parsed once per process and fonts loaded once per thread; and pydyf's list of
page references, which WeasyPrint's tagging reads once per structure element, is built once per
page count instead of at every read.

WeasyPrint 70 writes table header cells (/TH) without the /Scope attribute PDF/UA-1 asks for
(ISO 14289-1, 7.5): every tagged document written here gets it from its table's structure, as the
HTML's scope="col"/"row" say it: the bilan, the contract's parts, a fiche-action, a compte-rendu.
It is set on WeasyPrint's structure tree as it is tagged, before it is written
(`_scope_headers_as_tagged`); `scope_table_headers` does the same to a written PDF, and stands in
if that hook could not be installed (another WeasyPrint).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import logging
import mimetypes
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import pikepdf
import pydyf
import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import formats, translation
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from cls_platform.collector import cyclic_gc_paused

# WeasyPrint logs six "Step n" lines per document at INFO: noise in the workers' logs.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

LANG = "fr"
# PDF/UA-1 (ISO 14289-1): WeasyPrint tags the structure (headings, lists, tables, links),
# writes /Lang, /MarkInfo and DisplayDocTitle, and the XMP identification of the variant.
PDF_VARIANT = "pdf/ua-1"
# Given to both steps, layout and writing, as weasyprint.HTML.write_pdf does.
WRITE_OPTIONS = {"pdf_variant": PDF_VARIANT, "pdf_tags": True}
DEFAULT_STYLESHEETS = ("css/print.css",)
# Resolves relative links when the caller gives no base URL; the fetcher never contacts it.
LOCAL_ORIGIN = "https://trame.invalid/"


class ResourceRefused(ValueError):
    """A document asked for a resource outside the static and media files."""


class LocalFetcher(URLFetcher):
    """Serves the application's static and media files from disk; refuses any other URL."""

    def __init__(self, *, base_url: str) -> None:
        # Only data: URLs reach the parent class; everything else is answered from disk here.
        super().__init__(timeout=2, allowed_protocols={"data"})
        self.origin = _origin(base_url)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = self.local_path(url)
        if path is None:
            raise ResourceRefused(f"Ressource externe refusée dans un PDF : {url}")
        mime_type, _ = mimetypes.guess_type(path.name)
        return URLFetcherResponse(
            url,
            body=path.read_bytes(),
            headers={"Content-Type": mime_type or "application/octet-stream"},
        )

    def local_path(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if _origin(url) != self.origin:
            return None
        path = unquote(parts.path)
        static = urlsplit(settings.STATIC_URL).path
        media = urlsplit(settings.MEDIA_URL).path
        try:
            if static and path.startswith(static):
                found = finders.find(path.removeprefix(static))
                return _file(found) if isinstance(found, str) else None
            if media and path.startswith(media):
                return _file(default_storage.path(path.removeprefix(media)))
        except (SuspiciousFileOperation, NotImplementedError):  # "../", remote storage
            return None
        return None


def _file(name: str) -> Path | None:
    path = Path(name)
    return path if path.is_file() else None


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def static_stylesheet(name: str, *, base_url: str, fetcher: LocalFetcher) -> CSS:
    """A stylesheet of the static directories, its relative url()s served by the fetcher.

    Parsed once per process for a given file version and base URL (10 to 20 ms a document):
    WeasyPrint only reads a parsed stylesheet, as it does with its own user-agent sheets.
    """
    path = finders.find(name)
    if not isinstance(path, str):
        raise FileNotFoundError(
            f"Feuille de style introuvable dans les fichiers statiques : {name}"
        )
    url = urljoin(base_url, f"{settings.STATIC_URL}{name}")
    # The fetcher only serves the stylesheet's url()s while it is parsed, and answers the same
    # for every fetcher of the same class and origin.
    key = (path, Path(path).stat().st_mtime_ns, url, type(fetcher), fetcher.origin)
    with _stylesheets_lock:
        sheet = _stylesheets.get(key)
    if sheet is None:
        sheet = CSS(
            string=Path(path).read_text(encoding="utf-8"), base_url=url, url_fetcher=fetcher
        )
        with _stylesheets_lock:
            if len(_stylesheets) >= 32:  # an edited file in development, many sites
                _stylesheets.clear()
            _stylesheets[key] = sheet
    return sheet


_stylesheets: dict[tuple[object, ...], CSS] = {}
_stylesheets_lock = threading.Lock()


def render_pdf(
    *,
    template: str,
    context: dict[str, Any],
    title: str,
    base_url: str | None = None,
    stylesheets: Sequence[str] = DEFAULT_STYLESHEETS,
) -> bytes:
    """Render `template` (which extends `pdf/base.html`) to a tagged A4 PDF in French.

    `title` becomes the document's title (window title, PDF metadata); `base_url` (e.g. the
    site's address) makes relative links absolute; `stylesheets` are paths in the static files.
    """
    html = render_html(template=template, context=context, title=title)
    return write_pdf(html, base_url=base_url, stylesheets=stylesheets)


def render_html(*, template: str, context: dict[str, Any], title: str) -> str:
    """The HTML of a print layout (a template extending `pdf/base.html`), in French."""
    with translation.override(LANG):
        return render_to_string(template, {**context, "pdf_title": title, "pdf_lang": LANG})


def write_pdf(
    html: str,
    *,
    base_url: str | None = None,
    stylesheets: Sequence[str] = DEFAULT_STYLESHEETS,
) -> bytes:
    """Lay out and write the HTML of a print layout as a tagged A4 PDF (PDF/UA-1)."""
    pdf, _pages = write_pdf_pages(html, base_url=base_url, stylesheets=stylesheets)
    return pdf


def write_pdf_pages(
    html: str,
    *,
    base_url: str | None = None,
    stylesheets: Sequence[str] = DEFAULT_STYLESHEETS,
    tagged: bool = True,
) -> tuple[bytes, int]:
    """The PDF and its number of pages. Untagged (`tagged=False`) only for what is drawn over
    a tagged document's pages as an artifact, such as page numbers."""
    # The document is let go before the collector resumes: its next pass finds it all garbage
    # (one walk), instead of walking it alive once and again later to free it.
    with cyclic_gc_paused():
        with _document(html, base_url=base_url, stylesheets=stylesheets, tagged=tagged) as document:
            pdf = document.write_pdf(**(WRITE_OPTIONS if tagged else {}))
            pages = len(document.pages)
        del document
    return (scope_table_headers(pdf) if tagged and not _SCOPED_AS_TAGGED else pdf), pages


def warm_up() -> None:
    """Parse the default stylesheets and load the fonts a print uses (regular, bold, italic) in
    this thread: what the first document of a process pays for otherwise. Done once by the
    server that forks the rendering processes (cls_platform.pdf.renderer_boot), which inherit it."""
    write_pdf_pages(
        '<html lang="fr"><head><title>Préchauffage</title></head><body>'
        "<h2>Titre</h2><p>Texte <b>gras</b> et <i>italique</i> 0123456789 €</p>"
        '<table><tr><th scope="row">Nom</th><td>Valeur</td></tr></table></body></html>'
    )


def scope_table_headers(pdf: bytes) -> bytes:
    """The PDF with /Scope on every table header cell of its structure tree (PDF/UA-1, 7.5):
    /Column for those of a /THead or of a row of headers only, /Row for the others. Unchanged
    (the same bytes) when it has no structure tree or no header cell."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        root = document.Root.get("/StructTreeRoot")
        if root is None or not _scope_children(root, in_head=False):
            return pdf
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()


def _structure_kids(element: pikepdf.Object) -> list[pikepdf.Dictionary]:
    kids = element.get("/K")
    if kids is None:
        return []
    items = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
    return [k for k in items if isinstance(k, pikepdf.Dictionary) and "/S" in k]


def _scope_children(element: pikepdf.Object, *, in_head: bool) -> int:
    changed = 0
    kids = _structure_kids(element)
    cells = [k for k in kids if k.get("/S") in ("/TH", "/TD")]
    headers_only = bool(cells) and all(k.get("/S") == "/TH" for k in cells)
    for kid in kids:
        tag = kid.get("/S")
        if tag == "/TH":
            _set_scope(kid, "/Column" if in_head or headers_only else "/Row")
            changed += 1
        changed += _scope_children(kid, in_head=in_head or tag == "/THead")
    return changed


def _set_scope(element: pikepdf.Dictionary, scope: str) -> None:
    """/Scope in the element's attribute object of the Table owner, made if it has none: /A is
    one attribute dictionary or an array of them, and other owners' attributes stay."""
    table = pikepdf.Name("/Table")
    attributes = element.get("/A")
    found = [attributes] if isinstance(attributes, pikepdf.Dictionary) else []
    if isinstance(attributes, pikepdf.Array):
        found = [a for a in attributes if isinstance(a, pikepdf.Dictionary)]
    for item in found:
        if item.get("/O") == table:
            item.Scope = pikepdf.Name(scope)
            return
    made = pikepdf.Dictionary(O=table, Scope=pikepdf.Name(scope))
    if attributes is None:
        element.A = made
    elif isinstance(attributes, pikepdf.Array):
        attributes.append(made)
    else:
        element.A = pikepdf.Array([attributes, made])


@contextmanager
def _document(
    html: str, *, base_url: str | None, stylesheets: Sequence[str], tagged: bool
) -> Iterator[weasyprint.Document]:
    base_url = base_url or LOCAL_ORIGIN
    fetcher = LocalFetcher(base_url=base_url)
    sheets = [static_stylesheet(name, base_url=base_url, fetcher=fetcher) for name in stylesheets]
    with translation.override(LANG), cyclic_gc_paused():
        yield HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
            stylesheets=sheets,
            font_config=thread_font_config(),
            **(WRITE_OPTIONS if tagged else {}),
        )


_threads = threading.local()


def thread_font_config() -> FontConfiguration:
    """WeasyPrint's font configuration, one per thread (Pango's font map is not thread-safe).

    Kept from one document to the next so that Pango loads each font once, instead of once a
    document (20 to 30 ms). Our stylesheets declare no @font-face, the only thing a font
    configuration accumulates from the documents it serves.
    """
    config = getattr(_threads, "font_config", None)
    if config is None:
        config = _threads.font_config = FontConfiguration()
    return config


def _cache_page_references() -> None:
    """Make pydyf's `PDF.page_references` build its tuple once per page count.

    pydyf 0.13 rebuilds the references of every page each time the property is read, and
    WeasyPrint's tagging reads it once per structure element: quadratic in the pages, 1.5 s of
    the 128-page contract. The values are the original property's, recomputed whenever a page
    is added (pages are only ever appended).
    """
    original = getattr(pydyf.PDF, "page_references", None)
    if not isinstance(original, property) or getattr(original.fget, "cached", False):
        return
    compute = original.fget

    def page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
        count = len(pdf.pages["Kids"])
        cached = pdf.__dict__.get("_page_references_by_count")
        if cached is None or cached[0] != count:
            cached = pdf.__dict__["_page_references_by_count"] = (count, compute(pdf))
        return cached[1]

    page_references.cached = True  # type: ignore[attr-defined]
    pydyf.PDF.page_references = property(page_references, doc=original.__doc__)


_cache_page_references()


def _scope_headers_as_tagged() -> bool:
    """Make WeasyPrint's tagging give every table header cell its /Scope, as
    `scope_table_headers` would afterwards: the same attribute on the same elements, without
    parsing and writing each document again with pikepdf (4 ms a contract part, 1 ms this way).
    Whether the hook is installed."""
    import weasyprint.pdf as weasyprint_pdf

    original = getattr(weasyprint_pdf, "add_tags", None)
    if original is None or getattr(original, "scopes_headers", False):
        return original is not None

    def add_tags(pdf: pydyf.PDF, *args: Any, **kwargs: Any) -> Any:
        value = original(pdf, *args, **kwargs)
        root = _pydyf_object(pdf, pdf.catalog.get("StructTreeRoot"))
        if root is not None:
            _scope_pydyf_children(pdf, root, in_head=False)
        return value

    add_tags.scopes_headers = True  # type: ignore[attr-defined]
    weasyprint_pdf.add_tags = add_tags
    return True


def _pydyf_object(pdf: pydyf.PDF, reference: object) -> pydyf.Dictionary | None:
    """The structure element a reference ("12 0 R") of WeasyPrint's PDF points to, if it is one."""
    if not isinstance(reference, bytes):
        return None  # a marked-content identifier
    found = pdf.objects[int(reference.split(maxsplit=1)[0])]
    return found if isinstance(found, dict) else None


def _scope_pydyf_children(pdf: pydyf.PDF, element: pydyf.Dictionary, *, in_head: bool) -> None:
    """`_scope_children` on WeasyPrint's own objects: the rules are the same."""
    kids = [kid for kid in map(functools.partial(_pydyf_object, pdf), element.get("K", ())) if kid]
    kids = [kid for kid in kids if "S" in kid]
    cells = [k for k in kids if k["S"] in ("/TH", "/TD")]
    headers_only = bool(cells) and all(k["S"] == "/TH" for k in cells)
    for kid in kids:
        tag = kid["S"]
        if tag == "/TH":
            scope = "/Column" if in_head or headers_only else "/Row"
            attributes = kid.get("A")
            if isinstance(attributes, dict) and attributes.get("O") == "/Table":
                attributes["Scope"] = scope
            else:  # pragma: no cover - WeasyPrint 70 gives every cell its Table attributes
                kid["A"] = pydyf.Dictionary({"O": "/Table", "Scope": scope})
        _scope_pydyf_children(pdf, kid, in_head=in_head or tag == "/THead")


_SCOPED_AS_TAGGED = _scope_headers_as_tagged()


# French formats for print, where the reader cannot change the locale. Non-breaking spaces keep
# "12 500,00 €" and "21 septembre 2023" on one line.


def format_date(value: dt.date | dt.datetime | None, *, empty: str = "") -> str:
    """21 septembre 2023 (1er for the first of the month)."""
    if value is None:
        return empty
    if isinstance(value, dt.datetime):
        value = value.date()
    with translation.override(LANG):
        month = formats.date_format(value, "F")
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day}\xa0{month}\xa0{value.year}"


def format_number(value: Decimal | int | float | None, *, decimals: int | None = None) -> str:
    """12 500 or 12 500,5: decimals only where the value has some, unless `decimals` is given."""
    if value is None:
        return ""
    value = Decimal(value)
    if decimals is None:
        decimals = max(0, -int(value.normalize().as_tuple().exponent))
    with translation.override(LANG):
        return formats.number_format(value, decimals, use_l10n=True, force_grouping=True)


def format_amount(value: Decimal | int | None) -> str:
    """12 500,00 €"""
    if value is None:
        return ""
    return f"{format_number(value, decimals=2)}\xa0€"
