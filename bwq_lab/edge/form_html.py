"""A form field with its label, help text and errors, written as HTML in one pass.

The one source of a field's markup: the ``field`` macro of ``templates/macros/forms.html`` calls
:func:`form_field`, and pages drawn on every request call it directly (the booking page,
docs/decisions.md 26). Around WTForms' own widgets (names, ids, ``required``/``maxlength``/
``step`` attributes, the selected option, the errors next to the field). WTForms renders a widget through ``dir(field.flags)``, a generic ``html_params`` (sorted, each
value escaped and formatted as ``Markup``) and, for a select, a dataclass per option and its
``Choice`` per option twice; with the macro's own calls that was ~15% of the booking page. The
widget types written here are the plain ones; any other widget (and a custom option list) is
rendered by WTForms itself inside the same frame."""

from __future__ import annotations

from markupsafe import Markup, escape
from wtforms import SelectChoice, widgets
from wtforms.fields import SelectField


def escaped(value) -> str:
    """``escape(value)`` as a plain ``str`` (the same entities; markup is kept as it is): most
    values written here (numbers, times, plain words) have nothing to escape, and a ``Markup``
    per value cost more than writing it."""
    if hasattr(value, "__html__"):
        return value.__html__()
    text = value if type(value) is str else str(value)
    if "<" in text or ">" in text or '"' in text or "'" in text:
        return str(escape(text))
    return text.replace("&", "&amp;")


def _attributes(params: dict) -> str:
    """WTForms' ``html_params``: sorted names (``class_`` -> ``class``, ``data_x_y`` ->
    ``data-x-y``), ``True`` as a bare name, ``False`` left out, every value escaped."""
    out = []
    for key, value in sorted(params.items()):
        if value is False:
            continue
        key = key.rstrip("_")
        if key.startswith(("data_", "aria_")):
            key = key.replace("_", "-")
        out.append(key if value is True else f'{key}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return " ".join(out)


def _validation_attributes(field, widget, params: dict) -> None:
    """The attributes a widget takes from its field's flags (``required``, ``maxlength``, ...)."""
    flags = vars(field.flags)
    for name in widget.validation_attrs:
        if name in flags and name not in params:
            value = flags[name]
            params[name] = value() if callable(value) else value


_INPUTS = (
    widgets.TextInput,
    widgets.EmailInput,
    widgets.HiddenInput,
    widgets.SubmitInput,
    widgets.DateInput,
    widgets.TimeInput,
)


def _plain_choices(choices) -> list[tuple] | None:
    """``(value, label)`` pairs of a list of 2-tuples or of ``SelectChoice`` without attributes
    or groups; None for anything else (WTForms renders it)."""
    if not isinstance(choices, list):
        return None
    pairs = []
    for choice in choices:
        if type(choice) is tuple and len(choice) == 2:
            pairs.append(choice)
        elif type(choice) is SelectChoice and not choice.render_kw and choice.optgroup is None:
            pairs.append((choice.value, choice.label))
        else:
            return None
    return pairs


def widget_html(field, **kwargs) -> Markup:
    """``field(**kwargs)``, the same HTML; plain inputs, text areas and single selects with a
    list of ``(value, label)`` choices are written here, anything else by WTForms."""
    widget, kind = field.widget, type(field.widget)
    if getattr(field, "_datalist", None) is not None or getattr(field, "render_kw", None):
        return field(**kwargs)
    if kind in _INPUTS:
        params = {"id": field.id, "type": widget.input_type, **kwargs}
        if "value" not in kwargs:
            params["value"] = field.label.text if kind is widgets.SubmitInput else field._value()
        if kind in (widgets.DateInput, widgets.TimeInput) and any(name in vars(field.flags) for name in ("min", "max")):
            return field(**kwargs)  # WTForms formats min and max with the field's format
        _validation_attributes(field, widget, params)
        return Markup(f"<input {_attributes({'name': field.name, **params})}>")
    if kind is widgets.TextArea:
        params = {"id": field.id, **kwargs}
        _validation_attributes(field, widget, params)
        return Markup(
            f"<textarea {_attributes({'name': field.name, **params})}>\r\n{escape(field._value())}</textarea>"
        )
    if kind is widgets.Select and type(field) is SelectField and not widget.multiple:
        pairs = _plain_choices(field.choices)
        if pairs is not None:
            params = {"id": field.id, **kwargs}
            _validation_attributes(field, widget, params)
            coerce, data = field.coerce, field.data
            options = []
            for value, label in pairs:
                shown = str(value) if isinstance(value, bool) else value
                selected = "selected " if coerce(value) == data else ""
                options.append(f'<option {selected}value="{escaped(shown)}">{escaped(label or value)}</option>')
            return Markup(f"<select {_attributes({'name': field.name, **params})}>{''.join(options)}</select>")
    return field(**kwargs)


def form_field(field, help=None, **kwargs) -> Markup:
    """One field as a form shows it (the ``field`` macro of ``templates/macros/forms.html`` is
    this function): label (with the required mark), widget, help text and the field's errors."""
    if field.type in ("CSRFTokenField", "HiddenField"):
        return widget_html(field)
    classes = "field"
    if field.errors:
        classes += " has-error"
    if field.type == "BooleanField":
        head = f"<label>{widget_html(field, **kwargs)} {escape(field.label.text)}</label>"
        classes += " checkbox"
    else:
        required = ' <span class="req" aria-hidden="true">*</span>' if field.flags.required else ""
        head = (
            f'<label for="{escape(field.id)}">{escape(field.label.text)}{required}</label>\n'
            f"      {widget_html(field, **kwargs)}"
        )
    note = help or field.description
    parts = [f'\n  <div class="{classes}">\n      {head}\n    ']
    if note:
        parts.append(f'<small class="help">{escape(note)}</small>')
    parts.append("\n    ")
    parts.extend(f'<div class="error" role="alert">{escape(e)}</div>' for e in field.errors)
    parts.append("\n  </div>\n  ")
    return Markup("".join(parts))
