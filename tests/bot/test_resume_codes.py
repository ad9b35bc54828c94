"""Resume codes in the actions: given on the phone once a draft exists, taken back in a later
conversation (a new call or SMS), refused plainly when wrong."""

from actions.describe_form import ValidateDescribeForm
from actions.resume_codes import code_in, spoken
from actions.resume_form import ActionListDrafts
from actions.start import start_from
from tests.bot.helpers import fake, run, texts, tracker, validate
from tests.bot.helpers import said as rendered

CALL_1, CALL_2 = "CA" + "1" * 32, "CA" + "2" * 32


def test_what_counts_as_a_code():
    for said in ("123456789012", "1234 5678 9012", "*1234-5678-9012#", "my code is 1234 5678 9012",
                 "1 2 3 4 5 6 7 8 9 0 1 2", "Draft code: 1234 5678 9012."):
        assert code_in(said) == "123456789012", said
    for other in ("12/11/2026", "12345678", "1234567890123", "the patient fell at 1234 5678 9012 ward", "",
                  "٣٤٥٦٧٨١٢٣٤٥٦"):
        assert code_in(other) is None, other
    assert spoken("123456789012") == "1 2 3 4, 5 6 7 8, 9 0 1 2"


def test_a_phone_draft_gets_a_code_as_soon_as_it_exists():
    backend = fake()
    t = tracker(text="The nurse gave my dad the wrong tablets", channel="twilio_voice", sender=CALL_1)
    slots, d = validate(ValidateDescribeForm(), "description", "The nurse gave my dad the wrong tablets", t)
    code = slots["resume_code"]
    assert backend.codes[code] == slots["record_id"]
    assert any(f"draft code: {spoken(code)}" in m for m in rendered(d, "speech"))  # read digit by digit


def test_an_sms_draft_gets_a_code_written_in_groups_of_four():
    backend = fake()
    t = tracker(text="The nurse gave my dad the wrong tablets", channel="twilio", sender="+447700900123")
    slots, d = validate(ValidateDescribeForm(), "description", "The nurse gave my dad the wrong tablets", t)
    code = slots["resume_code"]
    assert backend.codes[code] == slots["record_id"]
    grouped = f"{code[:4]} {code[4:8]} {code[8:]}"
    assert any(f"draft code is {grouped}." in m and len(m) <= 160 for m in rendered(d, "sms")), rendered(d, "sms")


def test_chat_channels_get_no_code():
    backend = fake()
    for channel in ("socketio", "rest"):
        t = tracker(text="The nurse gave my dad the wrong tablets", channel=channel)
        slots, d = validate(ValidateDescribeForm(), "description", "The nurse gave my dad the wrong tablets", t)
        assert "resume_code" not in slots and not any("code" in m for m in texts(d))
    assert not backend.codes


def test_a_code_in_a_new_call_carries_on_the_draft_with_a_new_code():
    backend = fake()
    first = tracker(channel="twilio_voice", sender=CALL_1)
    slots, _ = validate(ValidateDescribeForm(), "description", "The nurse gave my dad the wrong tablets", first)
    old_code, record_id = slots["resume_code"], slots["record_id"]

    second = tracker(text=old_code, channel="twilio_voice", sender=CALL_2)
    assert ("description", old_code) in [(e["name"], e["value"]) for e in start_from(second)]
    slots, d = validate(ValidateDescribeForm(), "description", old_code, second)
    assert slots["record_id"] == record_id and slots["description"] == "The nurse gave my dad the wrong tablets"
    assert slots["extraction_ok"] == "nothing"  # straight on to the first missing question
    assert backend.records[record_id]["owner"] == f"public:twilio_voice:{CALL_2}"
    assert slots["resume_code"] != old_code  # the old code is used up; this call has its own
    assert texts(d)[0] == "Found it. Let's carry on with your report."


def test_a_phoned_draft_carries_on_by_sms():
    backend = fake()
    slots, _ = validate(ValidateDescribeForm(), "description", "The nurse gave my dad the wrong tablets",
                        tracker(channel="twilio_voice", sender=CALL_1))
    sms = tracker(text=f"my code is {slots['resume_code']}", intent="resume_draft", channel="twilio", sender="+447700900123")
    events, d = run(ActionListDrafts(), sms)
    chosen = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert chosen["record_id"] == chosen["draft_choice"] == slots["record_id"]
    assert chosen["resume_code"] != slots["resume_code"]  # the old code is used up; the texter gets a new one
    assert backend.records[slots["record_id"]]["owner"] == "public:twilio:+447700900123"


