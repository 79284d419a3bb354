"""What checking every event's seal costs a projection rebuild: the same rebuild with and without
the check, in alternation in one process (CPU time, so other load on the machine matters less).

    .venv/bin/python benchmarks/rebuild.py --events 100000 --data-dir /tmp/rb   # makes the log
    .venv/bin/python benchmarks/seal_check.py --data-dir /tmp/rb [--rounds 8]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import projections.catch_up as catch_up  # noqa: E402
from adapters.config import StoreConfig  # noqa: E402
from betrokken.system import open_service  # noqa: E402
from projections import open_projections  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    config = StoreConfig(data_dir=args.data_dir, database_url=None)
    service = open_service(config)
    checked = catch_up.CatchUp.__post_init__

    def unchecked(self: catch_up.CatchUp) -> None:
        checked(self)
        self.seals = None  # the catch-up as it was before it checked seals

    seconds: dict[str, list[float]] = {"checked": [], "unchecked": []}
    events = 0
    for _ in range(args.rounds):
        for mode, init in (("checked", checked), ("unchecked", unchecked)):
            catch_up.CatchUp.__post_init__ = init  # type: ignore[method-assign]
            projections = open_projections(config, service, namespace=f"seal_check_{mode}")
            started = time.process_time()
            events = projections.rebuild().events
            seconds[mode].append(time.process_time() - started)
            projections.close()
    catch_up.CatchUp.__post_init__ = checked  # type: ignore[method-assign]
    service.close()
    print(f"{events:,} events, {args.rounds} rounds each, CPU seconds of a rebuild")
    for mode, values in seconds.items():
        print(f"  {mode:9}  best {min(values):.2f}  median {statistics.median(values):.2f}")
    ratio = statistics.median(seconds["checked"]) / statistics.median(seconds["unchecked"])
    print(f"  the seal check costs {ratio - 1:+.1%} of the rebuild's CPU time (medians)")


if __name__ == "__main__":
    main()
