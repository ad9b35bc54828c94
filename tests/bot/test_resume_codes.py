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


def test_other_channels_get_no_code():
    backend = fake()
    for channel in ("twilio", "socketio", "rest"):
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
    assert "resume_code" not in {k for k, v in chosen.items() if v}  # SMS keeps its number: no code needed
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
