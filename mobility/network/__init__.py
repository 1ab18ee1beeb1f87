"""Generic networks: link networks, shortest paths, assignment, transit graphs and network
file formats (GMNS, TNTP, GTFS, OSM). Nothing here knows of Copenhagen: the region's own
roads and lines live in :mod:`mobility.region`."""
