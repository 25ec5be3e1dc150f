"""The holdout's arm (issue 72): how many answers a second one core gives, single-threaded.

- the rule alone (cadence/arms.py): the double FNV-1a of slug + case id;
- the use case behind `GET /api/v1/playbooks/{slug}/arm` and `rollout arm`
  (usecases/arms.py): a read of the playbook's `compare`, then the rule, nothing written;
  on SQLite and, with `--postgresql`, on PostgreSQL (ROLLOUT_TEST_PG_URL).

Budget: at least 2,000 answers a second for the use case. The HTTP layer's cost (the token,
the per-token rate of 20 a second, uvicorn) is every API call's and measured by bench/ack.py.

    PYTHONPATH=. .venv/bin/python -m bench.arms [--postgresql]
"""

from __future__ import annotations

import sys
import tempfile
import time
from contextlib import contextmanager
from copy import deepcopy
from datetime import UTC, datetime
from pathlib import Path

from bench.common import fresh_database
from cadence.arms import arm
from cadence.definition_load import parse_playbook
from storage.db import make_engine
from storage.store import Store
from tests.conftest import SUPPORT_REPLIES
from usecases import arms

BUDGET = 2_000  # answers a second, one core
RULE_CASES, USE_CASE_CASES = 200_000, 20_000


def rate(answer, n: int) -> float:
    started = time.perf_counter()
    for i in range(n):
        answer(f"case-{i}")
    return n / (time.perf_counter() - started)


@contextmanager
def holdout_store(kind: str, workdir: Path):
    with fresh_database(kind, workdir) as url:
        store = Store(make_engine(url))
        definition = deepcopy(SUPPORT_REPLIES)
        definition["kpi"] = {**definition["kpi"], "compare": {"rest": "holdout", "share": 0.1}}
        with store.unit_of_work() as uow:
            uow.playbooks.load([parse_playbook(definition)], "UTC", actor="bench", at=datetime.now(UTC))
            uow.commit()
        try:
            yield store
        finally:
            store.engine.dispose()


def main() -> None:
    kinds = ["sqlite", "postgresql"] if "--postgresql" in sys.argv else ["sqlite"]
    rule = rate(lambda case: arm("support-replies", case, 0.1), RULE_CASES)
    print(f"the rule alone:            {rule:>10,.0f} answers/s")
    with tempfile.TemporaryDirectory() as workdir:
        for kind in kinds:
            with holdout_store(kind, Path(workdir)) as store:
                answers = rate(lambda case: arms.assign(store, "support-replies", case), USE_CASE_CASES)
            verdict = "met" if answers >= BUDGET else "MISSED"
            print(f"the use case ({kind:<10}): {answers:>10,.0f} answers/s (budget {BUDGET:,}: {verdict})")


if __name__ == "__main__":
    main()
