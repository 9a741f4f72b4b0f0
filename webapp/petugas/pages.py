"""Paging of the officer lists: the page size and the URL of another page
with the filters kept (the `hal` argument itself: webapp.forms.page_arg)."""

from flask import request, url_for

from . import bp

PER_PAGE = 20


@bp.app_template_global()
def petugas_page_url(number):
    """The current list with another page number, filters kept."""
    args = request.args.to_dict()
    args["hal"] = number
    return url_for(request.endpoint, **(request.view_args or {}), **args)
