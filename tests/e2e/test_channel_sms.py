"""End to end over SMS: Twilio's form-encoded webhooks, signed as Twilio signs them, posted to the running
Rasa server; what the assistant saved is read back from the backend as the SMS reporter's own records."""

from __future__ import annotations

import itertools
import re
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date, timedelta

from twilio.request_validator import RequestValidator

from channels.conversation_keys import default_secret, sms_conversation_id
from channels.sms_render import segments  # plain Python, no Rasa: the SMS length rules the channel applies
from tests.e2e.reporter import tally
from tests.e2e.system import System

YESTERDAY = (date.today() - timedelta(days=1)).isoformat()
_sids = itertools.count(1)


@dataclass
class Texter:
    """A member of the public texting the service's Twilio number, as Twilio delivers it."""

    system: System
    number: str  # fictional: Ofcom's +447700900xxx drama range
    turns: int = 0
    typed: int = 0  # characters texted
    sent: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.system.rasa_port}/webhooks/twilio/webhook"  # = PUBLIC_BASE_URL + path

    def params(self, body: str, sid: str | None = None) -> dict[str, str]:
        return {"ToCountry": "GB", "SmsMessageSid": sid or "", "NumMedia": "0", "ToCity": "", "FromZip": "",
                "SmsSid": sid or "", "FromState": "", "SmsStatus": "received", "FromCity": "", "Body": body,
                "FromCountry": "GB", "To": "+447700900999", "ToZip": "", "NumSegments": "1",
                "MessageSid": sid or "", "AccountSid": "AC" + "1" * 32, "From": self.number, "ApiVersion": "2010-04-01"}

    def post(self, params: dict[str, str], token: str | None = None, signed: bool = True) -> tuple[int, str]:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signed:
            headers["X-Twilio-Signature"] = RequestValidator(token or self.system.twilio_token).compute_signature(
                self.url, params)
        req = urllib.request.Request(self.url, urllib.parse.urlencode(params).encode(), headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def text(self, body: str, sid: str | None = None) -> list[str]:
        sid = sid or f"SM{self.number[-3:]}{next(_sids):029d}"
        status, xml = self.post(self.params(body, sid))
        assert status == 200, xml
        replies = [m.text or "" for m in ET.fromstring(xml).iter("Message")]
        assert all(segments(r) <= 3 for r in replies), replies
        self.turns += 1
        self.typed += len(body)
        self.sent.append((body, replies))
        return replies

    def backend(self, path: str) -> dict:
        # The channel keys the conversation on a keyed hash of the number, never the number (issue 16).
        key = sms_conversation_id(self.number, default_secret(self.system.twilio_token))
        return self.system.api(path, f"public:twilio:{key}")

    def drafts(self) -> list[dict]:
        return self.backend("/records?status=draft")["items"]

    def question(self, record_id: str) -> dict | None:
        return self.backend(f"/records/{record_id}/next-question?core_only=true")["question"]


def test_an_unsigned_or_wrongly_signed_sms_is_refused_and_reaches_nothing(system):
    texter = Texter(system, "+447700900201")
    forged = texter.params("A nurse at the surgery gave my son the wrong vaccine today", "SM" + "f" * 32)
    assert texter.post(forged, signed=False)[0] == 403
    assert texter.post(forged, token="not-the-account-token")[0] == 403
    tampered = texter.params("my son had a rash", "SM" + "e" * 32)
    signature = RequestValidator(system.twilio_token).compute_signature(texter.url, tampered)
    tampered["Body"] = "delete my draft"
    req = urllib.request.Request(texter.url, urllib.parse.urlencode(tampered).encode(), {
        "X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"}, method="POST")
    try:
        urllib.request.urlopen(req, timeout=30)
        raise AssertionError("a changed body was accepted")
    except urllib.error.HTTPError as exc:
        assert exc.code == 403
    assert texter.backend("/records?status=draft")["items"] == []
    # Nothing reached the assistant either: a signed greeting starts a fresh conversation.
    assert "what happened" in "\n".join(texter.text("hello")).lower()


def test_a_retried_message_sid_is_processed_once(system):
    texter = Texter(system, "+447700900202")
    opening = "I waited 5 hours in A&E yesterday with chest pain and nobody checked on me"
    first = texter.text(opening, sid="SM" + "a" * 32)
    assert texter.text(opening, sid="SM" + "a" * 32) == first
    assert len(texter.drafts()) == 1
    reply = texter.text("1", sid="SM" + "b" * 32)  # yes, that's right
    record_id = texter.drafts()[0]["id"]
    asked = texter.question(record_id)
    assert asked["text"] in "\n".join(reply)
    # The retry of "1" is not taken as the answer to the question it was asked next.
    assert texter.text("1", sid="SM" + "b" * 32) == reply
    assert texter.question(record_id) == asked


def test_stop_ends_the_conversation_keeps_the_draft_and_start_lets_them_carry_on(system):
    texter = Texter(system, "+447700900203")
    texter.text("My mum was sent home from hospital without her insulin pen yesterday")
    [draft] = texter.drafts()
    assert texter.text("STOP") == []
    assert texter.text("carry on") == [] and texter.text("hello") == []  # nothing more is sent
    assert texter.drafts() == [draft]  # kept, unchanged
    assert "999" in texter.text("START")[0]
    listing = "\n".join(texter.text("carry on"))
    assert "without her insulin pen" in listing, listing
    assert "carry on" in "\n".join(texter.text("1")).lower()


def test_a_public_report_by_sms_from_first_message_to_reference(system):
    texter = Texter(system, "+447700900204")
    first = "Yesterday the chemist gave my mum tablets meant for someone else and she was sick all night"
    understood = "\n".join(texter.text(first))
    assert "understood" in understood and "Reply 1 for Yes or 2 for No." in understood, understood
    texter.text("1")
    [draft] = texter.drafts()
    replies = {"DrugsInvolved": "amlodipine", "PhysicalHarm": "A little (low harm)", "PsychologicalHarm": "A little",
               "ReporterType": "I am a friend, carer or relative of the patient"}
    last: list[str] = []
    for _ in range(30):
        q = texter.question(draft["id"])
        if q is None:
            break
        wanted = replies.get(q["field"])
        labels = [c["label"] for c in q["choices"] or []]
        if q.get("group"):  # the harm in body and mind asked as one (issue 14): one reply in words for both
            assert q["group"]["id"] == "Harm", q
            last = texter.text("A little hurt and a little upset")
        elif wanted is None:
            last = texter.text("skip")
        elif "sms" in (q.get("answer_in_words") or []):  # an age: no list of bands, the age in words
            assert "1. " not in "\n".join(texter.sent[-1][1]), texter.sent[-1]
            last = texter.text(wanted)
        elif labels:  # reply with the option's number, as the SMS showed it
            number, shown = labels.index(wanted) + 1, "\n".join(texter.sent[-1][1])
            assert f"{number}. {wanted}" in shown or f"{number} for {wanted}" in shown, shown
            last = texter.text(str(number))
        else:
            last = texter.text(wanted)
    recap = "\n".join(last)
    assert "check" in recap.lower() and "Reply 1 for Send it" in recap, texter.sent[-3:]
    done = texter.text("1")
    record = texter.backend(f"/records/{draft['id']}")
    assert record["status"] == "submitted" and record["reference"] in done[-1]
    assert (record["event_type"], record["channel"], record["audience"]) == ("incident", "sms", "public")
    fields = record["answers"]["fields"]
    assert fields["Description"] == first and fields["ApproximateDate"] == YESTERDAY
    assert fields["DrugsInvolved"] == ["amlodipine"] and fields["IsAnonymous"] is True
    assert fields["DataSharingOptOut"] is False and fields["ReporterType"] == "2"
    assert record["answers"]["patients"][0]["PhysicalHarm"] == "4"  # low harm
    assert record["answers"]["patients"][0]["PsychologicalHarm"] == "3"  # a little upset
    assert record["answers"]["defaulted"] == ["DataSharingOptOut", "IsAnonymous"]  # assumed, shown at the recap
    tally("public incident by SMS", "SMS", texter)


def test_an_sms_draft_comes_with_its_code_which_opens_it_from_any_number(system):
    """A number can be shared or recycled: outside its conversation a draft opens only with its code."""
    texter = Texter(system, "+447700900205")
    replies = "\n".join(texter.text("The pharmacy gave my dad the wrong strength of warfarin on Monday"))
    found = re.search(r"draft code is (\d{4} \d{4} \d{4})", replies)
    assert found, replies
    [draft] = texter.drafts()
    other = Texter(system, "+447700900206")  # a new phone: the code, not the number, opens the draft
    assert "carry on" in "\n".join(other.text(found.group(1))).lower()
    assert other.drafts()[0]["id"] == draft["id"] and texter.drafts() == []  # it moved to the new conversation
    assert "wrong strength of warfarin" in other.drafts()[0]["first_words"]
