"""Who decides a request awaiting a second person (docs/judgement.md, "The invariants"): the
one rule the bar change requests (`/rollout edit`, `kit`, a stall's *Refine*, `/rollout
mode` up, a file), the requests to publish over readiness or a scale rule that never held,
and the adoptions asked past a wave, a team's load or close matches share. Never the asker:
a curator other than the asker (for a publication, nor the playbook's owner); in a
workspace with a single curator, or where no curator may, an admin who is neither. Asked
through usecases/shared/awaiting.py's one machine (bar and publish; stored by
storage/awaiting.py) or the adoption requests' table (usecases/shared/requests.py)."""

from __future__ import annotations

from storage.store import Store


def deciders(store: Store, admins: frozenset[str], asker: str, owner: str | None = None) -> set[str]:
    """Who may decide `asker`'s request (`owner`: the playbook's owner may not either).
    Empty: nobody yet; the request waits, and its card says how to appoint a second curator."""
    kept = {asker} | ({owner} if owner is not None else set())
    curators = store.org.curators()
    others = curators - kept
    if len(curators) <= 1 or not others:
        return others | (set(admins) - kept)
    return others


def may_decide(store: Store, admins: frozenset[str], asker: str, clicker: str, owner: str | None = None) -> bool:
    """Whether `clicker` may decide `asker`'s request: never the asker (nor `owner`)."""
    return clicker in deciders(store, admins, asker, owner)
