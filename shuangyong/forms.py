from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from shuangyong.concurrency import VersionedForm
from shuangyong.models import OrgUnit
from shuangyong.validators import DATE_MAX, DATE_MIN, validate_date_in_range

EMPTY_CHOICE = "请选择"


def _chinese_empty_choice(field: forms.Field) -> None:
    """Django's empty choice is "---------"; ours says what to do, in Chinese."""
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label == "---------":
            field.empty_label = EMPTY_CHOICE
    elif isinstance(field, forms.ChoiceField):
        choices: list[Any] = list(field.choices)  # type: ignore[arg-type]
        if any(label == "---------" for _, label in choices):
            field.choices = [(v, EMPTY_CHOICE if label == "---------" else label) for v, label in choices]


#: A text too long, in words a clerk reads (a pasted paragraph in a one-line field).
MAX_LENGTH_MESSAGE = "最多 %(limit_value)d 个字，现在是 %(show_value)d 个字，请删减。"


class BootstrapFormMixin:
    """Adds Bootstrap classes to every widget, and marks invalid fields after validation.

    Mix in before ``forms.Form``/``forms.ModelForm``: ``class MyForm(BootstrapFormMixin, forms.Form)``.
    """

    fields: dict[str, forms.Field]
    errors: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            _chinese_empty_choice(field)
            if getattr(field, "max_length", None) and "max_length" not in field.error_messages:
                # Django's own zh-hans text reads "确保该变量包含不超过 100 字符": 变量 means a program's variable.
                field.error_messages = {**field.error_messages, "max_length": MAX_LENGTH_MESSAGE}

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"


#: A telephone number as people write them: 023-45678901, 13800000000, (023)4567 8901转801,
#: several separated by 、 or /; full-width digits are turned into ASCII first.
PHONE_PATTERN = re.compile(r"[0-9+\-() 、,，/;；转]*")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９－（）＋　", "0123456789-()+ ")


class OrgUnitContactForm(BootstrapFormMixin, VersionedForm, forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = ["contact_person", "contact_phone"]

    def clean_contact_phone(self) -> str:
        phone = " ".join(self.cleaned_data["contact_phone"].translate(_FULL_WIDTH).split())
        if phone and (not PHONE_PATTERN.fullmatch(phone) or sum(c.isdigit() for c in phone) < 5):
            raise forms.ValidationError("请填写电话号码，如 023-45678901 或 13800000000（分机写“转801”）。")
        return phone


class OfficeUnitForm(OrgUnitContactForm):
    """The office's own unit: its contacts and the settings it keeps for itself (the troop name
    in its 八一 table titles)."""

    class Meta(OrgUnitContactForm.Meta):
        fields = ["contact_person", "contact_phone", "troop_name"]


def apply_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: at its field when the form has that field,
    above the form otherwise (a stale version, a rule across fields)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class BoundedDateField(forms.DateField):
    """A date within DATE_MIN..DATE_MAX (a typed 0001-01-01 or 9999-12-31 is refused at the field);
    the browser's date picker offers the same range. Model DateFields get it through
    ``validators=[validate_date_in_range]`` and ``formfield(form_class=BoundedDateField)``."""

    default_validators = [validate_date_in_range]

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.DateInput):
            attrs.update(min=f"{DATE_MIN:%Y-%m-%d}", max=f"{DATE_MAX:%Y-%m-%d}")
        return attrs
