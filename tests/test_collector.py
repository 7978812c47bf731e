"""The cyclic collector held back for a block, and given back after it whatever happens."""

import gc
import weakref

import pytest

from ladder import collector


class Node:
    pass


def test_the_collector_waits_for_the_block_and_then_collects_its_cycles():
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
        node = Node()
        node.itself = node  # a reference cycle: only the collector frees it
        gone = weakref.ref(node)
        del node
        # Enough new objects to set off the collector many times over, were it running.
        made = [[] for _ in range(20 * gc.get_threshold()[0])]
        assert gone() is not None
    del made
    assert gc.isenabled()
    gc.collect()
    assert gone() is None


def test_a_block_within_a_block_leaves_the_collector_held_until_the_outer_one_ends():
    with collector.paused():
        with collector.paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_comes_back_when_the_block_raises():
    with pytest.raises(ValueError), collector.paused():
        raise ValueError("boom")
    assert gc.isenabled()


def test_it_serves_as_a_decorator():
    @collector.paused()
    def work():
        return gc.isenabled()

    assert work() is False
    assert gc.isenabled()
