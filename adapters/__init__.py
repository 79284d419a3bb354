"""Everything that talks to a store: the sealed event recorders, keys, personal-data mapper, side tables, configuration."""
