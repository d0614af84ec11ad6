"""Charts of the survey results, drawn on the server as SVG with pygal: they print, need no
script, and sit beside a data table that says the same for screen readers.

pygal writes a small configuration script into every chart (for its optional interactive
layer): it is taken out, with the comments, so that the page carries no script at all. The
chart is an image (`role="img"`) named by the caller; its figures are in the table beside it.

Drawing one takes pygal some 20 ms: a chart is kept in the cache under what it shows, so that a
results page read again (for the COPIL's slides, by a signatory after the coordinator) draws
none.
"""

from __future__ import annotations

import hashlib
import json
import uuid

import pygal
from django.core.cache import cache
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from pygal.style import Style

# The house's ink and brand blue (static/css/trame.css), and a grey for the earlier campaign.
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1b1b1f",
    foreground_strong="#1b1b1f",
    foreground_subtle="#c9ccd6",
    colors=("#1d3f8f", "#8a8fa3"),
    font_family="'DejaVu Sans', Arial, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=13,
    value_label_font_size=13,
    legend_font_size=13,
    title_font_size=14,
    opacity=".95",
    opacity_hover=".95",
    transition="0s",
)
ROW_HEIGHT = 34
CACHE_SECONDS = 7 * 24 * 60 * 60
SVG_NS = "{http://www.w3.org/2000/svg}"
# Stands for the chart's id in the cached markup.
CHART_ID = "chart-trame-id"


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.0f} %"


def bar_chart(
    *,
    name: str,
    labels: list[str],
    values: list[float],
    previous: list[float | None] | None = None,
    current_label: str = "Cette campagne",
    previous_label: str = "Campagne précédente",
) -> SafeString:
    """Horizontal bars of percentages (0 to 100), one per label; with `previous`, a second,
    grey bar per label for the earlier campaign. `name` is what the image is called."""
    shown = [name, labels, [round(v, 1) for v in values], current_label, previous_label]
    if previous is not None:
        shown.append([None if v is None else round(v, 1) for v in previous])
    key = "survey-chart:v2:" + hashlib.sha256(json.dumps(shown).encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = _draw(name, labels, values, previous, current_label, previous_label)
        cache.set(key, svg, CACHE_SECONDS)
    # Two questions answered alike share a cached drawing: each copy gets its own id, which
    # its <style> names, so that a page of results holds no id twice (RGAA 8.2).
    svg = svg.replace(CHART_ID, f"chart-{uuid.uuid4().hex}")
    return mark_safe(svg)  # pygal escapes the labels it writes, `name` is escaped


def _draw(
    name: str,
    labels: list[str],
    values: list[float],
    previous: list[float | None] | None,
    current_label: str,
    previous_label: str,
) -> str:
    series = 2 if previous is not None else 1
    chart = pygal.HorizontalBar(
        style=STYLE,
        js=[],
        disable_xml_declaration=True,
        width=640,
        height=70 + ROW_HEIGHT * series * max(len(labels), 1),
        range=(0, 100),
        show_legend=previous is not None,
        legend_at_bottom=True,
        legend_at_bottom_columns=2,
        # The figures are in the table beside the chart: on the bars they would overlap.
        print_values=False,
        value_formatter=_percent,
        truncate_label=30,  # the table beside gives each label whole
        show_y_guides=True,
        margin=8,
    )
    # pygal draws the first label at the bottom: reversed, the chart reads as the table does.
    chart.x_labels = list(reversed(labels))
    chart.y_labels = [0, 25, 50, 75, 100]
    chart.add(current_label, list(reversed(values)))
    if previous is not None:
        chart.add(previous_label, list(reversed(previous)))
    tree = chart.render_tree()
    # pygal's own id (a random uuid, also in its <style>) becomes a placeholder that
    # `bar_chart` fills per copy; its legend's "activate-serie-N" ids serve only the script
    # taken out below, and would repeat from one chart to the next.
    chart_id = tree.get("id")
    for node in tree.iter():
        if str(node.get("id", "")).startswith("activate-serie-"):
            del node.attrib["id"]
    svg = _serialise(tree).replace(chart_id, CHART_ID)
    # Sized by its box (100 % of the column), not by pygal's pixels: it fits a phone.
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(name)}" ', 1)


def _serialise(tree) -> str:
    """The SVG's markup without pygal's scripts and comments (lxml tree, or ElementTree's)."""
    from xml.etree import ElementTree

    try:
        from lxml import etree
    except ImportError:  # pragma: no cover (pygal uses lxml when present)
        etree = None
    if etree is not None and isinstance(tree, etree._Element):
        for node in tree.xpath("//*[local-name()='script'] | //comment()"):
            node.getparent().remove(node)
        return etree.tostring(tree, encoding="unicode")
    for parent in tree.iter():
        for child in list(parent):
            if child.tag in (f"{SVG_NS}script", "script"):
                parent.remove(child)
    return ElementTree.tostring(tree, encoding="unicode")
