"""The repository stands alone: what a user or operator reads points only inside it,
and the example playbooks load as they are."""

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from bot import guide
from cadence.definition_load import parse_playbook

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


# What a commit must never carry: built packages and archives (a wheel, a tarball), which
# belong to a registry or to dist/, not to the sources (issue 96, item 8).
ARCHIVE = re.compile(r"\.(whl|egg|zip|tar|tgz|gz|bz2|xz|zst|7z|rar|jar)$")


def _symlinks() -> dict[str, str]:
    """Each tracked symlink's path and target, as git stores them (mode 120000)."""
    staged = subprocess.run(["git", "ls-files", "-s"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    links = [line.split("\t", 1)[1] for line in staged.splitlines() if line.startswith("120000 ")]
    return {link: (ROOT / link).readlink().as_posix() for link in links}


def test_no_wheel_or_archive_is_committed():
    names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert [name for name in names if ARCHIVE.search(name)] == []


def test_every_committed_symlink_stays_inside_the_tree():
    """A symlink to another checkout's .venv (issue 96) or any path outside the clone
    dangles in everyone else's; links within the tree (bot/manifest.yml) are the wheel's."""
    leaving = {
        link: target
        for link, target in _symlinks().items()
        if Path(target).is_absolute() or not (ROOT / link).parent.joinpath(target).resolve().is_relative_to(ROOT)
    }
    assert leaving == {}


# Variables read by the libraries the bot runs under, not by the bot: its .env.example says
# nothing of them. ROLLOUT_TEST_* are the suite's own.
NOT_THE_BOTS = re.compile(r"ROLLOUT_TEST_\w+|CI")


def test_env_example_lists_every_variable_the_bot_reads():
    """.env.example says it lists every variable the bot reads: the settings' fields, any
    variable the code reads by name, and those the Procfile's lines and compose.yaml use
    (issue 54, item 5; issue 85)."""
    from bot.settings import Settings

    read = {name.upper() for name in Settings.model_fields}
    for path in _tracked():
        if path.suffix == ".py" and path.parts[len(ROOT.parts)] not in ("tests", "bench"):
            read |= set(re.findall(r"\bos\.environ(?:\.get\(|\[)\"([A-Z][A-Z0-9_]+)\"", path.read_text()))
    for name in ("Procfile", "compose.yaml"):
        read |= set(re.findall(r"\$\{?([A-Z][A-Z0-9_]+)", (ROOT / name).read_text()))
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    read = {name for name in read if not NOT_THE_BOTS.fullmatch(name)}
    assert sorted(read - listed) == [], "read but not in .env.example"
    assert sorted(listed - read) == [], "in .env.example but never read"


def test_relative_links_in_the_docs_resolve():
    for page in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        for target in re.findall(r"\]\(([^)#]+)\)", page.read_text()):
            if "://" in target:
                continue
            assert (page.parent / target).resolve().exists(), f"{page.name} links to missing {target}"


@pytest.mark.parametrize("page", sorted(guide.GUIDES))
def test_a_guide_an_install_prints_points_only_to_what_it_prints(page):
    """A reviewer of issue 66, item 8: `rollout docs setup` printed links to ../Procfile,
    ../examples and ../manifest.yml, and to usage.md, which `rollout docs` did not offer;
    a wheel has none of them. A guide links to another guide `rollout docs` prints, a
    heading of its own or a web address; what only the source has, it names as the
    source's in words (and says what to do without it), never as a link or a README."""
    text = (ROOT / "docs" / page).read_text()
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        linked = target.split("#")[0]
        assert target.startswith(("https://", "http://", "#")) or linked in guide.GUIDES, (
            f"{page} links to {target}, which `rollout docs` does not print"
        )
    assert not re.search(r"(?<!source's )README", text), f"{page} cites the README, which an install has not"


@pytest.mark.parametrize("example", sorted((ROOT / "examples").glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_playbook_loads_as_it_is(example):
    documents = [d for d in yaml.safe_load_all(example.read_text()) if d is not None]
    assert documents
    for document in documents:
        parse_playbook(document)


def test_the_reference_names_every_setting_and_its_default():
    from cadence.definition_rules import RuleSettings

    reference = (ROOT / "docs" / "playbooks.md").read_text()
    for name, field in RuleSettings.model_fields.items():
        assert f"| `{name}` |" in reference, name
        value = field.get_default(call_default_factory=True)
        if value is None:
            continue
        if isinstance(value, BaseModel):  # a setting of parts (team_load_max): each part's default
            wanted = [f"{part}: {number:g}" for part, number in value.model_dump().items()]
        else:
            wanted = [value if isinstance(value, str) else f"{value:g}"]
        row = next(line for line in reference.splitlines() if line.startswith(f"| `{name}` |"))
        assert all(default in row for default in wanted), (name, wanted, row)


# A newcomer's README says what the bot does, how to try it, connect it and test it; the
# rest is in docs/ (issue 67, item 12). The architecture stays a read of one sitting.
WORD_LIMITS = {"README.md": 2500, "docs/architecture.md": 2500}


@pytest.mark.parametrize("page", sorted(WORD_LIMITS))
def test_the_short_pages_stay_short(page):
    words = len((ROOT / page).read_text().split())  # as `wc -w` counts them
    assert words <= WORD_LIMITS[page], (
        f"{page} is {words:,} words; at most {WORD_LIMITS[page]:,}: move detail into docs/"
    )


def test_the_readme_shows_its_commands_first():
    """Issue 96, item 1: the first command sat about 1,400 words in and "Try it" was one
    415-word paragraph. Now what it is, then install, the demo and the tests within the
    first 150 words; "Try it" in numbered steps; every later section opens with its command."""
    readme = (ROOT / "README.md").read_text()
    opening = " ".join(readme.split()[:150])
    for command in ("pip install", "rollout demo", "bash tests/run"):
        assert command in opening, command
    sections = re.split(r"^## ", readme, flags=re.MULTILINE)[1:]
    assert sections[0].startswith("Try it\n")
    assert re.findall(r"^(\d+)\. ", sections[0], re.MULTILINE) == ["1", "2", "3", "4", "5"]
    for section in sections[1:]:
        title, _, body = section.partition("\n")
        assert body.lstrip().startswith("```"), f"{title} does not open with its command"


def test_the_readme_names_what_the_whole_test_run_needs():
    """What .ci/run installs and checks, the README's test section names (issue 67, item 12)."""
    readme = (ROOT / "README.md").read_text()
    tests = readme[readme.index("## Running the tests") :]
    ci = (ROOT / ".ci" / "run").read_text()
    for needed, named in (
        ("chromium", "Chromium"),
        ("chromium-driver", "chromedriver"),
        ("fonts-noto-color-emoji", "fonts-noto-color-emoji"),
        ("prometheus", "Prometheus"),
        ("promtool", "`promtool`"),
        ("fetch-axe-core", "axe-core"),
        ("ruff check", "ruff check"),
        ("ruff format --check", "ruff format --check"),
        ("mypy", "mypy"),
        ("ROLLOUT_TEST_PG_URL", "PostgreSQL"),
        ("bash .ci/container", "`buildah`"),
    ):
        assert needed in ci and named in tests, named
    workers = re.search(
        r"workers=\$\{ROLLOUT_TEST_WORKERS:-\$\(\(\$\(nproc\) \+ 2\)\)\}", (ROOT / "tests" / "run").read_text()
    )
    assert workers and "`nproc + 2` workers" in tests and "every core" not in tests
