"""The filter forms of the lists (structures, contacts, fiches-actions), written out in Python.

Django renders a form through a template per field, per label and per option of a select: a
filter form of ten selects cost more than the rows of the list it filters. `QuickFilterForm`
writes the same HTML (label, hint tied by aria-describedby, errors, the option chosen) with
format_html, the filters' pickers too; a widget it does not know keeps its own template.
`ListFilterSet`, the lists' FilterSet, copies its filters for each request without deep-copying
them and reads the options of its selects in one round trip.
"""

from __future__ import annotations

import copy
from html import escape
from typing import Any

import django_filters as filters
from django import forms
from django.core.exceptions import EmptyResultSet
from django.forms.boundfield import BoundField
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django_filters.fields import ModelChoiceIterator as FilterChoiceIterator

from cls_platform.rows import results
from cls_platform.widgets import PickerWidget

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
    read_together = getattr(field.form, "options_read", {})
    if field.name in read_together:
        return rows + read_together[field.name]
    objects = list(model_field.queryset)
    return rows + [(obj.pk, model_field.label_from_instance(obj)) for obj in objects]


def _reads_plainly(field: forms.Field) -> bool:
    """A select of model instances named by their __str__, from a plain queryset."""
    return (
        isinstance(field, forms.ModelChoiceField)
        and type(field.widget.choices) in (ModelChoiceIterator, FilterChoiceIterator)
        and type(field).label_from_instance is forms.ModelChoiceField.label_from_instance
        and not field.queryset.query.is_sliced
        and not field.queryset.query.distinct
    )


def options_in_one_query(form: forms.Form, named_by: dict[str, str]) -> dict[str, list]:
    """The options of several selects (field name -> the column that names an option, as its
    model's __str__ does): each select's queryset read as (pk, name) in its own order, the
    statements sent together, one round trip on PostgreSQL (`rows.results`). Written as one
    union of the querysets numbered by a window function, the ORM took 0.8 ms of a processor
    to build it on every list; compiled apart, 0.45 ms."""
    fields = [
        (name, form.fields[name], column)
        for name, column in named_by.items()
        if name in form.fields and _reads_plainly(form.fields[name])
    ]
    if len(fields) < 2:
        return {}
    options: dict[str, list] = {name: [] for name, _field, _column in fields}
    read, statements = [], []
    for name, field, column in fields:
        queryset = field.queryset
        if not queryset.ordered:  # as the union numbered them: by key when nothing orders them
            queryset = queryset.order_by("pk")
        try:
            statements.append(queryset.values_list("pk", column).query.sql_with_params())
        except EmptyResultSet:  # a queryset that can match nothing (`none()`, `pk__in=[]`)
            continue
        read.append(name)
    for name, rows in zip(read, results(statements) if read else [], strict=True):
        options[name] = [tuple(row) for row in rows]
    return options


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
    """A text input, a single select or a picker in Python; anything else through its
    template."""
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
    if isinstance(widget, PickerWidget) and not widget.matches:
        return picker_html(field, widget)
    return field.as_widget()


def picker_html(field: BoundField, widget: PickerWidget) -> SafeString:
    """What includes/picker.html writes for a picker with no matches to choose from (a filter's:
    it filters by every structure it finds), without its template and attrs.html's."""
    return picker_markup(widget, field.html_name, field.value(), flatatt(_attrs(field)))


