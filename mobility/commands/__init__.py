"""CLI command families; each module defines click commands added in :mod:`mobility.cli`."""
