"""The one place that imports :mod:`torchvision`.

Why: the torchvision wheels on the registry are CUDA builds. Paired with a CPU-only torch,
``import torchvision`` fails with ``operator torchvision::nms does not exist`` because its
Python side registers fake kernels for C++ ops whose schemas were never defined. We define
the missing schemas (``torchvision::nms`` and ``torchvision::qnms``) with
:mod:`torch.library` *before* the import; model definitions and transforms then work
(``torchvision.ops`` kernels and ``torchvision.io`` decoding do not, and we use neither:
images are decoded with Pillow). Everything else imports torchvision through
:func:`import_torchvision` so that the workaround lives in one place.

The import is tried first as is: on a matching CUDA torch (a GPU machine) the extension
loads and defines the ops itself, and defining them beforehand would clash. Only when
that import fails for this reason are the schemas defined and the import repeated.
"""

from __future__ import annotations

import threading
from types import ModuleType
from typing import Any

__all__ = ["imagenet_class_names", "import_torchvision"]

_lock = threading.Lock()
_module: ModuleType | None = None
_library: Any = None  # keeps the torch.library.Library alive (schemas vanish with it)

#: op schemas that torchvision's Python code expects the C++ extension to have defined
_SCHEMAS = {
    "nms": "nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
    "qnms": "qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
}


def _op_exists(name: str) -> bool:
    import torch

    try:
        torch._C._dispatch_find_schema_or_throw(f"torchvision::{name}", "")
    except RuntimeError:
        return False
    return True


def import_torchvision() -> ModuleType:
    """Import and return ``torchvision``, defining missing op schemas first if needed."""
    global _module, _library
    with _lock:
        if _module is not None:
            return _module
        try:
            import torchvision
        except RuntimeError as exc:
            if "does not exist" not in str(exc):
                raise
            import sys

            import torch.library

            # drop the half-imported package, define the schemas, import again
            for key in [k for k in sys.modules if k.split(".")[0] == "torchvision"]:
                del sys.modules[key]
            missing = {k: v for k, v in _SCHEMAS.items() if not _op_exists(k)}
            if missing:
                _library = torch.library.Library("torchvision", "DEF")
                for schema in missing.values():
                    _library.define(schema)
            import torchvision
        _module = torchvision
        return torchvision


def imagenet_class_names() -> list[str]:
    """The 1000 ImageNet-1k class names in index order (they ship inside torchvision)."""
    tv = import_torchvision()
    return list(tv.models.SqueezeNet1_1_Weights.IMAGENET1K_V1.meta["categories"])
