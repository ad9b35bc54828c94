"""End to end: questions asked together (the plan's groups, issue 14). The harm in body and in mind is
one question; one reply answers both, and a part it leaves unclear is asked on its own."""

from __future__ import annotations

from tests.e2e.reporter import tally
from tests.e2e.test_reports import report


def test_one_reply_answers_both_harms_and_the_unclear_part_is_asked_alone(public):
    # The story says the fall, not how bad: the harm is asked, as one question.
    record = report(public, "My mum fell over in the lounge of her care home yesterday afternoon", {
        "EventType": "1", "ServiceArea": "Care home", "LocationWithinService": "Care home",
        "InvolvedAgents": "None of these", "ReporterType": "2",
        "PhysicalHarm:1": "some bruising, she was upset",  # the group's question: body clear, mind not
        "PsychologicalHarm:1": "quite a lot",  # then asked alone
    })
    said = [(text, public.text(replies)) for text, replies in public.transcript]
    group = [answer for text, answer in said if "How badly were you, or the person, hurt or upset?" in answer]
    assert group and "like 'a little hurt, not upset'" in group[0], said
    after = next(answer for text, answer in said if text == "some bruising, she was upset")
    assert "I've noted: A little (low harm)." in after and "How much has it upset or worried you" in after, after
    assert record["answers"]["patients"][0]["PhysicalHarm"] == "4"  # bruising: low
    assert record["answers"]["patients"][0]["PsychologicalHarm"] == "2"  # quite a lot, said when asked alone
    tally("public incident, harm in one reply (part asked again)", "REST", public)


def test_no_harm_answers_both_in_one_turn(public):
    record = report(public, "The care home gave my dad his evening tablets two hours late yesterday", {
        "EventType": "1", "ServiceArea": "Care home", "LocationWithinService": "Care home", "ReporterType": "2",
        "InvolvedAgents": "Medicines", "PhysicalHarm:1": "Not hurt or upset",
    })
    said = " ".join(public.text(replies) for _, replies in public.transcript)
    assert "How much has it upset or worried you" not in said  # not asked on its own
    assert record["answers"]["patients"][0] == {"PhysicalHarm": "5", "PsychologicalHarm": "4"}
    tally("public incident, no harm in one reply", "REST", public)
