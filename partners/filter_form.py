"""The filter forms of the lists (structures, contacts, fiches-actions), written out in Python.

Django renders a form through a template per field, per label and per option of a select: a
filter form of ten selects cost more than the rows of the list it filters. `QuickFilterForm`
writes the same HTML (label, hint tied by aria-describedby, errors, the option chosen) with
format_html; a widget it does not know (the pickers) keeps its own template.
"""

from __future__ import annotations

from html import escape
from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django_filters.fields import ModelChoiceIterator as FilterChoiceIterator

SELECT_TEMPLATE = "django/forms/widgets/select.html"
TEXT_TEMPLATE = "django/forms/widgets/text.html"


def _attrs(field: BoundField) -> dict[str, Any]:
    """The attributes Django gives the widget (BoundField.as_widget, Widget.build_attrs)."""
    widget = field.field.widget
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    return widget.build_attrs(widget.attrs, attrs)


def _choices(field: BoundField) -> Any:
    choices = field.field.widget.choices
    if type(choices) not in (ModelChoiceIterator, FilterChoiceIterator):
        return choices
    # Their queryset.iterator() opens a server-side cursor on PostgreSQL (DECLARE, FETCH,
    # CLOSE: three round trips for a select of twelve sectors); one plain read instead.
    model_field = field.field
    rows = [("", model_field.empty_label)] if model_field.empty_label is not None else []
    if getattr(model_field, "null_label", None) is not None:
        rows.append((model_field.null_value, model_field.null_label))
    objects = list(model_field.queryset)
    return rows + [(obj.pk, model_field.label_from_instance(obj)) for obj in objects]


def _options(field: BoundField, chosen: set[str]) -> SafeString | None:
    """The options, escaped as Django escapes them (html.escape gives the same entities),
    without format_html's work per option: a long select costs a string join."""
    rows = []
    for value, label in _choices(field):
        if isinstance(label, list | tuple):
            return None  # groups of options: Django's template
        text = "" if value is None else str(value)
        label = str(label)
        rows.append(
            f'<option value="{escape(text)}"{" selected" if text in chosen else ""}>'
            f"{label if isinstance(label, SafeString) else escape(label)}</option>"
        )
    return mark_safe("\n".join(rows))


def widget_html(field: BoundField) -> SafeString:
    """A text input or a single select in Python; anything else through its template."""
    widget = field.field.widget
    template = getattr(widget, "template_name", "")
    if template == TEXT_TEMPLATE and isinstance(widget, forms.TextInput):
        attrs = _attrs(field)
        value = widget.format_value(field.value())
        if value is not None:
            attrs["value"] = value
        return format_html(
            '<input type="{}" name="{}"{}>', widget.input_type, field.html_name, flatatt(attrs)
        )
    if (
        template == SELECT_TEMPLATE
        and isinstance(widget, forms.Select)
        and not widget.allow_multiple_selected
    ):
        options = _options(field, set(widget.format_value(field.value())))
        if options is not None:
            return format_html(
                '<select name="{}"{}>\n{}\n</select>',
                field.html_name,
                flatatt(_attrs(field)),
                options,
            )
    return field.as_widget()


def field_html(field: BoundField) -> SafeString:
    """What django/forms/field.html writes for a field that uses no fieldset."""
    parts = []
    if field.label:
        label = conditional_escape(field.label) + conditional_escape(field.form.label_suffix or "")
        label_for = field.id_for_label
        parts.append(
            format_html('<label for="{}">{}</label>', label_for, label) if label_for else label
        )
    if field.help_text:
        hint_id = f' id="{conditional_escape(field.auto_id)}_helptext"' if field.auto_id else ""
        parts.append(
            format_html(
                '<div class="helptext"{}>{}</div>', mark_safe(hint_id), mark_safe(field.help_text)
            )
        )
    if field.errors:
        parts.append(str(field.errors))
    parts.append(widget_html(field))
    classes = field.css_classes()
    opening = format_html('<div class="{}">', classes) if classes else mark_safe("<div>")
    return opening + mark_safe("\n".join(parts)) + mark_safe("</div>")


class QuickFilterForm(forms.Form):
    """The base form of the lists' FilterSets (Meta.form): `as_div` without a template per
    field or option."""

    def as_div(self) -> SafeString:
        parts = [str(self.non_field_errors())] if self.non_field_errors() else []
        parts.extend(field_html(field) for field in self.visible_fields())
        parts.extend(str(field) for field in self.hidden_fields())
        return mark_safe("\n".join(parts))
