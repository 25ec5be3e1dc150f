"""Reading playbook files (`rollout playbook load`): the YAML read by PyYAML's safe loader
with two checks of its own, then every document checked by the schema
(cadence/definition.py). A file is loadable as a whole or not at all; each problem is one
line, `FILE:LINE: key: what is wrong`, in plain words."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cadence.definition import PlaybookSpec
from cadence.definition_load import DefinitionError, parse_playbook
from cadence.problems import SHOWN, shown
from cadence.sources import unset_variables

# How deep a playbook file may nest: a playbook needs 6 levels (a step's `from:` of a
# sample); past this the file is refused before PyYAML's composer, which recurses once a
# level, reaches Python's recursion limit.
MAX_DEPTH = 20
_MERGE = "tag:yaml.org,2002:merge"


class _Refused(yaml.YAMLError):
    """The file cannot be a playbook file: `line` and what is wrong there."""

    def __init__(self, line: int, problem: str):
        super().__init__(problem)
        self.line, self.problem = line, problem


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a key given twice in one mapping (YAML would keep the
    last silently) and nesting deeper than MAX_DEPTH, through its own hooks
    (`construct_mapping`, `compose_node`)."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                line = self.peek_event().start_mark.line + 1
                raise _Refused(line, f"nested more than {MAX_DEPTH} levels deep; a playbook needs at most 6")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        lines: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:
                continue  # `<<: *defaults`: keys given beside it override those merged, as YAML means
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                first = lines.get(key)
                lines.setdefault(key, line)
            except TypeError:
                continue  # a list as a key: the safe loader's own error says so
            if first is not None:
                where = f"twice on line {line}" if first == line else f"on line {first} and again on line {line}"
                raise _Refused(
                    line,
                    f"{str(key)[:SHOWN] or shown(key)}: given {where}; give each key once (YAML would keep only the last)",
                )
        return super().construct_mapping(node, deep)


@dataclass(frozen=True)
class PlaybookFile:
    """A file's playbooks, or the problems that keep all of them from loading."""

    path: Path
    specs: list[PlaybookSpec] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # `FILE:LINE: key: what is wrong`


def read_playbook_file(path: Path) -> PlaybookFile:
    """Every playbook in the file (one or more documents, or one document listing them),
    all checked; a problem names the line of the file and the key (a step by its name)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return PlaybookFile(path, problems=[f"{path}: not a UTF-8 text file"])
    except OSError as err:
        return PlaybookFile(path, problems=[f"{path}: cannot be read ({err.strerror or err})"])
    try:
        documents = _documents(text)
    except _Refused as err:
        return PlaybookFile(path, problems=[f"{path}:{err.line}: {err.problem}"])
    except yaml.YAMLError as err:
        return PlaybookFile(path, problems=[_yaml_problem(path, err, text)])
    documents = _each_listed(documents)
    if not documents:
        return PlaybookFile(path, problems=[f"{path}: no playbook in the file"])
    specs, problems = _parsed(documents)  # problems: (line, what is wrong there), said in the file's order
    problems += _defined_twice(specs, documents)
    said = [f"{path}:{line}: {p}" for line, p in sorted(problems, key=lambda problem: problem[0])]
    return PlaybookFile(path, [] if problems else specs, said)


def _each_listed(documents: list[tuple[Any, yaml.Node]]) -> list[tuple[Any, yaml.Node]]:
    """The playbooks of one document that lists them, each with its node; else the documents."""
    if len(documents) == 1 and isinstance(documents[0][1], yaml.SequenceNode):
        listed = documents[0][0]
        return list(zip(listed, documents[0][1].value, strict=True))
    return documents


def _parsed(documents: list[tuple[Any, yaml.Node]]) -> tuple[list[PlaybookSpec], list[tuple[int, str]]]:
    """Each document's playbook checked, and each problem at its line: the definition's,
    and the environment variables its sources name that are not set."""
    specs, problems = [], []
    for document, node in documents:
        try:
            spec = parse_playbook(document)
        except DefinitionError as err:
            problems += [(_line(node, at), p) for p, at in zip(err.problems, err.paths, strict=True)]
            continue
        specs.append(spec)
        # the variables a source names are read by the clock from the same environment
        for name, source in spec.sources.items():
            line = _line(node, ("sources", name))
            problems += [(line, p) for p in unset_variables({name: source}, os.environ)]
    return specs, problems


def _defined_twice(specs: list[PlaybookSpec], documents: list[tuple[Any, yaml.Node]]) -> list[tuple[int, str]]:
    """A playbook the file defines more than once, at each later definition."""
    problems = []
    seen: set[str] = set()
    for spec, (_, node) in zip(specs, documents, strict=False):
        if spec.playbook in seen:
            problems.append((_line(node, ("playbook",)), f"playbook: {spec.playbook} is defined twice in the file"))
        seen.add(spec.playbook)
    return problems


def _documents(text: str) -> list[tuple[Any, yaml.Node]]:
    """Each document of the file that is not empty, with its node (for the lines)."""
    loader = _Loader(text)
    try:
        documents = []
        while loader.check_node():
            node = loader.get_node()
            document = loader.construct_document(node)
            if document is not None and node is not None:
                documents.append((document, node))
        return documents
    finally:
        loader.dispose()


def _line(node: yaml.Node, path: tuple[str | int, ...]) -> int:
    """The line of the key at `path` in the document, or of the nearest enclosing one
    that is written (a missing key's mapping)."""
    line = node.start_mark.line + 1
    for step in path:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if getattr(k, "value", None) == step), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            break
    return line


