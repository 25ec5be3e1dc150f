"""`{slug:slug}` in a route's path, for the API's and the web view's alike: Starlette
keeps its URL convertors in one table for the whole process, so the convertor is
registered here, once."""

from starlette.convertors import StringConvertor, register_url_convertor

from cadence.definition import SLUG_RE


class Slug(StringConvertor):
    """A playbook's slug, within one segment: a path whose segment is not a slug is no
    route's (404, before any token or session is asked for), and
    `/web/playbooks/x/decisions.csv` is never the slug `x/decisions`, nor `X` a slug."""

    regex = SLUG_RE.removeprefix("^").removesuffix("$")


register_url_convertor("slug", Slug())
