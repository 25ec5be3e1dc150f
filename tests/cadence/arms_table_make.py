"""Makes arms_table.json, the 50 case ids test_arms.py checks cadence/arms.py against,
with a reference written differently: the FNV prime's multiply as the shifts of the
classic C implementation (h += h<<1 + h<<4 + h<<7 + h<<8 + h<<24), over a bytearray,
never importing the product. Run from the repository's root:

    .venv/bin/python tests/cadence/arms_table_make.py
"""

import json
from pathlib import Path


def reference_fnv1a32(data: bytes) -> int:
    h = 2166136261
    for b in bytearray(data):
        h ^= b
        h = (h + (h << 1) + (h << 4) + (h << 7) + (h << 8) + (h << 24)) % (1 << 32)
    return h


def reference_bucket(slug: str, case: str) -> int:
    inner = reference_fnv1a32((slug + case).encode("utf-8"))
    return reference_fnv1a32(str(inner).encode("utf-8")) % 10000


CASES = (
    [("sales-deals", f"deal-{n}") for n in range(1, 21)]
    + [("support-replies", f"TICKET-{n:05d}") for n in (1, 2, 3, 99, 1000, 31337, 42424, 99999)]
    + [
        ("support-replies", "ünïcödé-case"),
        ("support-replies", "日本語のケース"),
        ("support-replies", "emoji 🚀 case"),
        ("support-replies", " leading and trailing "),
        ("support-replies", "a"),
        ("support-replies", "x" * 200),
        ("support-replies", "é" * 200),
        ("invoices", "INV/2027/0001"),
        ("invoices", "INV/2027/0002"),
        ("invoices", "0"),
        ("invoices", "-1"),
        ("invoices", "null"),
        ("invoices", "case with\ttab"),
        ("invoices", 'quote\'s "case"'),
        ("p", "1"),
        ("p", "2"),
        ("a-very-long-playbook-slug-that-is-still-valid-sixty-three-chars", "c"),
        ("sales-deals", "DEAL-1"),
        ("sales-deals", "deal-1 "),
        ("sales-deals", "https://crm.example.com/deals/123?x=1&y=2"),
        ("sales-deals", "00000000-0000-4000-8000-000000000000"),
        ("sales-deals", "ff"),
    ]
)


def main() -> None:
    assert len(CASES) == 50
    rows = [{"slug": s, "case": c, "bucket": reference_bucket(s, c)} for s, c in CASES]
    path = Path(__file__).with_name("arms_table.json")
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
