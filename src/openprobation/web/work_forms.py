"""The small forms of the work-item and safeguarding pages: a list of fields, parsed from the POST, with errors in
the GOV.UK error-summary pattern. Parsing only (a real date, a choice from the list); the rules are the services'.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from openprobation.core.errors import FieldError
from openprobation.web.dates import parse_date_input, parse_time_input
from openprobation.web.forms import ErrorItem


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str  # "date", "time", "text", "number" (whole), "textarea", "radios", "checkboxes", "select", "password"
    hint: str = ""
    required: bool = True
    options: Sequence[tuple[str, str]] = ()
    missing: str = ""  # the message when a required field is empty
    inline: bool = False  # radios side by side (two short options, like Yes and No)
    max_length: int = 0  # text: refused when longer (0: the service's limit applies)
    # Radios: the questions revealed under an option when it is chosen (GOV.UK conditional reveal; an option may be
    # listed more than once to reveal several); their answers are kept only when that option is chosen.
    conditional: tuple[tuple[str, FormField], ...] = ()

    @property
    def anchor(self) -> str:
        return f"{self.name}-day" if self.kind == "date" else self.name

    @property
    def option_rows(self) -> list[tuple[str, str, list[FormField]]]:
        return [(value, label, [child for option, child in self.conditional if option == value])
                for value, label in self.options]  # fmt: skip

    def with_children(self) -> list[FormField]:
        return [self, *(child for _, child in self.conditional)]


@dataclass
class ParsedForm:
    fields: Sequence[FormField]
    data: Mapping[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, ErrorItem] = field(default_factory=dict)

    def add_service_errors(self, errors: Sequence[FieldError]) -> None:
        """Put each service error against its field when the form has it, otherwise at the top of the summary."""
        names = {g.name: g for f in self.fields for g in f.with_children()}
        for n, error in enumerate(errors):
            name = str(error.path[0]) if error.path else ""
            if name in names and name not in self.errors:
                self.errors[name] = ErrorItem(name, names[name].anchor, error.message)
            elif name not in names:
                self.errors[f"general-{n}"] = ErrorItem("", "", error.message)

    @property
    def summary(self) -> list[ErrorItem]:
        order = [g.name for f in self.fields for g in f.with_children()]
        return sorted(self.errors.values(), key=lambda e: order.index(e.field) if e.field in order else -1)


def _parse_date(data: Mapping[str, str], f: FormField) -> tuple[dt.date | None, str]:
    return parse_date_input(*(data.get(f"{f.name}_{p}", "") for p in ("day", "month", "year")),
                            label=f"the {f.label.lower()}", missing=f.missing or f"Enter the {f.label.lower()}",
                            required=f.required)


def _parse_one(form: ParsedForm, f: FormField, data: Mapping[str, str]) -> None:
    message = ""
    value: Any
    if f.kind == "date":
        value, message = _parse_date(data, f)
    elif f.kind == "time":
        value, message = parse_time_input(data.get(f.name, ""), label=f.label.lower(), required=f.required)
        if message and f.missing and not data.get(f.name, "").strip():
            message = f.missing
    elif f.kind == "number":
        text = data.get(f.name, "").strip()
        value = None
        if not text:
            if f.required:
                message = f.missing or f"Enter {f.label.lower()}"
        elif not text.isdigit():
            message = f"Enter {f.label.lower()} as a whole number, like 3"
        else:
            value = int(text)
    elif f.kind == "checkboxes":
        getlist = getattr(data, "getlist", None)
        value = list(getlist(f.name)) if getlist is not None else list(data.get(f.name, []))
        if any(v not in {o for o, _ in f.options} for v in value):
            message = f.missing or f"Choose {f.label.lower()} from the options"
        elif f.required and not value:
            message = f.missing or f"Select {f.label.lower()}"
    else:
        value = data.get(f.name, "")
        if f.kind in ("radios", "select") and value and value not in {v for v, _ in f.options}:
            message = f.missing or f"Choose {f.label.lower()} from the options"
        elif f.required and not value.strip():
            message = f.missing or f"Enter {f.label.lower()}"
        elif f.max_length and len(value) > f.max_length:
            message = f"{f.label} must be {f.max_length} characters or fewer"
    if message:
        form.errors[f.name] = ErrorItem(f.name, f.anchor, message)
    form.values[f.name] = value


def parse(fields: Sequence[FormField], data: Mapping[str, str]) -> ParsedForm:
    form = ParsedForm(fields=fields, data=data)
    for f in fields:
        _parse_one(form, f, data)
        for option, child in f.conditional:
            if form.values[f.name] == option:
                _parse_one(form, child, data)
            else:
                form.values[child.name] = None if child.kind in ("date", "number") else ""  # hidden: not kept
    return form


def blank(fields: Sequence[FormField], initial: Mapping[str, str] | None = None) -> ParsedForm:
    return ParsedForm(fields=fields, data=dict(initial or {}))


YES_NO = (("yes", "Yes"), ("no", "No"))


def yes_no(name: str, label: str, *, hint: str = "", missing: str = "") -> FormField:
    """A Yes/No question as inline radios; its value is "yes" or "no" (see :func:`as_bool`)."""
    return FormField(name, label, "radios", hint=hint, options=YES_NO, inline=True,
                     missing=missing or f"Select yes if {label[0].lower() + label[1:].rstrip('?')}")


def as_bool(value: str) -> bool:
    return value == "yes"
