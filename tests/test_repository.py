"""The repository stands alone: what a user or operator reads points only inside it,
and the example playbooks load as they are."""

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from cadence.definition import parse_playbook

ROOT = Path(__file__).resolve().parents[1]


def _tracked() -> list[Path]:
    names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    return [ROOT / name for name in names if (ROOT / name).is_file()]


def test_nothing_points_outside_the_repository():
    outside = re.compile(r"\.\./shared|PRODUCT\.md")
    offenders = [
        str(p.relative_to(ROOT))
        for p in _tracked()
        if p.suffix in {".py", ".md", ".j2", ".yml", ".yaml", ".toml", ".example", ""}
        and p.name != Path(__file__).name
        and outside.search(p.read_text(errors="replace"))
    ]
    assert offenders == []


def test_relative_links_in_the_docs_resolve():
    for page in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        for target in re.findall(r"\]\(([^)#]+)\)", page.read_text()):
            if "://" in target:
                continue
            assert (page.parent / target).resolve().exists(), f"{page.name} links to missing {target}"


@pytest.mark.parametrize("example", sorted((ROOT / "examples").glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_playbook_loads_as_it_is(example):
    documents = [d for d in yaml.safe_load_all(example.read_text()) if d is not None]
    assert documents
    for document in documents:
        parse_playbook(document)


def test_the_reference_names_every_setting_and_its_default():
    from cadence.definition import RuleSettings

    reference = (ROOT / "docs" / "playbooks.md").read_text()
    for name, field in RuleSettings.model_fields.items():
        assert f"| `{name}` |" in reference, name
        if field.default is not None:
            default = field.default if isinstance(field.default, str) else f"{field.default:g}"
            row = next(line for line in reference.splitlines() if line.startswith(f"| `{name}` |"))
            assert default in row, (name, default, row)
