"""How many SQL statements one HTTP roll call of 30 costs on PostgreSQL, with its catch-up:
PUT /api/v1/sessions/{id}/attendance through the Flask test client on an embedded PostgreSQL
server, each followed by the projections' catch-up in this process, every psycopg execute
counted (statements a pipeline sends together count one by one; BEGIN and COMMIT of psycopg's
own transactions are not counted).

Usage: .venv/bin/python benchmarks/statements.py [--requests 50] [--top 40]
Prints the statements per roll call, the most frequent first."""

from __future__ import annotations

import argparse
import collections
import random
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapters.config import StoreConfig  # noqa: E402
from benchmarks.commands import roll_call, stage  # noqa: E402
from benchmarks.postgres import embedded_postgres  # noqa: E402
from betrokken.system import open_system  # noqa: E402
from web import create_app  # noqa: E402

counts: collections.Counter[str] = collections.Counter()
counting = False


def counted(kind: str, original: Any) -> Any:
    def execute(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        if counting:
            text = query if isinstance(query, str) else repr(query)
            counts[f"{kind}{' '.join(text.split())[:100]}"] += 1
        return original(self, query, *args, **kwargs)
    return execute


def main() -> None:
    global counting
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    psycopg.Cursor.execute = counted("", psycopg.Cursor.execute)  # type: ignore[method-assign]
    psycopg.Cursor.executemany = counted("many: ", psycopg.Cursor.executemany)  # type: ignore[method-assign]
    psycopg.Connection.execute = counted("", psycopg.Connection.execute)  # type: ignore[method-assign]
    with tempfile.TemporaryDirectory(prefix="betrokken-statements-") as tmp, ExitStack() as stack:
        url = stack.enter_context(embedded_postgres())()
        system = open_system(StoreConfig(data_dir=Path(tmp), database_url=url), follow=False)
        try:
            s = stage(system.service, args.requests + 5)
            system.accounts.add_user("tel", "admin", [], "tel-wachtwoord-123")
            headers = {"Authorization": f"Bearer {system.accounts.issue_token('tel')}"}
            client = create_app(system, {"TESTING": True}).test_client()
            rng = random.Random(4)
            work = [(sid, {"records": [{"parent_id": str(p), "status": st} for p, st in roll_call(rng, s.parents)]})
                    for sid in s.sessions]
            for i, (sid, body) in enumerate(work[:args.requests + 5]):
                counting = i >= 5  # the first few warm the caches
                answer = client.put(f"/api/v1/sessions/{sid}/attendance", json=body, headers=headers)
                assert answer.status_code == 200, answer.get_data(as_text=True)
                system.projections.catch_up()
            counting = False
        finally:
            system.close()
    n = args.requests
    print(f"{sum(counts.values()) / n:.1f} statements per roll call of 30 with its catch-up ({n} roll calls)\n")
    for statement, count in counts.most_common(args.top):
        print(f"{count / n:6.2f}  {statement}")


if __name__ == "__main__":
    main()
