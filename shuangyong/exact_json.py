"""Django's JSON serialization with times kept to the microsecond (``SERIALIZATION_MODULES``).

Django's ``DjangoJSONEncoder`` follows ECMA-262 and cuts datetimes and times to milliseconds, so a
``dumpdata``/``loaddata`` round trip changes every timestamp a little. ``manage.py backup`` dumps
with this format ("json-exact") so that a restore gives back identical rows; the file is ordinary
JSON that Django's own ``json`` deserializer reads (``parse_datetime`` takes the microseconds).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.serializers.json import Deserializer as JSONDeserializer
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer
from django.utils.timezone import is_aware

__all__ = ["Deserializer", "ExactJSONEncoder", "Serializer"]

Deserializer = JSONDeserializer


class ExactJSONEncoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime):
            return o.isoformat()
        if isinstance(o, dt.time):
            if is_aware(o):
                raise ValueError("JSON can't represent timezone-aware times.")
            return o.isoformat()
        return super().default(o)


class Serializer(JSONSerializer):
    def _init_options(self) -> None:
        super()._init_options()  # type: ignore[misc]  # not in django-stubs
        self.json_kwargs["cls"] = ExactJSONEncoder
