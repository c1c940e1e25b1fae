"""The two clocks: virtual time never sleeps and fires events in order, deterministically."""

import time

import pytest

from labkit.gateway.clock import VIRTUAL_EPOCH, RealClock, VirtualClock


def test_virtual_clock_fires_events_in_time_order_and_ties_in_scheduling_order():
    clock = VirtualClock()
    fired = []
    clock.call_later(2.0, lambda: fired.append(("b", clock.elapsed)))
    clock.call_later(1.0, lambda: fired.append(("a", clock.elapsed)))
    clock.call_later(2.0, lambda: fired.append(("c", clock.elapsed)))
    clock.advance(1.5)
    assert fired == [("a", 1.0)]
    clock.run()
    assert fired == [("a", 1.0), ("b", 2.0), ("c", 2.0)]


def test_virtual_sleep_takes_no_real_time():
    clock = VirtualClock()
    started = time.perf_counter()
    clock.sleep(3600)
    assert clock.now() == VIRTUAL_EPOCH + 3600
    assert time.perf_counter() - started < 0.5


def test_events_scheduled_by_events_run_in_the_same_advance():
    clock = VirtualClock()
    seen = []
    clock.call_later(1, lambda: clock.call_later(1, lambda: seen.append(clock.elapsed)))
    clock.advance(5)
    assert seen == [2.0] and clock.elapsed == 5.0


@pytest.mark.parametrize("bad", [-1, -0.001])
def test_negative_durations_are_refused_with_the_parameter_named(bad):
    clock = VirtualClock()
    with pytest.raises(ValueError, match="seconds"):
        clock.advance(bad)
    with pytest.raises(ValueError, match="delay"):
        clock.call_later(bad, lambda: None)


def test_real_clock_is_wall_time():
    assert abs(RealClock().now() - time.time()) < 1
    assert RealClock().virtual is False and VirtualClock().virtual is True
