"""Walks every URL pattern of the project, with the access policy each view declares."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import get_converters

CONVERTER = re.compile(r"<(?:(?P<conv>[a-z_]+):)?(?P<name>\w+)>")

# A page's CSRF token is 64 random letters and digits: read in lower case, a few in a million
# hold "vitry", which is no other territory's data (CI met it once).
CSRF_TOKEN = re.compile(r'(csrfmiddlewaretoken" value=|data-csrf=)"[a-z0-9]+"')


def without_tokens(page: str) -> str:
    """A page read in lower case, its CSRF tokens emptied, so that a walk looking for another
    territory's name does not find it in random letters."""
    return CSRF_TOKEN.sub(r'\1""', page)


@dataclass(frozen=True)
class Route:
    route: str
    name: str
    callback: Any
    namespace: str

    @property
    def policy(self) -> str | None:
        policy = getattr(self.callback, "access_policy", None)
        if policy is None:
            view_class = getattr(self.callback, "view_class", None)
            policy = getattr(view_class, "access_policy", None)
        return policy

    @property
    def view_class(self) -> type | None:
        return getattr(self.callback, "view_class", None)

    @property
    def kwargs(self) -> list[tuple[str, str]]:
        return [(m["conv"] or "str", m["name"]) for m in CONVERTER.finditer(self.route)]

    def build(self, values: dict[str, Any]) -> str:
        def fill(match: re.Match[str]) -> str:
            return str(values[match["name"]])

        path = "/" + CONVERTER.sub(fill, self.route)
        return path.replace("^", "").replace("$", "")


def sample_value(converter: str) -> str:
    """A value the converter accepts: its first `examples` entry when it declares some (a
    converter restricted to "csv|xlsx" refuses anything else), "x" otherwise."""
    examples = getattr(get_converters().get(converter), "examples", None)
    return str(examples[0]) if examples else "x"


def walk(urlconf: str | None = None) -> Iterator[Route]:
    def visit(patterns: list[Any], prefix: str, namespace: str) -> Iterator[Route]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = entry.namespace or namespace
                yield from visit(entry.url_patterns, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern):
                yield Route(
                    route=prefix + str(entry.pattern),
                    name=entry.name or "",
                    callback=entry.callback,
                    namespace=namespace,
                )

    yield from visit(get_resolver(urlconf).url_patterns, "", "")
