"""Domain tests need no app. They allocate many short-lived objects (the property tests run the
rule checker thousands of times); when they run after tests that left a large heap, the cyclic
garbage collector rescans that heap again and again. Freezing it first keeps them as fast as alone."""

import gc

import pytest


@pytest.fixture(autouse=True, scope="module")
def _frozen_heap():
    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()
