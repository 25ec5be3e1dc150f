"""A request awaiting a second person, as stored: the one machine the bar change requests
(storage/bar_requests.py) and the requests to publish over readiness or a scale rule that
never held (storage/publish_requests.py) share. One open request per playbook (a partial
unique index on each table): a later one replaces it in the same transaction. A decision is
a conditional UPDATE from the state the click saw, so of two clicks at once one decides.
`Table` is a kind's repository (BarRequests, PublishRequests: its `model`, the request's
table, has `id`, `playbook_id`, `state` and `decided_at`); usecases/shared/awaiting.py the
machine over it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import bindparam
from sqlmodel import col, select, update

from storage.db import Bind, engine_of, joined, reading
from storage.models.governance import BarRequest, PublishRequest

M = TypeVar("M", BarRequest, PublishRequest)


class Table(Generic[M]):
    """A kind's requests: read one, the playbook's open one, ask (replacing it) and decide."""

    model: ClassVar[type[Any]]
    kept: ClassVar[str]  # the column that keeps what a click found since (`refound`)
    _open_for: ClassVar[Any]  # built once for each kind: status asks it at each request

    def __init_subclass__(cls) -> None:
        which = col(cls.model.playbook_id) == bindparam("playbook_id"), col(cls.model.state) == "open"
        cls._open_for = select(cls.model).where(*which)

    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def get(self, request_id: int) -> M | None:
        with reading(self.bind) as s:
            found: M | None = s.get(self.model, request_id)
            return found

    def open_for(self, playbook_id: int) -> M | None:
        """The playbook's open request, or None."""
        with reading(self.bind) as s:
            found: M | None = s.exec(self._open_for, params={"playbook_id": playbook_id}).first()
            return found

    def ask(self, request: M, at: datetime) -> M | None:
        """A new open request (in the caller's unit of work), replacing the playbook's open
        one, which is returned marked replaced (its card is the caller's to redraw) or None."""
        replaced = replace_with(self.bind, self.model, request, at)
        return replaced[0] if replaced else None

    def decide(self, request_id: int, state: str, at: datetime, was: str = "open", **values: Any) -> bool:
        """The request moved from `was` to `state` with `values` (who decided, and what the
        request's kind keeps); False, and nothing written, if it is no longer `was` (another
        click a moment ago)."""
        return moved(self.bind, self.model, request_id, was, state=state, decided_at=at, **values)

    def refound(self, request_id: int, found: list[Any]) -> bool:
        """What a click found since kept on the open request (its `kept` column): False,
        nothing written, if it is no longer open."""
        return moved(self.bind, self.model, request_id, "open", **{self.kept: found})


def replace_with(bind: Bind, model: Any, request: Any, at: datetime, replaced: Any = None) -> list[Any]:
    """`request` stored open (in the caller's unit of work), the playbook's requests that
    `replaced` matches (its open one by default) marked replaced first, locked, oldest
    first, and returned: their cards are the caller's to redraw."""
    which = col(model.state) == "open" if replaced is None else replaced
    with joined(bind) as s:
        old = s.exec(
            select(model)
            .where(col(model.playbook_id) == request.playbook_id, which)
            .order_by(col(model.id))
            .with_for_update()
        ).all()
        for row in old:
            row.state, row.decided_at = "replaced", at
            s.add(row)
        s.flush()
        s.add(request)
        s.flush()
        return list(old)


def moved(bind: Bind, model: Any, request_id: int, was: str = "open", **values: Any) -> bool:
    """`values` written on the request while it is `was` (its decision, or what a click found
    since, kept on an open request): False, nothing written, if it no longer is."""
    with joined(bind) as s:
        done = s.exec(
            update(model)
            .where(col(model.id) == request_id, col(model.state) == was)
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
    return bool(done)