# PyYAML's words for what it could not read, and what they mean to a person who wrote
# the file: by the start of its problem, then of its context.
_YAML_WORDS = (
    (
        "mapping values are not allowed here",
        "a ':' where no key can start: check the indentation, or quote a text holding ': '",
    ),
    ("found character '\\t'", "a tab: YAML indents with spaces only"),
    ("found unexpected end of stream", "the quote opened on line {context} is never closed: the file ends inside it"),
    ("found undefined alias", "{problem}: no anchor of that name (&name) is defined above it"),
    ("could not determine a constructor", "a tag (!!…) that a playbook does not take: remove it"),
    ("found unhashable key", "a list or a mapping used as a key: keys are words"),
    ("found duplicate anchor", "an anchor (&name) defined twice"),
    ("expected ',' or ']'", "the '[' on line {context} is not closed by ']', or a ',' is missing"),
    ("expected ',' or '}'", "the '{{' on line {context} is not closed by '}}', or a ',' is missing"),
    ("expected the node content", "a value is missing inside the brackets opened on line {context}"),
    (
        "expected <block end>",
        "this line's indentation does not fit the lines above it (the block begun on line {context})",
    ),
    (
        "did not find expected key",
        "this line's indentation does not fit the lines above it (the block begun on line {context})",
    ),
    ("did not find expected '-'", "this line's indentation does not fit the list begun on line {context}"),
)


# A line that reads as a key (`  unit: min`, `- name: draft`): a quoted text that runs over
# one is a quote left open, not a text of several lines.
_KEY_LINE = re.compile(r"\s*(?:-\s+)?[A-Za-z_][\w.-]*:(?:\s|$)")


def _unclosed_quote(text: str, err: yaml.YAMLError) -> str | None:
    """What is wrong where a quote was left open and YAML read on to the next quote mark,
    lines below, taking the keys between for text: the parser's error is then about what
    follows that mark, lines from the cause. Said at the line the quote opened; None when
    no quoted text before the error ran over a line that reads as a key."""
    mark = getattr(err, "problem_mark", None)
    if mark is None:
        return None
    lines = text.splitlines()
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.index >= mark.index:
                return None
            if not isinstance(token, yaml.ScalarToken) or token.style not in ('"', "'"):
                continue
            opened, closed = token.start_mark.line, token.end_mark.line
            if closed > opened and any(_KEY_LINE.match(line) for line in lines[opened + 1 : closed + 1]):
                quote = token.style
                return (
                    f"{opened + 1}: not valid YAML: the quote ({quote}) opened on line {opened + 1} is not closed "
                    f"there, so YAML reads on to the next {quote} on line {closed + 1}, the keys between taken "
                    f"for text: close it on line {opened + 1}"
                )
    except yaml.YAMLError:
        return None
    return None


def _yaml_problem(path: Path, err: yaml.YAMLError, text: str) -> str:
    """One line for a file PyYAML could not read, in words rather than the parser's, at
    the line where its cause is: a quote left open is said where it opened."""
    mark = getattr(err, "problem_mark", None)
    context = getattr(err, "context_mark", None)
    problem = str(getattr(err, "problem", None) or err).strip()
    quoted = _unclosed_quote(text, err)
    if quoted is not None:
        return f"{path}:{quoted}"
    if problem.startswith("found unexpected end of stream") and context is not None:
        mark = context  # the file ends inside a quote: said where it opened
    where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
    for start, words in _YAML_WORDS:
        if problem.startswith(start):
            said = words.format(problem=problem, context=context.line + 1 if context else "above")
            return f"{where}: not valid YAML: {said}"
    if problem.startswith("found character"):
        return f"{where}: not valid YAML: {problem.split(' that ')[0][len('found ') :]} cannot start a value: quote the text"
    return f"{where}: not valid YAML: {problem}"
