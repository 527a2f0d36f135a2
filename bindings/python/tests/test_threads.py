"""A Policy is shared by threads without a lock, decide_many lets other
threads run while it decides, and nothing about a policy or an answer can
be changed."""

from __future__ import annotations

import gc
import sys
import threading
import time
from typing import Any, Callable, Iterator

import pytest

import authgate


def generated(endpoints: int, instances: int) -> tuple[authgate.Policy, list[dict[str, str]]]:
    """A connector with 8 methods and `endpoints` endpoints, each
    activating a few of them; `instances` instances; requests about every
    pair in a fixed mix (some unknown)."""
    lines = ["connector big {"]
    lines += [f"    auth m{k}: token" for k in range(8)]
    for e in range(endpoints):
        methods = ", ".join(f"m{k}" for k in range(8) if (e * 7 + k * 3) % 5 < 2) or "m0"
        lines.append(f"    endpoint e{e} < auth: [{methods}] >")
    lines.append("}")
    lines += [f"instance i{i} of big < auth: m{i % 8} >" for i in range(instances)]
    policy = authgate.Policy.from_source("\n".join(lines) + "\n", filename="big.gate")
    requests: list[dict[str, str]] = []
    for q in range(2_000):
        endpoint = f"e{(q * 7919) % (endpoints + 10)}"
        if q % 3:
            requests.append({"instance": f"i{(q * 104729) % (instances + 5)}", "endpoint": endpoint})
        else:
            requests.append({"connector": "big", "auth": f"m{q % 9}", "endpoint": endpoint})
    return policy, requests


@pytest.fixture(scope="module")
def big() -> tuple[authgate.Policy, list[dict[str, str]]]:
    return generated(5_000, 1_000)


def test_eight_threads_share_one_policy(big: tuple[authgate.Policy, list[dict[str, str]]]) -> None:
    policy, requests = big
    expected = [(d.available, d.reason) for d in policy.decide_many(requests)]
    assert {a for a, _ in expected} == {True, False}
    start = threading.Barrier(8)
    results: dict[int, Any] = {}

    def work(n: int) -> None:
        start.wait()
        mine = []
        for _ in range(3):
            for r in requests:
                d = policy.decide(**r)  # type: ignore[call-overload]
                mine.append((d.available, d.reason))
            many = policy.decide_many(requests)
            mine += [(d.available, d.reason) for d in many]
            policy.visible(instance=f"i{n}")
        results[n] = mine

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == list(range(8))
    for mine in results.values():
        assert mine == expected * 6


def time_to_others(call: Callable[[Iterator[Any]], Any], items: list[Any]) -> float:
    """How long another Python thread runs between the moment `call` has
    read the last of `items` (from a generator) and the moment `call`
    returns: the span of that thread's clock readings in between.

    A call that holds the interpreter all along lets the other thread run
    there only while control passes back after it returns (about a switch
    interval); one that lets go after reading its input lets it run for
    as long as the work it does detached. The cycle collector is off
    meanwhile: a collection may run finalizers, Python code that lets other
    threads in whatever the call does."""
    phase = [0]
    inside: list[float] = []
    stop = threading.Event()

    def tick() -> None:
        while not stop.is_set():
            if phase[0] == 1:
                inside.append(time.perf_counter())

    def feed() -> Iterator[Any]:
        yield from items
        phase[0] = 1

    ticker = threading.Thread(target=tick)
    gc.collect()
    gc.disable()
    ticker.start()
    try:
        time.sleep(0.005)
        call(feed())
        phase[0] = 2
    finally:
        stop.set()
        ticker.join()
        gc.enable()
    return max(inside) - min(inside) if inside else 0.0


def test_decide_many_lets_another_thread_run_while_it_decides(big: tuple[authgate.Policy, list[dict[str, str]]]) -> None:
    policy, requests = big
    batch = requests * 250  # 500,000 requests
    interval = sys.getswitchinterval()
    sys.setswitchinterval(0.001)
    try:
        # The control: `sorted` reads a generator, then sorts holding the
        # interpreter (for far longer than a switch interval).
        numbers = [(n * 7919) % 1_000_003 for n in range(1_500_000)]
        held = time_to_others(sorted, numbers)
        released = time_to_others(policy.decide_many, batch)
    finally:
        sys.setswitchinterval(interval)
    assert released > 2 * held + 0.002, f"others ran {released * 1e3:.1f} ms (while holding: {held * 1e3:.1f} ms)"


def test_nothing_can_be_set_on_a_policy_or_an_answer(big: tuple[authgate.Policy, list[dict[str, str]]]) -> None:
    policy, requests = big
    decision = policy.decide_many(requests[:1])[0]
    diagnostic = authgate.Diagnostic("authgate::x", "error", "m")
    for obj, attr in [
        (policy, "digest"),
        (policy, "warnings"),
        (policy, "decide"),
        (policy, "anything"),
        (decision, "available"),
        (decision, "reason"),
        (decision, "endpoint"),
        (decision, "anything"),
        (diagnostic, "code"),
        (diagnostic, "line"),
    ]:
        with pytest.raises(AttributeError):
            setattr(obj, attr, "changed")
        with pytest.raises(AttributeError):
            delattr(obj, attr)
    for obj in (policy, decision, diagnostic):
        assert not hasattr(obj, "__dict__")
    for cls in (authgate.Policy, authgate.Decision, authgate.Diagnostic):
        with pytest.raises(TypeError):
            type("Sub", (cls,), {})
    digest = policy.digest
    assert policy.decide_many(requests[:1])[0].available == decision.available
    assert policy.digest == digest
