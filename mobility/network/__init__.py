"""Road and transit networks: building, import/export, shortest paths and assignment."""
