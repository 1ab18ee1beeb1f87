"""Travel demand: zones, trip generation, distribution and mode choice."""
