"""`python -m betrokken.catalogue events > docs/events.md`: print the catalogue of stored events."""

from __future__ import annotations

import sys

from betrokken.catalogue import events

PAGES = {"events": events.markdown}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in PAGES:
        print(f"usage: python -m betrokken.catalogue {{{','.join(PAGES)}}}", file=sys.stderr)
        return 2
    sys.stdout.write(PAGES[argv[0]]())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
