"""mobility: an open transport model and decision tool for hovedstadsområdet.

The public API is small on purpose; see the submodules ``mobility.network``,
``mobility.region``, ``mobility.demand``, ``mobility.impacts``, ``mobility.scoring`` and
``mobility.report`` (their floors: docs/architecture.md).
"""

from mobility.errors import InfeasibleError, InputError, MobilityError

__version__ = "0.1.0"

__all__ = ["InfeasibleError", "InputError", "MobilityError", "__version__"]
