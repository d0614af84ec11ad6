"""Long PDFs assembled from parts that are rendered apart and kept: the printed contract.

WeasyPrint takes 10 to 15 s on these machines to lay out and write a contract of 60
fiches-actions (about 130 pages), nearly all of it in the fiches. Each fiche starts a page of its
own and its layout depends on nothing before it, so each is rendered as a document of its own and
kept in the "pdf" cache under the digest of its HTML, its stylesheets and the renderer's version:
a fiche that did not change is never laid out again, and one that changed is rendered anew
because its HTML differs, with no invalidation to forget. Parts made for signatories (who read
structures where others read names) carry their audience in their keys: a part made for one
audience is never served to another, even where the two HTMLs would coincide.

`assemble` joins the parts into one tagged PDF (PDF/UA-1) with pikepdf (qpdf): pages, structure
tree (each part's elements under one Document element, the parent tree renumbered), named
destinations (so the table of contents' links reach the fiches), bookmarks. The page numbers
("page 12 / 130") depend on everything before them, so the parts carry none: they are stamped
afterwards, as pagination artifacts, drawn from one sample page (cls_platform/pdf/numbers.py).

The front matter's contents give the fiches' pages, known only once the fiches are laid out: it
is laid out beside them with a mark where each number goes (its lines do not depend on them),
and the numbers are written over the marks afterwards (`numbers.filled`). A print joins each
chapter as soon as it is made: what it waits for after the last part is little more than
writing the file.

On a cold cache (a new contract, an emptied cache, new stylesheets), `book` lays the parts out in
PDF_PROCESSES processes forked from a server that set everything up once (renderer_boot).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import hashlib
import io
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
import pydyf
import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import caches

from cls_platform.pdf import numbers as numbers_module
from cls_platform.pdf.numbers import SAMPLE, drawn, filled, numbers_html, stamp
from cls_platform.pdf.rendering import (
    DEFAULT_STYLESHEETS,
    LOCAL_ORIGIN,
    PDF_VARIANT,
    write_pdf_pages,
)

logger = logging.getLogger(__name__)

CACHE_ALIAS = "pdf"
# Below this many parts to make per process, starting processes costs more than it saves.
PARTS_PER_PROCESS = 6
# Part of every key: change it when the way parts are made changes, and nothing kept is reused.
FORMAT = "contract-parts-3"  # 3: the contract's axes a part of their own, beside the fiches


@dataclass(frozen=True)
class Part:
    """A rendered document and how many pages it has."""

    pdf: bytes
    pages: int


def destination_pages(part: Part) -> dict[str, int]:
    """The page (from 0) of each place a part names (its HTML's ids, its named destinations),
    for the front matter's contents."""
    with pikepdf.open(io.BytesIO(part.pdf)) as pdf:
        index = {page.obj.objgen: n for n, page in enumerate(pdf.pages)}
        return {
            name: index[target[0].objgen]
            for name, target in _destinations(pdf, pdf).items()
            if isinstance(target, pikepdf.Array) and target[0].objgen in index
        }


@dataclass(frozen=True)
class Front:
    """A front matter whose contents give the chapters' pages, which follow it.

    `marked` is its HTML with a mark (cls_platform.pdf.numbers.mark) where each page number
    goes; `numbers(chapters, front_pages)` each mark's number once the chapters are made;
    `html(chapters, front_pages)` its HTML with the numbers, laid out only should the marks not
    be found in the PDF (`numbers.filled`)."""

    marked: str
    numbers: Callable[[Sequence[Part], int], dict[str, str]]
    html: Callable[[Sequence[Part], int], str]


@dataclass(frozen=True)
class Book:
    """A long document's parts, front matter first, and the page numbers `assemble` stamps on
    them once joined."""

    parts: list[Part]
    numbers: Part
    pdf: bytes | None = None  # joined, with `join`

    @property
    def pages(self) -> int:
        return sum(part.pages for part in self.parts)


def book(
    chapters: Sequence[str],
    front: Front,
    *,
    audience: str = "",
    parallel: bool = True,
    join: bool = False,
    refresh: bool = False,
) -> Book:
    """A document made of a front matter and chapters that each start a page (the HTML of
    templates extending `pdf/base.html`), each part from the cache when the same HTML was
    rendered for the same `audience` before, the others rendered and kept.

    The front matter is laid out beside the chapters, with a mark where each of its contents'
    page numbers goes (they sit apart from their lines, so that its length and every line are
    those it has with its numbers); once the chapters are made, the numbers are written over the
    marks (`numbers.filled`, a few milliseconds), and the page numbers drawn
    (cls_platform/pdf/numbers.py). A front matter is thus laid out only when its text changes,
    never because a chapter grew a page.

    With `parallel`, the parts are rendered in up to PDF_PROCESSES processes when there are
    enough of them to repay it (a contract printed for the first time, or after an upgrade of the
    stylesheets); without (a background warming, which leaves the other processors to the web
    processes), here, each kept as soon as it is made: a warming cut short by its time limit
    leaves what it made for the next one.

    With `join`, the book's PDF (`assemble`): the chapters joined one by one as they are made,
    which was the last to wait for otherwise. With `refresh` (a warming), every part found kept is
    kept as long again as a part made now: a contract marked warm keeps its parts as long as its
    mark."""
    cache = caches[CACHE_ALIAS]
    salt = _salt(None, DEFAULT_STYLESHEETS, True, audience)
    keys = [f"part:{_digest(salt, html)}" for html in chapters]
    found: dict[str, Any] = cache.get_many(keys)
    if refresh:  # a warming: what it finds stays kept as long as what it makes
        for key in found:
            cache.touch(key)
    numbers_salt = _salt(None, DEFAULT_STYLESHEETS, False, "")
    missing = {key: html for key, html in zip(keys, chapters, strict=True) if key not in found}
    marked_key = f"part:{_digest(salt, front.marked)}"
    work = len(missing) + (not cache.has_key(marked_key))
    processes = min(settings.PDF_PROCESSES, work // PARTS_PER_PROCESS) if parallel else 1
    with _Renderer(processes) as renderer:
        # The page numbers' glyphs and place, two pages laid out in no time, asked first; then
        # the longest layouts: the front matter (as long as three fiches), then the chapters by
        # length of HTML, so that the processes take the short ones last and finish together.
        sample = _kept_or_rendered(
            renderer, numbers_html(2, sample=SAMPLE), numbers_salt, refresh=refresh
        )
        marked = _kept_or_rendered(renderer, front.marked, salt, tagged=True, refresh=refresh)
        longest_first = sorted(missing, key=lambda key: len(missing[key]), reverse=True)
        made = {key: renderer.render(missing[key], TAGGED) for key in longest_first}
        joined = _Joined() if join else None
        parts = []
        for key in keys:  # in order, each joined while the next ones are laid out
            if key in made:
                found[key] = made[key].result()
                cache.set(key, found[key])
            pages, pdf = found[key]
            parts.append(Part(pdf=pdf, pages=pages))
            if joined is not None:
                joined.add(parts[-1])
        front_part = _filled(renderer, front, marked.result(), parts, salt, refresh)
        total = front_part.pages + sum(part.pages for part in parts)
        numbers = _numbers(renderer, sample, total, numbers_salt).result()
    pdf = joined.finish(front_part, numbers=numbers) if joined is not None else None
    return Book(parts=[front_part, *parts], numbers=numbers, pdf=pdf)


def _filled(
    renderer: _Renderer,
    front: Front,
    marked: Part,
    chapters: Sequence[Part],
    salt: str,
    refresh: bool,
) -> Part:
    """The front matter with its contents' numbers written over its marks (kept, for the
    reprints); laid out with them (and kept) should the marks not be drawn as expected."""
    # the marks its HTML shows (a list of the contract's may name more)
    numbers = {
        mark: number
        for mark, number in front.numbers(chapters, marked.pages).items()
        if mark in front.marked
    }
    cache = caches[CACHE_ALIAS]
    written = (f"{m}={n}" for m, n in sorted(numbers.items()))
    key = "part:" + _digest(salt, _filling_code(), front.marked, *written)
    kept = cache.get(key)
    if kept is not None:
        if refresh:
            cache.touch(key)
        return Part(pdf=kept[1], pages=kept[0])
    try:
        pdf = filled(marked.pdf, numbers)
    except (pikepdf.PdfError, KeyError, IndexError, AttributeError, ValueError, TypeError):
        logger.warning("Sommaire : repères des numéros de page illisibles.", exc_info=True)
        pdf = None
    if pdf is not None:
        cache.set(key, (marked.pages, pdf))
        return Part(pdf=pdf, pages=marked.pages)
    logger.warning(
        "Sommaire : numéros de page introuvables, le début du document est remis en page."
    )
    front_pages = marked.pages
    for _attempt in range(2):  # its numbers change no line: a second layout is for safety only
        html = front.html(chapters, front_pages)
        part = _kept_or_rendered(renderer, html, salt, tagged=True, refresh=refresh).result()
        if part.pages == front_pages:
            break
        logger.warning("Sommaire : %s pages avec ses numéros, %s sans.", part.pages, front_pages)
        front_pages = part.pages
    cache.set(key, (part.pages, part.pdf))
    return part


@functools.cache
def _filling_code() -> str:
    """The code that writes the contents' numbers over their marks: part of the kept fronts'
    keys, so that a change to it makes new ones."""
    return Path(numbers_module.__file__).read_text("utf-8")


def layout_generation(*sources: str) -> str:
    """What parts are made with now: the renderer, stylesheets and fonts (`_salt`), the print
    templates (templates/pdf), and `sources` (the files of the code that writes a document's
    HTML, relative to the project). A document warmed under another generation (a deploy that
    changed any of them) is warmed again by the sweep (actions.services.pdf_warm.rewarm)."""
    base = Path(settings.BASE_DIR)
    files = [*sorted((base / "templates" / "pdf").glob("*.html")), *(base / s for s in sources)]
    files = [path for path in files if path.is_file()]  # a catalog not compiled: the sources
    texts = [
        path.read_bytes().hex() if path.suffix == ".mo" else path.read_text("utf-8")
        for path in files
    ]
    return _digest(_salt(None, DEFAULT_STYLESHEETS, True, ""), *texts)


# What a part is rendered with: a tagged document (PDF/UA-1), or the untagged page numbers, drawn
# over a tagged document's pages as artifacts.
TAGGED: dict[str, Any] = {"base_url": None, "stylesheets": DEFAULT_STYLESHEETS, "tagged": True}
UNTAGGED: dict[str, Any] = {**TAGGED, "tagged": False}


def _kept_or_rendered(
    renderer: _Renderer, html: str, salt: str, *, tagged: bool = False, refresh: bool = False
) -> _Task:
    """The part of this HTML: from the cache (kept as long again with `refresh`), or being
    rendered (and kept once made)."""
    key = f"part:{_digest(salt, html)}"
    kept = caches[CACHE_ALIAS].get(key)
    if kept is not None:
        if refresh:
            caches[CACHE_ALIAS].touch(key)
        return _Task(Part(pdf=kept[1], pages=kept[0]))
    return _Task(renderer.render(html, TAGGED if tagged else UNTAGGED), key=key)


def assemble(parts: Sequence[Part], *, numbers: Part | None = None) -> bytes:
    """One tagged PDF of the parts in order, the first giving its catalog (language, metadata,
    viewer preferences); `numbers`, a document of as many pages, is drawn over each page."""
    front, *chapters = parts
    joined = _Joined()
    for chapter in chapters:
        joined.add(chapter)
    return joined.finish(front, numbers=numbers)


class _Joined:
    """Chapters joined into one document one by one (a print joins each while its processes lay
    the next ones out), then the front matter put before them by `finish`."""

    def __init__(self) -> None:
        self.out: pikepdf.Pdf | None = None
        self.marks: list[tuple[int, list[_Bookmark]]] = []  # each chapter's, after its offset
        self.destinations: dict[str, pikepdf.Object] = {}
        self.parent_tree: list[tuple[int, pikepdf.Object]] = []
        self.next_key = 0

    def add(self, chapter: Part) -> None:
        """The chapter's pages, structure, places and bookmarks after those already joined."""
        self._add(pikepdf.open(io.BytesIO(chapter.pdf)))

    def _add(self, source: pikepdf.Pdf) -> None:
        if self.out is None:
            self.out = source
            self.document = _document_element(source.Root.StructTreeRoot)
            entries = _parent_tree_entries(source.Root.StructTreeRoot)
            self.next_key = _renumber(source.pages, entries, self.parent_tree, 0)
            self.destinations = _destinations(source, source)
            self.marks.append((0, _outline(source)))
            return
        out = self.out
        offset = len(out.pages)
        self.marks.append((offset, _outline(source)))
        out.pages.extend(source.pages)
        copied = out.copy_foreign(source.Root.StructTreeRoot)
        for element in _document_element(copied).K:
            element.P = self.document
            self.document.K.append(element)
        self.next_key = _renumber(
            out.pages[offset:], _parent_tree_entries(copied), self.parent_tree, self.next_key
        )
        self.destinations.update(_destinations(out, source))

    def finish(self, front: Part, *, numbers: Part | None = None) -> bytes:
        """The front matter's pages, structure, places and bookmarks before the chapters', its
        metadata the document's; the page numbers drawn; the whole written."""
        source = pikepdf.open(io.BytesIO(front.pdf))
        if self.out is None:  # no chapter
            self._add(source)
            out, chapters, destinations = self.out, [], self.destinations
            front_marks = self.marks.pop()[1]
        else:
            out = self.out
            count = len(source.pages)
            front_marks = _outline(source)
            for index, page in enumerate(source.pages):
                out.pages.insert(index, page)
            copied = out.copy_foreign(source.Root.StructTreeRoot)
            kids = list(_document_element(copied).K)
            for element in kids:
                element.P = self.document
            self.document.K = pikepdf.Array([*kids, *self.document.K])
            self.next_key = _renumber(
                out.pages[:count], _parent_tree_entries(copied), self.parent_tree, self.next_key
            )
            # The chapters' places after the front matter's: its contents carry, until now, the
            # anchors that the chapters hold.
            destinations = {**_destinations(out, source), **self.destinations}
            chapters = [(count + offset, marks) for offset, marks in self.marks]
            out.Root.Metadata = out.copy_foreign(source.Root.Metadata)
            out.trailer.Info = out.copy_foreign(source.trailer.Info)
        tree = out.Root.StructTreeRoot
        tree.ParentTree = out.make_indirect(
            pikepdf.Dictionary(Nums=pikepdf.Array([x for entry in self.parent_tree for x in entry]))
        )
        tree.ParentTreeNextKey = self.next_key
        with out.open_outline() as outline:
            outline.root.clear()
            outline.root.extend(_copy_outline(out, front_marks, 0))
            top = outline.root[0].children if len(outline.root) == 1 else outline.root
            for offset, marks in chapters:
                top.extend(_copy_outline(out, marks, offset))
        if destinations:
            names = pikepdf.Array()
            for name in sorted(destinations):
                names.extend([pikepdf.String(name), destinations[name]])
            if "/Names" not in out.Root:
                out.Root.Names = pikepdf.Dictionary()
            out.Root.Names.Dests = out.make_indirect(pikepdf.Dictionary(Names=names))
        if numbers is not None:
            stamp(out, numbers.pdf)
        buffer = io.BytesIO()
        out.save(
            buffer,
            compress_streams=True,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
        )
        return buffer.getvalue()


# Rendering in parallel ------------------------------------------------------------------------


class _Task:
    """A part being rendered, or already there; `result()` waits for it (and keeps it under
    `key`, if given)."""

    def __init__(self, made: Part | _Job, *, key: str | None = None) -> None:
        self.made, self.key = made, key

    def result(self) -> Part:
        if isinstance(self.made, Part):
            return self.made
        pages, pdf = self.made.result()
        if self.key is not None:
            caches[CACHE_ALIAS].set(self.key, (pages, pdf))
        self.made = Part(pdf=pdf, pages=pages)
        return self.made


class _Job:
    """A layout asked of the renderer: run in one of its processes, or here when it has none
    (or they failed), at the first `result()`."""

    def __init__(self, renderer: _Renderer, function: Callable[..., Any], html: str, options):
        self.renderer, self.function, self.html, self.options = renderer, function, html, options
        self.future = renderer.submit(function, html, options)
        self.done = False

    def result(self) -> Any:
        if not self.done:
            self.value = self._made()
            self.done = True
        return self.value

    def _made(self) -> Any:
        if self.future is not None:
            try:
                return self.future.result()
            except (OSError, AssertionError, BrokenProcessPool, CancelledError) as exc:
                self.renderer.failed(exc)
        return self.function(self.html, **self.options)


class _Renderer:
    """Renders parts in a pool of `processes` processes, or here (one process, or the pool
    refused: a Celery prefork child is a daemon and may not start processes, the machine may
    refuse more). One pool at a time per process (runserver's threads): the others render here."""

    def __init__(self, processes: int) -> None:
        self.pool: ProcessPoolExecutor | None = None
        if processes > 1 and _pool_in_use.acquire(blocking=False):
            try:
                self.pool = _pool(processes)
            except (OSError, AssertionError) as exc:
                _pool_in_use.release()
                logger.warning("Rendu des PDF en parallèle impossible (%s) : un par un.", exc)

    def __enter__(self) -> _Renderer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
            _pool_in_use.release()

    def render(self, html: str, options: dict[str, Any]) -> _Job:
        """(pages, pdf) of the HTML, laid out and written."""
        return _Job(self, _render_one, html, options)

    def submit(self, function: Callable[..., Any], html: str, options: dict[str, Any]):
        if self.pool is None:
            return None
        try:
            return self.pool.submit(function, html, **options)
        except (OSError, AssertionError, BrokenProcessPool, RuntimeError) as exc:
            self.failed(exc)
            return None

    def failed(self, exc: BaseException) -> None:
        if self.pool is not None:
            logger.warning("Rendu des PDF en parallèle impossible (%s) : un par un.", exc)
            self.__exit__()


_pool_in_use = threading.Lock()
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _pool(processes: int) -> ProcessPoolExecutor:
    """Processes forked from a server (forkserver) that has set Django up, parsed the
    stylesheets and loaded the fonts once (renderer_boot), never from this process (which may
    hold threads, locks, database connections). The server outlives the pool: the next print's
    processes start at once."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["cls_platform.pdf.renderer_boot"])
    return ProcessPoolExecutor(
        max_workers=processes, mp_context=context, initializer=_start_renderer
    )


def _start_renderer() -> None:
    import django

    # A rendering process dies with the server that forked it (the forkserver, which ends with
    # the web process): a web worker killed mid-print (time limit, out of memory) leaves none
    # behind, blocked on a queue nobody reads.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    django.setup()  # already done by the server, unless its warming failed


def _render_one(html: str, **options: Any) -> tuple[int, bytes]:
    pdf, pages = write_pdf_pages(html, **options)
    return pages, pdf


# Structure tree ---------------------------------------------------------------------------------


def _document_element(tree: pikepdf.Dictionary) -> pikepdf.Dictionary:
    """The Document element WeasyPrint puts at the top of the structure tree."""
    kids = tree.K
    element = kids[0] if isinstance(kids, pikepdf.Array) else kids
    if element.get("/S") != pikepdf.Name.Document:
        raise ValueError("Arbre de structure inattendu : pas d'élément Document en tête.")
    return element


def _parent_tree_entries(tree: pikepdf.Dictionary) -> dict[int, pikepdf.Object]:
    parent_tree = tree.ParentTree
    if "/Kids" in parent_tree:  # WeasyPrint writes one flat number tree
        raise ValueError("Arbre parent en plusieurs nœuds : non pris en charge.")
    nums = parent_tree.Nums
    return {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}


def _renumber(
    pages: Sequence[pikepdf.Page],
    entries: dict[int, pikepdf.Object],
    parent_tree: list[tuple[int, pikepdf.Object]],
    next_key: int,
) -> int:
    """Give the pages of one part, and their annotations, the next keys of the joined parent
    tree (what leads a reader from a page's marked content to its structure elements); returns
    the next free key."""
    for page in pages:
        holders = [(page.obj, pikepdf.Name.StructParents)]
        holders += [(a, pikepdf.Name.StructParent) for a in page.obj.get("/Annots", ())]
        for holder, name in holders:
            if name not in holder:
                continue
            parent_tree.append((next_key, entries[int(holder[name])]))
            holder[name] = next_key
            next_key += 1
    return next_key


# Destinations and bookmarks -------------------------------------------------------------------


def _destinations(out: pikepdf.Pdf, source: pikepdf.Pdf) -> dict[str, pikepdf.Object]:
    """The named destinations of `source` (already joined into `out`), as objects of `out`."""
    try:
        names = source.Root.Names.Dests.Names
    except AttributeError:
        return {}
    found = {}
    for i in range(0, len(names), 2):
        value = names[i + 1]
        if source is not out:
            value = out.copy_foreign(value if value.is_indirect else source.make_indirect(value))
        found[str(names[i])] = value
    return found


@dataclass
class _Bookmark:
    title: str
    page: int  # index in its part
    left: float
    top: float
    children: list[_Bookmark]


def _outline(source: pikepdf.Pdf) -> list[_Bookmark]:
    index = {page.obj.objgen: n for n, page in enumerate(source.pages)}

    def read(items) -> list[_Bookmark]:
        marks = []
        for item in items:
            destination = item.destination
            if not isinstance(destination, pikepdf.Array) or destination[0].objgen not in index:
                continue
            marks.append(
                _Bookmark(
                    title=str(item.title),
                    page=index[destination[0].objgen],
                    left=float(destination[2]),
                    top=float(destination[3]),
                    children=read(item.children),
                )
            )
        return marks

    with source.open_outline() as outline:
        return read(outline.root)


def _copy_outline(out: pikepdf.Pdf, marks: list[_Bookmark], offset: int) -> list:
    items = []
    for mark in marks:
        item = pikepdf.OutlineItem(
            mark.title,
            offset + mark.page,
            pikepdf.PageLocation.XYZ,
            left=mark.left,
            top=mark.top,
        )
        item.children.extend(_copy_outline(out, mark.children, offset))
        items.append(item)
    return items


# Page numbers -------------------------------------------------------------------------------------


def _numbers(renderer: _Renderer, sample: _Task, total: int, salt: str) -> _Task:
    """The page numbers of a document of `total` pages: drawn from the sample, or, should it not
    be as expected, every page laid out by WeasyPrint (kept)."""
    try:
        pdf = drawn(sample.result().pdf, total)
    except (pikepdf.PdfError, KeyError, AttributeError, ValueError, TypeError):
        logger.warning("Page modèle des numéros illisible.", exc_info=True)
        pdf = None
    if pdf is not None:
        return _Task(Part(pdf=pdf, pages=total))
    logger.warning(
        "Impossible de dessiner les numéros de page : les %s pages sont mises en page une à une.",
        total,
    )
    return _kept_or_rendered(renderer, numbers_html(total), salt)


# Keys -------------------------------------------------------------------------------------------


def _salt(base_url: str | None, stylesheets: Sequence[str], tagged: bool, audience: str) -> str:
    """What besides the HTML makes a rendering: stylesheets' text, renderer, options, the
    machine's fonts and text-layout libraries, and whom it is for."""
    texts = [FORMAT, weasyprint.__version__, pydyf.__version__, PDF_VARIANT, _system_fonts()]
    texts += [base_url or LOCAL_ORIGIN, "tagged" if tagged else "untagged", f"for:{audience}"]
    for name in stylesheets:
        path = finders.find(name)
        if not isinstance(path, str):
            raise FileNotFoundError(f"Feuille de style introuvable : {name}")
        with open(path, encoding="utf-8") as file:
            texts.append(file.read())
    return _digest(*texts)


@functools.cache
def _system_fonts() -> str:
    """The text-layout libraries this process loaded (their files name their versions) and the
    fontconfig caches (rebuilt when fonts are installed or upgraded): an upgrade of Pango or of
    the fonts makes new parts rather than mixing old and new renderings in one contract."""
    texts = []
    with contextlib.suppress(OSError):
        with open("/proc/self/maps", encoding="utf-8") as maps:
            libraries = {
                line.split()[-1]
                for line in maps
                if any(name in line for name in TEXT_LIBRARIES) and "/" in line
            }
        texts += [f"{path}:{os.stat(path).st_mtime_ns}" for path in sorted(libraries)]
    for folder in ("/var/cache/fontconfig", Path.home() / ".cache" / "fontconfig"):
        with contextlib.suppress(OSError):
            texts += sorted(f"{e.name}:{e.stat().st_mtime_ns}" for e in os.scandir(folder))
    return _digest(*texts)


TEXT_LIBRARIES = ("libpango", "libharfbuzz", "libfontconfig", "libfreetype")


def _digest(*texts: str) -> str:
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()
