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

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
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
