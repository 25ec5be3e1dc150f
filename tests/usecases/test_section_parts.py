"""The sections' parts (issue 110, item 2): each surface's part is typed by its model and
by what it shows, a TypedDict of its module's own, and two sections showing one key on a
surface is a TypeError when they load, never one's words silently overwriting another's."""

import inspect
from typing import TypedDict, get_type_hints, is_typeddict

import pytest

from cadence.state import PlaybookState
from usecases import sections
from usecases.sections.base import (
    ApiPart,
    DigestHeaderPart,
    DigestOrgPart,
    DigestPart,
    ExportPart,
    OverviewOrgPart,
    OverviewPart,
    PagePart,
    Part,
    RegistryPart,
    StatusPart,
    SummaryPart,
)

# Each part's hooks whose words join a surface's context.
WORDS = {
    StatusPart: ("status_words",),
    DigestPart: ("digest_week",),
    DigestHeaderPart: ("digest_api",),
    RegistryPart: ("registry_page",),
    PagePart: ("page_words",),
    SummaryPart: ("summary_fields",),
    ApiPart: ("api_fields",),
    OverviewPart: ("overview_line",),
    OverviewOrgPart: ("overview_org",),
}


class Plateau(TypedDict):
    plateau: bool


class AlsoPlateau(TypedDict):
    plateau: bool
    depth: list[int]


class Flat(StatusPart[bool, Plateau]):
    name = "flat"

    def status_words(self, state: PlaybookState, model: bool) -> Plateau:
        return Plateau(plateau=model)


class Deep(StatusPart[bool, AlsoPlateau]):
    name = "deep"

    def status_words(self, state: PlaybookState, model: bool) -> AlsoPlateau:
        return AlsoPlateau(plateau=model, depth=[])


def test_two_sections_showing_one_key_on_a_surface_do_not_load():
    with pytest.raises(TypeError, match="flat and deep both show 'plateau'"):
        sections.parts_of(StatusPart, [Flat(), Deep()], "status_words")
    assert [p.name for p in sections.parts_of(StatusPart, [Flat(), Deep()], "digest_week")] == ["flat", "deep"]
    assert [p.name for p in sections.parts_of(StatusPart, [Flat()], "status_words")] == ["flat"]


@pytest.mark.parametrize("section", sections.SECTIONS, ids=lambda s: s.name)
def test_every_section_is_its_parts_each_showing_a_typed_dict(section):
    """A section subclasses the parts of its surfaces, not one class of every hook; and what
    each part shows is a TypedDict, so no untyped mapping crosses a plug point."""
    assert isinstance(section, Part)
    for kind, hooks in WORDS.items():
        if not isinstance(section, kind):
            continue
        for hook in hooks:
            shown = get_type_hints(getattr(type(section), hook))["return"]
            assert is_typeddict(shown), f"{section.name}.{hook} shows {shown}, not a TypedDict"


@pytest.mark.parametrize("section", sections.SECTIONS, ids=lambda s: s.name)
def test_no_hook_of_a_section_takes_or_gives_a_mapping_of_anything(section):
    for name, method in inspect.getmembers(type(section), inspect.isfunction):
        if name.startswith("_"):
            continue
        for annotation in (*method.__annotations__.values(),):
            assert "dict[str, Any]" not in str(annotation), f"{section.name}.{name}: {annotation}"


PARTS = (
    StatusPart,
    DigestPart,
    DigestOrgPart,
    DigestHeaderPart,
    RegistryPart,
    PagePart,
    SummaryPart,
    ApiPart,
    OverviewPart,
    OverviewOrgPart,
    ExportPart,
)


@pytest.mark.parametrize("section", sections.SECTIONS, ids=lambda s: s.name)
def test_a_section_defines_no_hook_of_a_surface_whose_part_it_is_not(section):
    """A hook of a part the section does not subclass would never be called: its surface
    loops over that surface's parts only."""
    hooks = {name: kind for kind in PARTS for name in vars(kind) if not name.startswith("_") and name != "name"}
    for name in vars(type(section)):
        if name in hooks:
            assert isinstance(section, hooks[name]), f"{section.name}.{name} is a {hooks[name].__name__} hook"