def test_a_wrong_code_says_so_and_asks_for_the_description():
    fake()
    t = tracker(text="1234 5678 9012", channel="twilio_voice", sender=CALL_2)
    slots, d = validate(ValidateDescribeForm(), "description", "1234 5678 9012", t)
    assert slots == {"description": None}
    assert "can't find a saved report with that code" in texts(d)[0]


def test_staff_never_use_codes():
    backend = fake()
    t = tracker(slots={"account_id": "7"}, text="123456789012", channel="socketio")
    slots, _ = validate(ValidateDescribeForm(), "description", "123456789012", t)
    assert not any(name == "redeem_code" for name, _ in backend.calls)


def test_a_draft_taken_by_code_is_already_chosen_when_the_resume_form_starts():
    from actions.resume_form import ValidateResumeForm
    fake()
    t = tracker(slots={"record_id": "rec-9", "draft_choice": "rec-9"}, text="my code is 1000 0001", channel="twilio")
    slots, d = validate(ValidateResumeForm(), "draft_choice", "rec-9", t)
    assert slots == {"draft_choice": "rec-9"} and not texts(d)


def _earlier_session(record_id: str, channel: str, sender: str, text: str = "carry on") -> dict:
    """A conversation whose draft was made in a session that has since ended: a new session starts
    with no slots but those action_session_start carries over."""
    return tracker(text=text, intent="resume_draft", channel=channel, sender=sender)


def test_a_number_alone_never_reopens_a_public_draft_from_an_earlier_conversation():
    backend = fake()
    sender = "+447700900123"
    slots, _ = validate(ValidateDescribeForm(), "description", "The nurse gave my dad the wrong tablets",
                        tracker(channel="twilio", sender=sender))
    events, d = run(ActionListDrafts(), _earlier_session(slots["record_id"], "twilio", sender))
    assert not any(e.get("name") == "drafts" and e.get("value") for e in events)
    assert not any(e.get("name") == "record_id" and e.get("value") for e in events)
    assert "draft code" in texts(d)[0] and "wrong tablets" not in " ".join(texts(d))
    assert backend.records[slots["record_id"]]["answers"]["Description"]  # kept, only not shown

    # The code still opens it, from the same number or any other.
    events, d = run(ActionListDrafts(), _earlier_session(slots["record_id"], "twilio", sender,
                                                         text=f"my code is {slots['resume_code']}"))
    assert {e["name"]: e["value"] for e in events if e["event"] == "slot"}["record_id"] == slots["record_id"]


def test_in_the_live_conversation_carry_on_lists_its_own_draft():
    fake()
    sender = "+447700900123"
    slots, _ = validate(ValidateDescribeForm(), "description", "The nurse gave my dad the wrong tablets",
                        tracker(channel="twilio", sender=sender))
    # Stopped (record_id cleared), then "carry on" in the same conversation.
    t = tracker(slots={"session_drafts": slots["session_drafts"]}, text="carry on", intent="resume_draft",
                channel="twilio", sender=sender)
    events, _ = run(ActionListDrafts(), t)
    [listed] = [e["value"] for e in events if e.get("name") == "drafts"][-1]
    assert listed["id"] == slots["record_id"] and "wrong tablets" in listed["label"]


def test_a_new_session_carries_a_staff_draft_but_not_a_public_one():
    from actions.start import ActionSessionStart
    staff, d = run(ActionSessionStart(), tracker(slots={"record_id": "rec-9", "session_started_metadata": {"account_id": 7}}))
    assert {"event": "slot", "name": "record_id", "value": "rec-9", "timestamp": None} in staff and texts(d)
    public, d = run(ActionSessionStart(), tracker(slots={"record_id": "rec-9", "resume_code": "123456789012",
                                                         "session_started_metadata": {}}))
    assert not any(e.get("name") in ("record_id", "resume_code") and e.get("value") for e in public)
    assert texts(d) == []  # nothing says this number has a draft
