"""What logging every read of a parent's personal data costs: `GET /api/v1/parents/{id}` through
the Flask test client on a fresh SQLite store, with the read log and with it switched off, and
how long verifying the read log's hash chain takes.

    .venv/bin/python benchmarks/read_log.py [--reads 1000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters.config import StoreConfig  # noqa: E402
from tests.helpers.api_client import open_api  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=1000)
    args = parser.parse_args()
    api = open_api(StoreConfig(data_dir=Path(tempfile.mkdtemp()) / "data"))
    system = api.app.extensions["betrokken"]
    parent = api.parent()

    def rate(n: int) -> float:
        start = time.perf_counter()
        for _ in range(n):
            assert api.get(f"/parents/{parent['id']}").status_code == 200
        return n / (time.perf_counter() - start)

    try:
        rate(50)  # warm up
        logged = rate(args.reads)
        kept, system.reads = system.reads, None
        unlogged = rate(args.reads)
        system.reads = kept
        start = time.perf_counter()
        rows, broken = kept.verify()
        took = time.perf_counter() - start
        print(f"GET /parents/{{id}}: {logged:.0f}/s with the read log, {unlogged:.0f}/s without")
        print(f"read log verified: {rows} rows in {took:.3f} s, {'intact' if broken is None else f'broken at {broken}'}")
    finally:
        system.close()


if __name__ == "__main__":
    main()