def picker_markup(widget: PickerWidget, name: str, value: Any, attrs: str) -> SafeString:
    """The picker's HTML for the field `name` holding `value`, its text input carrying `attrs`
    (already written: ` id="…"`, and the hint's aria-describedby)."""
    picked = widget.format_value(value)
    return format_html(
        '<span class="picker" data-picker data-picker-url="{}">\n'
        '<input type="text" name="{}" value="{}" autocomplete="off" spellcheck="false"{}>\n'
        '<input type="hidden" name="{}_id" value="{}" data-picker-value>\n'
        "</span>",
        widget.url,
        name,
        picked.text,
        mark_safe(attrs),  # written by flatatt or by quick_field, escaped there
        name,
        picked.pk,
    )


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
    field or option. A text input, a single select or a picker without matches, with no error
    nor attributes of its own, is written without Django's BoundField (`quick_field`); any
    other field through `field_html`."""

    # The selects whose options are read together (options_in_one_query), set by the FilterSet.
    options_named_by: dict[str, str] = {}

    def read_options(self) -> dict[str, list]:
        """The options of the selects whose choices are rows, by field name."""
        return options_in_one_query(self, self.options_named_by)

    def as_div(self) -> SafeString:
        self.options_read = self.read_options()
        errors = self.errors  # cleaned once already (FilterSet.qs)
        parts = [str(self.non_field_errors())] if self.non_field_errors() else []
        hidden = []
        suffix = conditional_escape(self.label_suffix or "")
        quick = self.auto_id == "id_%s" and not self.prefix
        for name, field in self.fields.items():
            written = None
            if quick and name not in errors and is_plain(field):
                written = self.quick_field(name, field, suffix)
            if written is not None:
                parts.append(written)
                continue
            bound = self[name]
            if bound.is_hidden:
                hidden.append(str(bound))
            else:
                parts.append(field_html(bound))
        parts.extend(hidden)
        return mark_safe("\n".join(parts))

    def quick_field(self, name: str, field: forms.Field, suffix: str) -> str | None:
        """What `field_html` writes for a text input, a single select or a picker without
        matches, with no error nor attributes of its own (None for any other field): escaped
        as Django escapes."""
        widget = field.widget
        kind = type(widget)
        described = ""
        if field.help_text:
            described = f' aria-describedby="id_{name}_helptext"'
        if kind is forms.TextInput and widget.template_name == TEXT_TEMPLATE:
            value = widget.format_value(self.value_of(name, field))
            shown = "" if value is None else f' value="{conditional_escape(value)}"'
            written = (
                f'<input type="{widget.input_type}" name="{name}"{described} id="id_{name}"{shown}>'
            )
        elif kind is forms.Select and widget.template_name == SELECT_TEMPLATE:
            if isinstance(field, forms.ModelChoiceField):
                if name not in self.options_read:
                    return None
                choices = [("", field.empty_label)] if field.empty_label is not None else []
                if getattr(field, "null_label", None) is not None:
                    choices.append((field.null_value, field.null_label))
                choices += self.options_read[name]
            else:
                choices = widget.choices
            chosen = set(widget.format_value(self.value_of(name, field)))
            rows = []
            for value, label in choices:
                if isinstance(label, list | tuple):
                    return None  # groups of options
                text = "" if value is None else str(value)
                label = str(label)
                rows.append(
                    f'<option value="{escape(text)}"{" selected" if text in chosen else ""}>'
                    f"{label if isinstance(label, SafeString) else escape(label)}</option>"
                )
            options = "\n".join(rows)
            written = f'<select name="{name}"{described} id="id_{name}">\n{options}\n</select>'
        elif kind is PickerWidget and not widget.matches:
            value = self.value_of(name, field)
            written = picker_markup(widget, name, value, f'{described} id="id_{name}"')
        else:
            return None
        if field.help_text:  # not escaped, as Django writes it
            written = (
                f'<div class="helptext" id="id_{name}_helptext">{field.help_text}</div>\n{written}'
            )
        if field.label:
            label = conditional_escape(field.label) + suffix
            written = f'<label for="id_{name}">{label}</label>\n{written}'
        return f"<div>{written}</div>"

    def value_of(self, name: str, field: forms.Field) -> Any:
        """BoundField.value() without the BoundField."""
        initial = self.get_initial_for_field(field, name)
        if not self.is_bound:
            return field.prepare_value(initial)
        data = field.widget.value_from_datadict(self.data, self.files, name)
        return field.prepare_value(field.bound_data(data, initial))


def is_plain(field: forms.Field) -> bool:
    """A field whose widget Django writes with its name, id and hint only: no attributes of
    its own, not required nor disabled, no hidden initial, not localized."""
    return not (
        field.widget.attrs
        or field.required
        or field.disabled
        or field.show_hidden_initial
        or field.localize
        or field.widget.is_hidden
    )


def copied_filter(original: filters.Filter) -> filters.Filter:
    """A filter for one request: its own `extra` (a FilterSet's __init__ sets the querysets and
    options it hands in there) and its own `method` binding (django-filter's FilterMethod points
    at the filter it was made for, whose `parent` is the FilterSet); the rest shared."""
    filter_ = copy.copy(original)
    filter_.extra = original.extra.copy()
    if original.method is not None:
        filter_.method = original.method  # a FilterMethod bound to this copy
    return filter_


class FilterCopies(dict):
    """A FilterSet's `base_filters`, whose deep copy (BaseFilterSet.__init__, once a request)
    copies each filter as `copied_filter` does: deepcopy walked every queryset and label of the
    declarations, some 400 calls a request."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, filters.Filter]:
        return {name: copied_filter(filter_) for name, filter_ in self.items()}


class FieldsOfOneForm(dict):
    """The `base_fields` of a form class made for a single form: BaseForm.__init__'s deep copy
    of them (some 1,500 calls for a filter form of twelve fields) is a plain copy."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        return dict(self)


class ListFilterSet(filters.FilterSet):
    """The lists' FilterSets: filters copied cheaply for each request (FilterCopies), and the
    options of the selects named in `options_named_by` read in one query (QuickFilterForm)."""

    # A select's field name -> the column that names its options (what its model's __str__
    # returns): those selects' options are read together.
    options_named_by: dict[str, str] = {}

    @classmethod
    def get_filters(cls) -> FilterCopies:
        return FilterCopies(super().get_filters())

    def get_form_class(self) -> type[forms.Form]:
        form_class = super().get_form_class()
        form_class.options_named_by = self.options_named_by
        # The class and its fields are made for this FilterSet's one form (django-filter builds
        # them per request, FilterSet.form): that form need not deep-copy them again.
        form_class.base_fields = FieldsOfOneForm(form_class.base_fields)
        return form_class
