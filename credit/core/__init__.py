"""What every feature stands on: settings, the driver, the graph store, the wiring and the
one table of environment failures."""
