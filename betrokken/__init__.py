"""Betrokken assembled: the composition root (`system`) and the `betrokken` command line (`cli`)."""
