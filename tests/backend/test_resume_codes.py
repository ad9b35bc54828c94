"""Resume codes: a phoned draft carried into a later call or an SMS conversation by a short code."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from backend.audit.models import AuditEvent
from backend.resume_codes import service
from backend.resume_codes.models import ResumeCode
from tests.backend.reporting import API, new_draft

CALL_1 = "public:twilio_voice:CA" + "1" * 32
CALL_2 = "public:twilio_voice:CA" + "2" * 32
SMS = "public:twilio:+447700900123"


def _issue(client, headers, record_id):
    return client.post(f"{API}/records/{record_id}/resume-code", headers=headers)


def _redeem(client, headers, code):
    return client.post(f"{API}/records/resume", json={"code": code}, headers=headers)


def test_a_code_moves_the_draft_to_the_new_conversation_once(client, people, db):
    call_1, call_2 = people.headers(CALL_1), people.headers(CALL_2)
    draft = new_draft(client, call_1, "incident")["record"]
    r = _issue(client, call_1, draft["id"])
    assert r.status_code == 200, r.text
    code = r.json()["code"]
    assert len(code) == 12 and code.isdigit()
    assert client.get(f"{API}/records/{draft['id']}", headers=call_2).status_code == 404

    r = _redeem(client, call_2, f"*{code[:4]} {code[4:8]} {code[8:]}#")  # as keyed or said: spaces, * and # ignored
    assert r.status_code == 200, r.text
    assert r.json()["id"] == draft["id"]
    assert client.get(f"{API}/records/{draft['id']}", headers=call_2).status_code == 200
    assert client.get(f"{API}/records/{draft['id']}", headers=call_1).status_code == 404  # the old call lets go
    # Single use: the same code again finds nothing, even for the new owner.
    assert _redeem(client, people.headers(SMS), code).status_code == 404
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == draft["id"])).all()
    assert {"resume_code_issued", "resumed_with_code"} <= set(actions)


def test_only_a_hash_of_the_code_is_stored(client, people, db):
    headers = people.headers(CALL_1)
    draft = new_draft(client, headers, "incident")["record"]
    code = _issue(client, headers, draft["id"]).json()["code"]
    stored = db.scalars(select(ResumeCode.code_hash)).all()
    assert len(stored) == 1 and code not in stored[0] and len(stored[0]) == 64


def test_a_new_code_replaces_the_old_one(client, people):
    headers = people.headers(CALL_1)
    draft = new_draft(client, headers, "incident")["record"]
    first = _issue(client, headers, draft["id"]).json()["code"]
    second = _issue(client, headers, draft["id"]).json()["code"]
    assert first != second and _redeem(client, people.headers(CALL_2), first).status_code == 404
    assert _redeem(client, people.headers(SMS), second).status_code == 200


def test_an_expired_code_finds_nothing(client, people, db):
    headers = people.headers(CALL_1)
    draft = new_draft(client, headers, "incident")["record"]
    code = _issue(client, headers, draft["id"]).json()["code"]
    db.execute(update(ResumeCode).values(expires_at=datetime.now(timezone.utc) - timedelta(minutes=1)))
    db.commit()
    r = _redeem(client, people.headers(CALL_2), code)
    assert r.status_code == 404 and "expired" in r.json()["detail"]


def test_codes_only_for_ones_own_unfinished_public_draft(client, people):
    mine = new_draft(client, people.headers(CALL_1), "incident")["record"]
    # Someone else's draft is not even visible; a staff draft never gets a code redeemed by the public.
    assert _issue(client, people.headers(CALL_2), mine["id"]).status_code == 404
    staff = new_draft(client, people.headers("std_a"), "incident")["record"]
    staff_code = _issue(client, people.headers("std_a"), staff["id"])
    assert staff_code.status_code == 200  # staff may take a code for their own draft ...
    assert _redeem(client, people.headers(CALL_2), staff_code.json()["code"]).status_code == 404  # ... not hand it to the public
    assert _redeem(client, people.headers("std_a"), "123456789012").status_code == 403  # accounts use their draft list


def test_a_submitted_record_cannot_be_resumed(client, people, db):
    headers = people.headers(CALL_1)
    draft = new_draft(client, headers, "incident")["record"]
    code = _issue(client, headers, draft["id"]).json()["code"]
    db.execute(update(service.EventRecord).values(status="submitted"))
    db.commit()
    assert _redeem(client, people.headers(CALL_2), code).status_code == 404
    assert _issue(client, headers, draft["id"]).status_code == 409


def test_malformed_codes_are_refused_plainly(client, people):
    for bad in ("1234", "12345678", "1234567890123", "abcdefghijkl", "١٢٣٤٥٦٧٨٩٠١٢"):  # the last: Arabic-Indic
        r = _redeem(client, people.headers(CALL_2), bad)
        assert r.status_code == 422, (bad, r.text)


def test_wrong_codes_are_rate_limited_per_conversation(client, people, db):
    guesser = people.headers(CALL_2)
    for _ in range(service.KEY_FAILURES):
        assert _redeem(client, guesser, "000000000000").status_code == 404
    r = _redeem(client, guesser, "000000000000")
    assert r.status_code == 429 and r.headers["Retry-After"]
    # Another conversation is not blocked by this one's guesses.
    assert _redeem(client, people.headers(SMS), "000000000000").status_code == 404


def test_many_guessers_do_not_lock_everyone_out(client, people):
    """The old limit across all callers (200 wrong codes in 15 minutes) was a lockout for everyone: a
    few dozen web chats guessing kept every caller on 429. Now others' guesses cost a caller nothing."""
    for n in range(60):
        guesser = people.headers(f"public:socketio:guesser-{n:04d}")
        for _ in range(service.KEY_FAILURES):
            assert _redeem(client, guesser, "999999999999").status_code == 404
    owner = people.headers(CALL_1)
    draft = new_draft(client, owner, "incident")["record"]
    code = _issue(client, owner, draft["id"]).json()["code"]
    assert _redeem(client, people.headers(CALL_2), code).status_code == 200


