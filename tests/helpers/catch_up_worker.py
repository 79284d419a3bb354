"""A catch-up process for the crash and concurrency tests: catches up in small pages, forever
(until killed), printing its position now and then."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from adapters.config import StoreConfig
from betrokken.system import open_service
from projections import open_projections


def main() -> None:
    data_dir, url, page_size = sys.argv[1], sys.argv[2] or None, int(sys.argv[3])
    config = StoreConfig(data_dir=Path(data_dir), database_url=url)
    service = open_service(config)
    projections = open_projections(config, service, page_size=page_size)
    print("ready", flush=True)
    while True:
        projections.catch_up()
        time.sleep(0.001)


if __name__ == "__main__":
    main()
