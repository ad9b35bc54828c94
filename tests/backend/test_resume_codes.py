"""Resume codes: a phoned draft carried into a later call or an SMS conversation by a short code."""

from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update

from backend.audit.models import AuditEvent
from backend.resume_codes import service
from backend.resume_codes.models import ResumeAttempt, ResumeCode
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
    assert len(code) == 8 and code.isdigit()
    assert client.get(f"{API}/records/{draft['id']}", headers=call_2).status_code == 404

    r = _redeem(client, call_2, f"*{code[:4]} {code[4:]}#")  # as keyed or said: spaces, star and hash ignored
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
    assert _redeem(client, people.headers("std_a"), "12345678").status_code == 403  # accounts use their draft list


def test_a_submitted_record_cannot_be_resumed(client, people, db):
    headers = people.headers(CALL_1)
    draft = new_draft(client, headers, "incident")["record"]
    code = _issue(client, headers, draft["id"]).json()["code"]
    db.execute(update(service.EventRecord).values(status="submitted"))
    db.commit()
    assert _redeem(client, people.headers(CALL_2), code).status_code == 404
    assert _issue(client, headers, draft["id"]).status_code == 409


def test_malformed_codes_are_refused_plainly(client, people):
    for bad in ("1234", "123456789", "abcdefgh", "١٢٣٤٥٦٧٨"):  # the last: Arabic-Indic digits
        r = _redeem(client, people.headers(CALL_2), bad)
        assert r.status_code == 422, (bad, r.text)


def test_wrong_codes_are_rate_limited_per_conversation(client, people, db):
    guesser = people.headers(CALL_2)
    for _ in range(service.KEY_FAILURES):
        assert _redeem(client, guesser, "00000000").status_code == 404
    r = _redeem(client, guesser, "00000000")
    assert r.status_code == 429 and r.headers["Retry-After"]
    # Another conversation is not blocked by this one's guesses.
    assert _redeem(client, people.headers(SMS), "00000000").status_code == 404


def test_wrong_codes_are_rate_limited_across_conversations(client, people, db):
    # A caller can start a new call (a new key) for each guess: the limit over all keys stops that.
    now = datetime.now(timezone.utc)
    db.add_all(ResumeAttempt(key_hash=f"{i:064d}", at=now, succeeded=False) for i in range(service.GLOBAL_FAILURES))
    db.commit()
    owner = people.headers(CALL_1)
    draft = new_draft(client, owner, "incident")["record"]
    code = _issue(client, owner, draft["id"]).json()["code"]
    assert _redeem(client, people.headers(CALL_2), code).status_code == 429
    # Old failures fall out of the window.
    db.execute(update(ResumeAttempt).values(at=now - service.WINDOW - timedelta(seconds=1)))
    db.commit()
    assert _redeem(client, people.headers(CALL_2), code).status_code == 200


def test_normalise():
    assert service.normalise(" 1234-5678 ") == "12345678"
    assert service.normalise("*12345678#") == "12345678"
    assert service.normalise("1234567") is None
    assert service.normalise("") is None
