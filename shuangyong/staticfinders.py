"""Only the vendor files the pages use are collected (not the 29 MB of every Bootstrap build,
RTL variant and source map the xstatic package ships): ``collectstatic`` with compression then
takes seconds in run.sh, not minutes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import xstatic.pkg.bootstrap
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PREFIX = "vendor/bootstrap"
#: Paths inside the package's data folder; a map is kept with its file because the hashed
#: storage rewrites the ``sourceMappingURL`` comment and needs the map to exist.
FILES = (
    "css/bootstrap.min.css",
    "css/bootstrap.min.css.map",
    "js/bootstrap.bundle.min.js",
    "js/bootstrap.bundle.min.js.map",
)


class VendorFinder(BaseFinder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=xstatic.pkg.bootstrap.BASE_DIR)
        self.storage.prefix = PREFIX  # type: ignore[attr-defined]  # collectstatic reads it

    def check(self, **kwargs: Any) -> list[Any]:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        inner = path.removeprefix(PREFIX + "/")
        if path.startswith(PREFIX + "/") and inner in FILES:
            found = self.storage.path(inner)
            return [found] if find_all else found
        return [] if find_all else ""

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        for inner in FILES:
            yield inner, self.storage
