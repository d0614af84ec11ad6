"""The parts of every page that depend on little: rendered once per process, then reused.

The main navigation's HTML depends only on the territory, the section the page belongs to
(which link carries aria-current), whether the user reads several territories, and the
language; the footer's only on the accessibility status. Rendering them is a dozen URL
reversals and translations a page; `{% fragment %}` renders a template from the values it is
given and nothing else (no request, no context processor), so its output is a function of those
values and is kept, per process, under them (and the language, the URLconf and the script
prefix, which `{% url %}` and `{% translate %}` read).

- `{% site_nav %}` (base.html): the main navigation of the page being rendered;
- `{% fragment "includes/…html" name=value … %}`: any such template (the directory's
  navigation, the footer);
- `{% constant %}…{% endconstant %}`: a stretch of a template that reads no value (links,
  static files' addresses, translations), rendered once per process the same way, with
  `{% live %}…{% endlive %}` stretches inside it rendered on every page from the page's values
  (the CSRF token, the session's time left). base.html and the session's warning are mostly
  such text: every page paid their URL reversals and translations.
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import lru_cache
from typing import Any

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.template.base import Node, NodeList, Parser, Token
from django.template.context import Context
from django.template.exceptions import TemplateSyntaxError
from django.template.loader import get_template
from django.template.loader_tags import BlockNode
from django.urls import ResolverMatch, get_script_prefix, get_urlconf
from django.utils.autoreload import file_changed
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

# Territories × sections × languages a process serves at once, roughly; the least recently used
# fragment goes first past this.
FRAGMENTS_KEPT = 4096


def current_sections(match: ResolverMatch | None) -> frozenset[str]:
    """The links of the main navigation that name the page's section (aria-current="page").

    The progress page and the COPIL decisions belong to the contracts, not to the evaluation's
    tools. A page without a URL name (or no resolved URL: an error page) belongs to none by name.
    """
    if match is None:
        return frozenset()
    app, name = match.app_name, match.url_name
    named = name is not None
    decision = named and name.startswith("decision_")
    progress = name == "contract_progress"
    sections = {
        "dashboard": match.view_name == "evaluation:dashboard",
        "contracts": (app == "actions" and named and "fiche" not in name) or progress or decision,
        "fiches": app == "actions" and named and "fiche" in name,
        "groups": app == "workgroups",
        "directory": app == "partners",
        "evaluation": app == "evaluation" and name != "dashboard" and not progress and not decision,
        "portfolio": app == "portfolio",
        "home": match.view_name == "home",
    }
    return frozenset(section for section, current in sections.items() if current)


@lru_cache(maxsize=FRAGMENTS_KEPT)
def _rendered(name: str, values: tuple[tuple[str, Hashable], ...], *where: Any) -> SafeString:
    # `where` (language, URLconf, script prefix) is part of the key only: the template reads
    # them from the thread, as it would without the cache.
    return mark_safe(get_template(name).render(dict(values)))


def render_fragment(name: str, **values: Hashable) -> SafeString:
    """`name` rendered from `values` alone, once per process for the same values."""
    key = tuple(sorted(values.items()))
    try:
        return _rendered(name, key, *_where())
    except TypeError:  # a value that cannot be a key: rendered, not kept
        return mark_safe(get_template(name).render(values))


def _where() -> tuple[Any, ...]:
    """What `{% url %}`, `{% static %}` and `{% translate %}` read besides their arguments."""
    return (get_language(), get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


# Bumped whenever the fragments are forgotten: `{% constant %}` keeps its text under it.
_generation = 0


def forget_fragments(**kwargs: Any) -> None:
    """A setting (tests) or a template file (runserver reloads templates in place) changed."""
    global _generation
    _generation += 1
    _rendered.cache_clear()


setting_changed.connect(forget_fragments, dispatch_uid="trame_forget_fragments")
file_changed.connect(forget_fragments, dispatch_uid="trame_forget_fragments")


@register.simple_tag
def fragment(name: str, **values: Hashable) -> SafeString:
    return render_fragment(name, **values)


@register.simple_tag(takes_context=True)
def site_nav(context: template.Context) -> SafeString:
    """The main navigation: the territory's sections when the page is a territory's, the table
    of all one's contracts for a reader of several territories, one's territories."""
    request = context.get("request")
    access = context.get("current_access")
    several = context.get("several_territories")
    return render_fragment(
        "includes/site_nav.html",
        territory=access.territory.slug if access else "",
        several=bool(several() if callable(several) else several),
        current=current_sections(getattr(request, "resolver_match", None)),
    )


# --- {% constant %} ------------------------------------------------------------------------------


class _NoValues(Context):
    """The context a `{% constant %}` stretch is rendered in: reading a value the stretch did not
    set itself is an error, not an empty string, since the text is kept for every page."""

    def __getitem__(self, key: str) -> Any:
        try:
            return super().__getitem__(key)
        except KeyError:
            raise TemplateSyntaxError(
                f"{{% constant %}} ne lit aucune valeur de la page : « {key} » est à placer "
                "dans {% live %}…{% endlive %}."
            ) from None

    def get(self, key: str, otherwise: Any = None) -> Any:
        return self[key]


class LiveNode(Node):
    """`{% live %}…{% endlive %}`: inside `{% constant %}`, what is rendered on every page."""

    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: Context) -> SafeString:
        return self.nodelist.render(context)


class ConstantNode(Node):
    """`{% constant %}…{% endconstant %}`: its text but the `{% live %}` parts, kept per
    process (and language, URLconf, script prefix) on the node, hence forgotten with the
    template; the live parts, direct children only, filled in on every page."""

    # Holds no block: `{% extends %}`, which looks for the blocks of base.html on every page,
    # need not walk it.
    child_nodelists = ()

    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist
        self.kept: dict[tuple[Any, ...], tuple[str | LiveNode, ...]] = {}

    def parts(self, context: Context) -> tuple[str | LiveNode, ...]:
        key = (_generation, *_where())
        parts = self.kept.get(key)
        if parts is None:
            if len(self.kept) > 16:  # stale generations (settings changed in tests)
                self.kept.clear()
            empty = _NoValues(autoescape=context.autoescape, use_l10n=context.use_l10n)
            # Bound to the page's template as the page's context is (an error's report in
            # DEBUG reads them).
            empty.template = context.template
            empty.render_context.template = context.render_context.template
            merged: list[str | LiveNode] = []
            for node in self.nodelist:
                if isinstance(node, LiveNode):
                    merged.append(node)
                elif merged and isinstance(merged[-1], str):
                    merged[-1] += node.render_annotated(empty)
                else:
                    merged.append(str(node.render_annotated(empty)))
            parts = self.kept[key] = tuple(merged)
        return parts

    def render(self, context: Context) -> SafeString:
        return mark_safe(
            "".join(
                part if isinstance(part, str) else part.render(context)
                for part in self.parts(context)
            )
        )


@register.tag("live")
def do_live(parser: Parser, token: Token) -> LiveNode:
    nodelist = parser.parse(("endlive",))
    parser.delete_first_token()
    return LiveNode(nodelist)


@register.tag("constant")
def do_constant(parser: Parser, token: Token) -> ConstantNode:
    nodelist = parser.parse(("endconstant",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(BlockNode):
        raise TemplateSyntaxError("{% constant %} ne contient aucun {% block %}.")
    direct = {id(node) for node in nodelist if isinstance(node, LiveNode)}
    if any(id(node) not in direct for node in nodelist.get_nodes_by_type(LiveNode)):
        raise TemplateSyntaxError(
            "{% live %} se place directement dans {% constant %}, hors de toute autre balise."
        )
    return ConstantNode(nodelist)
