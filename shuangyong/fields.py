"""Free text with a length that fits its use: every TextField of the portal is a BoundedTextField.

Django's TextField takes ``max_length`` only for its form field: the model's ``full_clean`` never
checks it, so a service, an import or the admin could store 40 MB in a 备注 (and again in its
history, then serve it as 84 MB of HTML). BoundedTextField requires a limit and validates it like
a CharField does, so every write path that cleans the model — forms, services, importers — refuses
a longer text at its field with Django's Chinese message.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import MaxLengthValidator
from django.db import models

from shuangyong.validators import validate_date_in_range

# The sizes in use (characters).
NOTE = 1_000  # a reason, a decision, a resolution, a short remark
TEXT = 2_000  # a report, a record's content, a person's notes
LONG_TEXT = 5_000  # a task's full text, a section's introduction, a return's written summary
DOCUMENT = 100_000  # a whole notice as pasted (tasks.notice_upload.NOTICE_MAX_CHARS)


class BoundedTextField(models.TextField):
    def __init__(self, *args: Any, max_length: int, **kwargs: Any) -> None:
        kwargs["max_length"] = max_length  # (passed through kwargs: the stubs see *args as a clash)
        super().__init__(*args, **kwargs)
        self.validators.append(MaxLengthValidator(max_length))


class InRangeDateField(models.DateField):
    """A date the portal accepts only within DATE_MIN..DATE_MAX (shuangyong/validators.py): checked
    by ``full_clean`` on every write path, offered by the form's date picker, refused at the field."""

    default_validators = [validate_date_in_range]

    def formfield(self, **kwargs: Any) -> Any:
        from shuangyong.forms import BoundedDateField

        return super().formfield(**{"form_class": BoundedDateField, **kwargs})
