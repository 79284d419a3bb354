"""Where one HTTP roll call of 30 spends its time: cProfile over PUT /api/v1/sessions/{id}/attendance
through the Flask test client, on a fresh SQLite store (or PostgreSQL: --postgres starts an embedded
server, --database-url names one).

Usage: .venv/bin/python benchmarks/profile_command.py [--requests 200] [--top 25] [--postgres | --database-url URL]
Prints the functions with the most cumulative and own time."""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapters.config import StoreConfig  # noqa: E402
from benchmarks.commands import roll_call, stage  # noqa: E402
from benchmarks.postgres import embedded_postgres  # noqa: E402
from betrokken.system import open_system  # noqa: E402
from web import create_app  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--postgres", action="store_true", help="on a fresh database of an embedded PostgreSQL server")
    parser.add_argument("--dump", default=None, help="also write the raw profile here (pstats)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="betrokken-profile-") as tmp, ExitStack() as stack:
        url = stack.enter_context(embedded_postgres())() if args.postgres else args.database_url
        system = open_system(StoreConfig(data_dir=Path(tmp), database_url=url))
        try:
            s = stage(system.service, args.requests)
            system.accounts.add_user("prof", "admin", [], "profiel-wachtwoord-123")
            token = system.accounts.issue_token("prof")
            client = create_app(system, {"TESTING": True}).test_client()
            headers = {"Authorization": f"Bearer {token}"}
            rng = random.Random(4)
            bodies = [{"records": [{"parent_id": str(p), "status": st} for p, st in roll_call(rng, s.parents)]}
                      for _ in s.sessions]
            profile = cProfile.Profile()
            profile.enable()
            for session_id, body in zip(s.sessions, bodies):
                answer = client.put(f"/api/v1/sessions/{session_id}/attendance", json=body, headers=headers)
                assert answer.status_code == 200, answer.get_data(as_text=True)
            profile.disable()
        finally:
            system.close()
    if args.dump:
        profile.dump_stats(args.dump)
    stats = pstats.Stats(profile)
    total = stats.total_tt  # type: ignore[attr-defined]
    print(f"{args.requests} PUTs: {total:.2f} s profiled, {total / args.requests * 1000:.1f} ms each\n")
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
