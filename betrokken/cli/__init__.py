"""The `betrokken` command line: one module per command group."""
