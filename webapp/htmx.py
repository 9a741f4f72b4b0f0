"""One place decides whether a view answers with a fragment or a whole page."""

import logging

from flask import current_app, make_response, render_template
from htmx_flask import request
from jinja2 import nodes
from jinja2_fragments import BlockNotFoundError
from jinja2_fragments.flask import render_block


def wants_fragment() -> bool:
    """An htmx request wants a fragment, except a history restore, which
    needs the whole page because htmx's history cache is off."""
    return bool(request.htmx) and not request.htmx.history_restore_request


log = logging.getLogger(__name__)


def _has_block(template: str, block: str) -> bool:
    """Whether `block` is defined in `template` or a template it extends."""
    env = current_app.jinja_env
    seen = set()
    while template and template not in seen:
        seen.add(template)
        if block in env.get_template(template).blocks:
            return True
        source = env.loader.get_source(env, template)[0]
        parent = next(env.parse(source).find_all(nodes.Extends), None)
        template = parent.template.value if parent and isinstance(parent.template, nodes.Const) else None
    return False


def render(template: str, block: str, status: int = 200, **context):
    """Renders `block` of `template` for htmx, the whole page otherwise. The
    answer varies with HX-Request, so caches keep the two apart."""
    body = None
    if wants_fragment():
        try:
            body = render_block(template, block, **context)
        except BlockNotFoundError:
            # The block is inherited (e.g. every usulan step from _step.html),
            # which template fragments cannot reach: the whole page is still a
            # right answer, and hx-select takes what the caller needs from it.
            # A block no template of the chain has is a mistyped name: loud in
            # tests and debug, logged (still the whole page) in production.
            if not _has_block(template, block):
                if current_app.testing or current_app.debug:
                    raise
                log.error("render(%r): no block %r in the template or its parents", template, block)
            body = None
    if body is None:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def retarget(response, selector: str, swap: str = "outerHTML"):
    """Tells htmx to put this answer at `selector` instead of the caller's
    hx-target (e.g. a lookup result without the form around it)."""
    response.headers["HX-Retarget"] = selector
    response.headers["HX-Reswap"] = swap
    return response
