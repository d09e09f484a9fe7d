"""Keys, rate limits and the fair queue as units (the live tests attack them over HTTP)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bastion.sandbox.service.admission import Admission, QueueFull
from bastion.sandbox.service.config import is_loopback, keys_required
from bastion.sandbox.service.keys import KeyStore, from_authorization
from bastion.sandbox.service.ratelimit import RateLimiter, retry_after


def test_keys_are_hashed_at_rest_verified_and_revocable(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys.sqlite3")
    key, plain = store.create("ci", rate_per_second=2.0, burst=3)
    assert plain.startswith(f"bst_{key.id}_")
    verified = store.verify(plain)
    assert verified is not None
    assert (verified.rate_per_second, verified.burst) == (2.0, 3)
    assert store.verify(plain + "x") is None
    assert store.verify(f"bst_{key.id}_wrong") is None
    assert store.verify("bst_nope_nope") is None
    assert store.verify("garbage") is None
    store.close()
    raw = (tmp_path / "keys.sqlite3").read_bytes()
    secret = plain.split("_", 2)[2]
    assert secret.encode() not in raw
    assert (tmp_path / "keys.sqlite3").stat().st_mode & 0o077 == 0
    rows = sqlite3.connect(tmp_path / "keys.sqlite3").execute("SELECT * FROM api_keys").fetchall()
    assert all(secret not in str(r) for r in rows)
    store = KeyStore(tmp_path / "keys.sqlite3")
    assert store.revoke(key.id)
    assert not store.revoke(key.id)
    assert store.verify(plain) is None
    assert [k.revoked_at is not None for k in store.list()] == [True]
    store.close()


def test_authorization_header_forms() -> None:
    assert from_authorization("Bearer abc") == "abc"
    assert from_authorization("bearer  abc ") == "abc"
    assert from_authorization("abc") == "abc"  # emkc / piston_rs style
    assert from_authorization(None) is None


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.5.0.1", True), ("::1", True), ("[::1]", True), ("localhost", True),
     ("0.0.0.0", False), ("::", False), ("10.0.0.5", False), ("example.org", False)],
)  # fmt: skip
def test_keys_are_off_only_on_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
    assert keys_required(host) is (not loopback)
    assert keys_required(host, force=True)


def test_token_bucket_bursts_then_paces() -> None:
    now = [0.0]
    limiter = RateLimiter(clock=lambda: now[0])
    assert [limiter.acquire("k", 2.0, 3) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.acquire("k", 2.0, 3)
    assert wait == pytest.approx(0.5)
    assert limiter.acquire("other", 2.0, 3) == 0.0  # keys do not share a bucket
    now[0] += 0.5
    assert limiter.acquire("k", 2.0, 3) == 0.0
    assert (retry_after(0.01), retry_after(2.2)) == ("1", "3")


def test_queue_bounds_and_round_robin_fairness() -> None:
    async def scenario() -> list[str]:
        adm = Admission(concurrency=1, max_queued=5)
        order: list[str] = []
        gate = asyncio.Event()

        async def job(key: str, tag: str) -> None:
            async with adm.slot(key):
                order.append(tag)
                await gate.wait()

        first = asyncio.create_task(job("a", "a0"))
        await asyncio.sleep(0)
        tasks = [asyncio.create_task(job("a", f"a{i}")) for i in range(1, 4)]
        await asyncio.sleep(0)
        tasks.append(asyncio.create_task(job("b", "b1")))
        tasks.append(asyncio.create_task(job("c", "c1")))
        await asyncio.sleep(0)
        assert adm.queued == 5
        with pytest.raises(QueueFull) as full:
            async with adm.slot("d"):
                pass
        assert full.value.retry_after_s >= 1
        gate.set()
        await asyncio.gather(first, *tasks)
        assert (adm.running, adm.queued) == (0, 0)
        return order

    # Key a queued three jobs before b and c queued one each: b and c are not stuck behind a.
    assert asyncio.run(scenario()) == ["a0", "a1", "b1", "c1", "a2", "a3"]


def test_cancelled_waiters_leave_no_trace() -> None:
    async def scenario() -> None:
        adm = Admission(concurrency=1, max_queued=2)
        hold = asyncio.Event()

        async def holder() -> None:
            async with adm.slot("a"):
                await hold.wait()

        h = asyncio.create_task(holder())
        await asyncio.sleep(0)
        waiter = asyncio.create_task(adm.slot("b").__aenter__())
        await asyncio.sleep(0)
        assert adm.queued == 1
        waiter.cancel()
        await asyncio.gather(waiter, return_exceptions=True)
        assert adm.queued == 0
        hold.set()
        await h
        assert adm.running == 0

    asyncio.run(scenario())
