"""Small response fixes that hold for every view."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


class MethodNotAllowedPage:
    """A button's address opened as a page (GET) answers with a Chinese page instead of Django's
    empty 405: the usual way there is a login after the session ran out while a button was
    pressed (login ?next= sends the browser back to the button's address)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 405 and request.method == "GET" and not response.content:
            page = HttpResponse(render_to_string("405.html", request=request), status=405)
            if response.has_header("Allow"):
                page["Allow"] = response["Allow"]
            return page
        return response
