"""A process rebuilding the projections from zero over and over (`betrokken projections rebuild`'s
work, without the process start each time) until stopped, printing per rebuild the events it processed itself,
those other processes processed for it, and the position reached. Small pages: a rebuild takes
many transactions, and readers elsewhere catch up part of the way, as on a large store."""

from __future__ import annotations

import sys
from pathlib import Path

from adapters.config import StoreConfig
from betrokken.system import open_service
from projections import open_projections


def main() -> None:
    data_dir, url, page_size = sys.argv[1], sys.argv[2] or None, int(sys.argv[3])
    config = StoreConfig(data_dir=Path(data_dir), database_url=url)
    service = open_service(config)
    projections = open_projections(config, service)
    try:
        while True:
            stats = projections.rebuild(page_size=page_size)
            print(stats.events, stats.by_others, stats.position, flush=True)
    finally:
        projections.close()
        service.close()


if __name__ == "__main__":
    main()
