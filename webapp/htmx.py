"""One place decides whether a view answers with a fragment or a whole page."""

from flask import make_response, render_template
from htmx_flask import request
from jinja2_fragments.flask import render_block


def wants_fragment() -> bool:
    """An htmx request wants a fragment, except a history restore, which
    needs the whole page because htmx's history cache is off."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def render(template: str, block: str, status: int = 200, **context):
    """Renders `block` of `template` for htmx, the whole page otherwise. The
    answer varies with HX-Request, so caches keep the two apart."""
    if wants_fragment():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response
