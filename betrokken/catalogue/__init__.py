"""The catalogue of stored events (docs/events.md), generated from the code itself: which events
the aggregates record, their topics and class versions, each field's type and how it looks in
the stored JSON. Regenerate with `python -m betrokken.catalogue events > docs/events.md`."""
