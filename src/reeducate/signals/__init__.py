"""Pure numerical engines: arrays in, typed results out (no database, no web, no globals)."""
