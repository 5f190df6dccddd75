"""Results derived from an input object, kept while that object lives.

Why: a click on a dendrogram branch re-runs Hierarchical Clustering with a new selection
but the same distance matrix, and the view draws the same tree; Ward on 10,000 items
takes seconds, the selection milliseconds. The linkage is therefore computed once per
(matrix, method) and shared by the node and its view.

Why not a module global: the memo belongs to the :class:`~petriflow.core.scheduler.
Scheduler` that runs the workflow (one per open document). Nodes reach it through
their :class:`~petriflow.core.node.NodeContext`, views through their node's facade;
closing the document drops it, and two documents (or two tests) never share entries.
Entries are also held weakly by their input object, so they go with the matrix.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

__all__ = ["RunMemo"]

T = TypeVar("T")


class RunMemo:
    """``get(obj, key, compute)``: ``compute()`` once per (object, key), thread-safe.

    ``obj`` must be weak-referenceable and hashable by identity (numpy-backed data
    objects such as :class:`~petriflow.core.types.DistanceMatrix` are). Two threads
    asking for the same missing entry may both compute it; the first stored wins.
    """

    def __init__(self) -> None:
        self._entries: weakref.WeakKeyDictionary[Any, dict[Hashable, Any]] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()

    def get(self, obj: Any, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            per_obj = self._entries.get(obj)
            if per_obj is not None and key in per_obj:
                hit: T = per_obj[key]
                return hit
        value = compute()
        with self._lock:
            stored: T = self._entries.setdefault(obj, {}).setdefault(key, value)
        return stored

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        """Number of objects with entries (for tests and diagnostics)."""
        with self._lock:
            return len(self._entries)
