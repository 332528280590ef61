"""Live-cluster audit: collect objects read-only from a Kubernetes API server and
run the same policies on them as on manifests.

The ``kubernetes`` client is imported only inside this package, and only when a
collection runs, so ``soc2iac --help`` stays instant.
"""

from __future__ import annotations

from soc2iac.cluster.collector import KINDS, Collection, KindSpec, NotCollected, collect

__all__ = ["KINDS", "Collection", "KindSpec", "NotCollected", "collect"]
