"""The per-sender rate limit on its own (channels/rate_limit.py), on a clock the test moves, and the
text clean-up every channel applies first (channels/input_text.py)."""

from __future__ import annotations

import pytest

from channels.input_text import clean
from channels.rate_limit import DEFAULT_BURST, DEFAULT_LIMIT, DEFAULT_WINDOW, SLOW_DOWN, SLOW_DOWN_VOICE, RateLimiter
from channels.sms_render import segments


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limiter(clock: Clock, **kwargs) -> RateLimiter:
    return RateLimiter(clock=clock, **{"limit": 20, "window": 60, "burst": 10, **kwargs})


def allowed(lim: RateLimiter, sender: str, n: int) -> list[bool]:
    return [lim.check(sender).allowed for _ in range(n)]


def test_a_burst_of_limit_plus_burst_goes_through_then_the_rest_is_held_back():
    lim = limiter(Clock())
    assert allowed(lim, "a", 30) == [True] * 30
    assert allowed(lim, "a", 10) == [False] * 10


def test_the_bucket_refills_at_limit_per_window():
    clock = Clock()
    lim = limiter(clock)
    allowed(lim, "a", 31)
    clock.now += 3  # 20 a minute: one every 3 s
    assert allowed(lim, "a", 2) == [True, False]
    clock.now += 30
    assert allowed(lim, "a", 11) == [True] * 10 + [False]
    clock.now += 60  # a quiet minute: the limit's worth, not more than the bucket holds
    assert allowed(lim, "a", 21) == [True] * 20 + [False]


def test_a_person_answering_every_two_seconds_is_never_held_back_in_a_whole_report():
    clock = Clock()
    lim = limiter(clock)
    for _ in range(60):  # a long report, answered much faster than people do
        assert lim.check("a").allowed
        clock.now += 2


def test_a_sender_is_told_once_per_stretch_of_refusals_with_when_to_try_again():
    clock = Clock()
    lim = limiter(clock)
    allowed(lim, "a", 30)
    first, second = lim.check("a"), lim.check("a")
    assert (first.allowed, first.tell, second.allowed, second.tell) == (False, True, False, False)
    assert first.retry_after == pytest.approx(3.0)
    clock.now += 3
    assert lim.check("a").allowed
    again = lim.check("a")
    assert not again.allowed and again.tell  # a new stretch: told again


def test_senders_are_independent():
    lim = limiter(Clock())
    allowed(lim, "flood", 100)
    assert allowed(lim, "someone else", 30) == [True] * 30
    assert not lim.check("flood").allowed


def test_idle_senders_are_forgotten_once_their_bucket_is_full_again():
    clock = Clock()
    lim = limiter(clock)
    for n in range(50):
        lim.check(f"s{n}")
    assert len(lim) == 50
    clock.now += 60 * 30 / 20 - 1  # not yet refilled from empty
    lim.check("new")
    assert len(lim) == 51
    clock.now += 1
    lim.check("newer")
    assert len(lim) == 2  # only those seen within the refill time are kept


def test_at_most_max_senders_are_tracked_the_least_recently_seen_going_first():
    clock = Clock()
    lim = limiter(clock, max_senders=3, limit=1, burst=0)
    for sender in "abc":
        assert lim.check(sender).allowed
    assert not lim.check("a").allowed  # a is now the most recently seen
    assert lim.check("d").allowed and len(lim) == 3  # b, the least recently seen, is dropped
    assert lim.check("b").allowed  # as new (c is dropped)
    assert not lim.check("a").allowed and len(lim) == 3


def test_a_flood_of_distinct_senders_stays_bounded():
    lim = limiter(Clock(), max_senders=1000)
    for n in range(20_000):
        lim.check(f"+4477009{n:05d}")
    assert len(lim) == 1000


def test_configured_from_the_environment_and_zero_turns_it_off():
    lim = RateLimiter.from_env({})
    assert (lim.limit, lim.window, lim.burst) == (DEFAULT_LIMIT, DEFAULT_WINDOW, DEFAULT_BURST)
    lim = RateLimiter.from_env({"CHANNEL_RATE_LIMIT": "5", "CHANNEL_RATE_WINDOW": "10", "CHANNEL_RATE_BURST": "0",
                                "CHANNEL_RATE_SENDERS": "7"})
    assert (lim.limit, lim.window, lim.burst, lim.max_senders) == (5, 10.0, 0, 7)
    assert allowed(lim, "a", 6) == [True] * 5 + [False]
    off = RateLimiter.from_env({"CHANNEL_RATE_LIMIT": "0"})
    assert not off.enabled and allowed(off, "a", 1000) == [True] * 1000 and len(off) == 0
    with pytest.raises(ValueError, match="CHANNEL_RATE_WINDOW"):
        RateLimiter.from_env({"CHANNEL_RATE_WINDOW": "a minute"})
    with pytest.raises(ValueError):
        RateLimiter.from_env({"CHANNEL_RATE_WINDOW": "0"})


def test_the_replies_are_plain_short_and_fit_one_text():
    assert "nothing you've already told me is lost" in SLOW_DOWN
    assert segments(SLOW_DOWN) <= 2
    assert "Nothing you've already told me is lost" in SLOW_DOWN_VOICE


def test_clean_keeps_words_in_any_script_and_removes_control_and_bidi_override_characters():
    words = "Ward 3 😀👩‍⚕️ مرحبا שלום <script>alert(1)</script> '); DROP TABLE records;--\tend\nnext"
    assert clean(words) == words
    assert clean("a\x00b\x1bc\x07d\x7fe\x85f\u202eg\u2066h\u2069i") == "abcdefghi"
    assert clean("line\r\nbreak\rhere") == "line\nbreak\nhere"
    assert clean("lone \ud800 surrogate \udfff") == "lone \ufffd surrogate \ufffd"
    assert clean("\u200f\u200e\u061c") == "\u200f\u200e\u061c"  # the marks right-to-left text needs
    assert clean("e\u0301") == "\u00e9"  # NFC
    assert clean("\x00\x1b\u202e ").strip() == ""
