"""The bounded store behind the read path's tables and the kept pages."""

from indicators.readcache import LRU


def store(size=10, max_bytes=None):
    return LRU(size, max_bytes=max_bytes, weigh=len)


def test_the_least_recently_used_entry_goes_first():
    lru = store(size=2)
    lru.put("a", b"1")
    lru.put("b", b"2")
    assert lru.get("a") == b"1"
    lru.put("c", b"3")
    assert lru.get("b") is None
    assert (lru.get("a"), lru.get("c")) == (b"1", b"3")


def test_entries_go_when_their_bytes_exceed_the_budget():
    lru = store(max_bytes=10)
    lru.put("a", b"x" * 4)
    lru.put("b", b"x" * 4)
    lru.put("c", b"x" * 4)
    assert lru.get("a") is None
    assert lru.nbytes == 8
    assert len(lru) == 2


def test_an_entry_heavier_than_the_budget_is_not_kept():
    lru = store(max_bytes=10)
    lru.put("a", b"x" * 4)
    lru.put("big", b"x" * 11)
    assert lru.get("big") is None
    assert lru.get("a") == b"x" * 4
    assert lru.nbytes == 4


def test_replacing_an_entry_counts_its_bytes_once():
    lru = store(max_bytes=10)
    lru.put("a", b"x" * 6)
    lru.put("a", b"x" * 3)
    assert lru.nbytes == 3
    lru.put("a", b"x" * 20)
    assert lru.get("a") is None
    assert lru.nbytes == 0
    lru.clear()
    assert len(lru) == 0


def test_without_a_budget_only_the_entries_count():
    lru = LRU(2)
    lru.put("a", object())
    lru.put("b", object())
    lru.put("c", object())
    assert len(lru) == 2
    assert lru.nbytes == 0
