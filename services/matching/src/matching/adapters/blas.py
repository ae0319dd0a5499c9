"""The size of OpenBLAS's thread pool, set at startup (``MATCHING_BLAS_THREADS``).

The service's numpy work is small products: one text through MiniLM (a few 50 x 384
matrices), one profile against a pool (a matrix-vector product). Threads barely help
there, and on a busy host OpenBLAS's spinning worker threads make it much worse: measured
on the shared 2-core machine, one profile text took 38 ms to encode with one BLAS thread
and 200 ms (p90 490 ms) with two. ``OPENBLAS_NUM_THREADS`` does the same, but only when
set before numpy is imported; this sets the running library through its C API.

numpy and scipy wheels bundle OpenBLAS as ``scipy-openblas`` (symbols with a ``scipy_``
prefix and, for the 64-bit-integer build, a ``64_`` suffix). Other BLAS builds (MKL,
Accelerate, a distribution's OpenBLAS) are left alone: :func:`set_blas_threads` then
returns 0 and the environment variables of those libraries apply.
"""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger("matching.blas")

_SETTERS = (
    "scipy_openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads",
    "openblas_set_num_threads64_",
    "openblas_set_num_threads",
)


def _bundled_libraries() -> Iterator[Path]:
    import numpy
    import scipy

    for package in (numpy, scipy):
        folder = Path(str(package.__file__)).resolve().parent.parent / f"{package.__name__}.libs"
        yield from sorted(folder.glob("libscipy_openblas*.so*"))
        yield from sorted(folder.glob("libopenblas*.so*"))


def set_blas_threads(threads: int) -> int:
    """Set every bundled OpenBLAS to ``threads`` threads; returns how many were set."""
    done = 0
    for path in _bundled_libraries():
        try:
            library = ctypes.CDLL(str(path))  # the copy numpy/scipy already loaded
        except OSError:
            continue
        for name in _SETTERS:
            setter = getattr(library, name, None)
            if setter is not None:
                setter(ctypes.c_int(threads))
                done += 1
                break
    if not done:
        log.info("no bundled OpenBLAS found; BLAS threads left as configured")
    return done
