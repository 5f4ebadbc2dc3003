"""Content-Security-Policy and Permissions-Policy on every response.

The pages load scripts and styles only from the portal itself (Bootstrap comes from a PyPI
package, never a CDN) and use no inline script, no inline event handler and no style attribute
(forms that ask first carry ``data-confirm``, handled in static/js/shuangyong.js; widths are CSS
classes). So the policy allows ``'self'`` and nothing inline: an injected ``<script>`` or
``onerror=`` would not run even if escaping ever failed. The SVG charts are inline markup with
presentation attributes only, which CSP does not restrict; ``data:`` images are Bootstrap's icons.

Permissions-Policy switches off the browser features the portal never uses.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# The one exception: the standalone 500 page carries its own small <style> (it must render even
# when static files or the database are what failed). It is allowed by its hash, nothing else.
ERROR_PAGE = Path(settings.BASE_DIR) / "templates" / "500.html"


def inline_style_hashes(page: Path = ERROR_PAGE) -> list[str]:
    """CSP source expressions ('sha256-…') of the <style> elements of a standalone page."""
    if not page.exists():
        return []
    styles = re.findall(r"<style>(.*?)</style>", page.read_text(encoding="utf-8"), re.S)
    return [f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in styles]


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        " ".join(["style-src 'self'", *inline_style_hashes()]),
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "xr-spatial-tracking",
    )
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
