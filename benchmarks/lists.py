"""How fast the lists and start pages answer at the size of a school board, in one run.

Builds `betrokken demo --parents N` once into a temporary data directory (or reuses the one
given with --data-dir), starts a real `betrokken serve` on it, signs in as an admin (UI cookie
and API token) and times each page and list: the median and p95 of --repeat requests after one
warm-up request, the answer's size, and the ratio to a floor measured in the same run (an
anonymous GET of the sign-in page: routing, templates and waitress, no store).

    .venv/bin/python benchmarks/lists.py [--parents 5000] [--repeat 10] [--data-dir DIR]

The server runs the `betrokken` of this interpreter with this environment's PYTHONPATH, so
`PYTHONPATH=/other/checkout` measures another tree (e.g. before a change) the same way.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.commands import BETROKKEN, cli, machine, start_server  # noqa: E402

PASSWORD = "lijsten-wachtwoord-123"
FLOOR = "floor: GET /login, anonymous"


def build(data_dir: Path, parents: int) -> None:
    """The demo store with N parents, unless the directory already holds a store."""
    if (data_dir / "events.sqlite").exists():
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "BETROKKEN_DATA_DIR": str(data_dir)}
    env.pop("BETROKKEN_DATABASE_URL", None)
    print(f"building the demo store with {parents} parents in {data_dir} ...", file=sys.stderr)
    subprocess.run([BETROKKEN, "demo", "--parents", str(parents)], env=env, check=True,
                   stdout=subprocess.DEVNULL, timeout=1800)


def signed_in(base: str, env: dict[str, str]) -> tuple[Any, Any, str]:
    """An anonymous session, a UI session signed in as the bench admin, and its API token."""
    import requests

    try:
        cli(env, "users", "add", "lists-bench", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    except RuntimeError as exc:  # a reused data directory has the user already
        if "exists" not in str(exc):
            raise
    token = cli(env, "users", "token", "lists-bench").strip().splitlines()[-1].strip()
    ui = requests.Session()
    page = ui.get(f"{base}/login", timeout=30).text
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert csrf, "no CSRF token on the sign-in page"
    answer = ui.post(f"{base}/login", data={"username": "lists-bench", "password": PASSWORD,
                                            "csrf_token": csrf.group(1)}, timeout=30, allow_redirects=False)
    assert answer.status_code in (302, 303), f"sign-in failed: {answer.status_code}"
    return requests.Session(), ui, token


def timed(http: Any, url: str, repeat: int) -> tuple[float, float, int, float]:
    """Median and p95 in ms of `repeat` GETs after one warm-up, the answer's size in bytes, and
    the warm-up's ms (the first search of a process reads every name in the caller's schools)."""
    t0 = time.perf_counter()
    first = http.get(url, timeout=120)
    cold = (time.perf_counter() - t0) * 1000
    assert first.status_code == 200, f"{url}: {first.status_code} {first.text[:200]}"
    took = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        answer = http.get(url, timeout=120)
        took.append((time.perf_counter() - t0) * 1000)
        assert answer.status_code == 200, f"{url}: {answer.status_code}"
    took.sort()
    return statistics.median(took), took[min(len(took) - 1, round(0.95 * (len(took) - 1)))], len(first.content), cold


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parents", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--data-dir", type=Path, default=None, help="reuse (or build once into) this directory")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="betrokken-lists-") as tmp:
        data_dir = args.data_dir or Path(tmp) / "data"
        build(data_dir, args.parents)
        env = {**os.environ, "BETROKKEN_DATA_DIR": str(data_dir)}
        env.pop("BETROKKEN_DATABASE_URL", None)
        cli(env, "projections", "status", "--catch-up")  # the demo leaves the views behind the log
        server, base = start_server(env, 8)
        try:
            anonymous, ui, token = signed_in(base, env)
            import requests

            api = requests.Session()
            api.headers["Authorization"] = f"Bearer {token}"
            api.get(f"{base}/api/v1/parents?limit=1", timeout=300)  # catch up and warm the process once
            listed = api.get(f"{base}/api/v1/programs?limit=1", timeout=300).json()
            program = (listed["items"] if isinstance(listed, dict) else listed)[0]  # a tree before paging: a bare list
            parent_id = program["enrolments"][0]["parent_id"]
            targets: list[tuple[str, Any, str]] = [
                (FLOOR, anonymous, "/login"),
                ("UI: start page (programmes)", ui, "/"),
                ("UI: parents page", ui, "/parents"),
                ("UI: parents page, search q=", ui, "/parents?q=de"),
                ("API: GET /parents (first page)", api, "/api/v1/parents"),
                ("API: GET /parents?q= (search)", api, "/api/v1/parents?q=de"),
                ("UI: a programme's page", ui, f"/programs/{program['id']}"),
                ("UI: a parent's page", ui, f"/parents/{parent_id}"),
                ("API: GET /programs (first page)", api, "/api/v1/programs"),
                ("API: GET /programs/{id}/sessions", api, f"/api/v1/programs/{program['id']}/sessions"),
            ]
            rows = [(what, *timed(http, base + path, args.repeat)) for what, http, path in targets]
        finally:
            server.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(timeout=15)
            server.kill()  # nothing once it has exited
    floor = rows[0][1]
    print(f"Machine: {machine()}\n")
    print(f"Command: {' '.join([Path(sys.executable).name, *sys.argv])} ({args.parents} parents)\n")
    print("| what | median ms | p95 ms | × floor | bytes | first request ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for what, median, p95, size, cold in rows:
        print(f"| {what} | {median:.1f} | {p95:.1f} | {median / floor:.1f} | {size:,} | {cold:.0f} |")


if __name__ == "__main__":
    main()
