"""Declared routes (handlers/routing.py): a parameter is one segment of its own pattern, a
path no route has is not found, another method is not allowed with the methods it has."""

import pytest

from handlers import routing
from handlers.routing import Mount, Route, Routes

ROUTES = Routes(
    Route("GET", "/p", "list"),
    Route("GET", "/p/{slug}", "one"),
    Route("GET", "/p/{slug}/decisions", "decisions"),
    Route("GET", "/p/{slug}.csv", "csv"),
    Route("GET", "/p/{slug}/{table}.csv", "table"),
    Route("POST", "/r", "post"),
    Mount("/m", "mounted"),
)


def test_a_slug_is_one_segment_of_a_slug():
    assert ROUTES.match("GET", "/p/support-replies") == ("one", {"slug": "support-replies"})
    assert ROUTES.match("GET", "/p/x/decisions") == ("decisions", {"slug": "x"})
    assert ROUTES.match("GET", "/p/x.csv") == ("csv", {"slug": "x"})
    assert ROUTES.match("GET", "/p/x/steps.csv") == ("table", {"slug": "x", "table": "steps"})
    for path in ("/p/x/y", "/p/", "/p/Support", "/p/-x", "/p/x/decisions/", "/p/" + "x" * 64, "/p/x/Steps.csv"):
        with pytest.raises(routing.NotFound):
            ROUTES.match("GET", path)


def test_another_method_is_not_allowed_with_the_methods_the_path_has():
    assert ROUTES.match("HEAD", "/p") == ("list", {})
    with pytest.raises(routing.MethodNotAllowed) as refused:
        ROUTES.match("GET", "/r")
    assert (refused.value.allow, refused.value.only) == ("POST", "POST only")
    with pytest.raises(routing.MethodNotAllowed):
        ROUTES.match("POST", "/p/x")
    with pytest.raises(routing.NotFound):
        ROUTES.match("POST", "/nothing")


def test_a_mount_takes_its_prefix_and_what_is_under_it_only():
    assert ROUTES.match("DELETE", "/m") == ("mounted", {})
    assert ROUTES.match("GET", "/m/any/thing") == ("mounted", {})
    with pytest.raises(routing.NotFound):
        ROUTES.match("GET", "/mx")


def test_a_table_is_declared_with_known_parameters_and_each_route_once():
    with pytest.raises(ValueError, match="no parameter"):
        Routes(Route("GET", "/p/{id}", "one"))
    with pytest.raises(ValueError, match="lowercase"):
        Routes(Route("GET", "/p/{Slug}", "one"))
    with pytest.raises(ValueError, match="twice"):
        Routes(Route("GET", "/p", "a"), Route("GET", "/p", "b"))
