"""Shared test fixtures.

Without an NVIDIA GPU the CUDA tests run on Numba's CUDA simulator, which only takes effect
when ``NUMBA_ENABLE_CUDASIM`` is set before Numba is first imported: hence at the very top here.
"""

import os

if not os.path.exists("/dev/nvidiactl"):
    os.environ.setdefault("NUMBA_ENABLE_CUDASIM", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
