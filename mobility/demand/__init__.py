"""Travel demand: trip generation, distribution, mode choice and the region model (the zones
are in :mod:`mobility.region.zones`)."""