def test_a_code_takes_only_a_few_wrong_secrets_in_its_life_from_any_number_of_callers(client, people):
    owner = people.headers(CALL_1)
    draft = new_draft(client, owner, "incident")["record"]
    code = _issue(client, owner, draft["id"]).json()["code"]
    wrong = code[: service.LOCATOR_DIGITS] + f"{(int(code[service.LOCATOR_DIGITS:]) + 1) % 10**8:08d}"
    for n in range(service.CODE_TRIES):  # each from a new call: the per-source limit does not apply
        assert _redeem(client, people.headers(f"public:twilio_voice:CA{n:032d}"), wrong).status_code == 404
    # The code has had its tries: even the right code no longer opens the draft (the draft itself stays).
    assert _redeem(client, people.headers(CALL_2), code).status_code == 404
    assert client.get(f"{API}/records/{draft['id']}", headers=owner).status_code == 200


def _concurrently(threads: int, work) -> list:
    import threading

    results: list = []
    barrier = threading.Barrier(threads)

    def run(n: int) -> None:
        barrier.wait()
        results.append(work(n))

    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return results


def test_concurrent_wrong_tries_never_exceed_a_codes_limit(app, client, people, db):
    """Counted atomically (a conditional UPDATE), on SQLite and PostgreSQL: 16 threads each try a wrong
    secret for the same code at once; the code takes exactly CODE_TRIES of them."""
    from backend.auth.principal import Principal

    owner = people.headers(CALL_1)
    draft = new_draft(client, owner, "incident")["record"]
    code = _issue(client, owner, draft["id"]).json()["code"]
    wrong = code[: service.LOCATOR_DIGITS] + f"{(int(code[service.LOCATOR_DIGITS:]) + 1) % 10**8:08d}"
    secret = app.state.settings.secret_key.get_secret_value()

    def guess(n: int) -> int:
        with app.state.sessions() as session:
            try:
                service.redeem(session, Principal(public_key_hash=f"{n:064d}", via_service=True), wrong, secret)
            except service.HTTPException as exc:
                return exc.status_code
            return 200

    assert sorted(_concurrently(16, guess)) == [404] * 16
    db.expire_all()
    assert db.scalars(select(ResumeCode.tries)).one() == service.CODE_TRIES


def test_concurrent_tries_from_one_source_never_exceed_its_limit(app, client, people, db):
    from backend.auth.principal import Principal

    secret = app.state.settings.secret_key.get_secret_value()
    now = datetime(2026, 12, 3, 14, 1, tzinfo=timezone.utc)

    def guess(n: int) -> int:
        with app.state.sessions() as session:
            try:
                service.redeem(session, Principal(public_key_hash="f" * 64, via_service=True),
                               f"{n:012d}", secret, now=now)
            except service.HTTPException as exc:
                return exc.status_code
            return 200

    results = _concurrently(16, guess)
    assert results.count(404) == service.KEY_FAILURES and results.count(429) == 16 - service.KEY_FAILURES
    # The next window starts afresh.
    later = now + service.WINDOW
    with app.state.sessions() as session:
        with pytest.raises(service.HTTPException) as exc:
            service.redeem(session, Principal(public_key_hash="f" * 64, via_service=True), "0" * 12, secret, now=later)
    assert exc.value.status_code == 404


def test_normalise():
    assert service.normalise(" 1234-5678-9012 ") == "123456789012"
    assert service.normalise("*123456789012#") == "123456789012"
    assert service.normalise("12345678") is None
    assert service.normalise("") is None
