"""The narrative rules one by one: UK dates and the night-shift rule, harm with negation and
hypotheticals, agents named by product, role or item, several agents in one message, patient counts.

Dates, harm and counts are plain functions; agents go through the entity ruler built from the real
lexicon and taxonomy (no classifier: these tests need no training). All narratives are fictional.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
import spacy

from backend.narrative.challenges import find_challenges
from backend.narrative.cues import classifier_text
from backend.narrative.dates import find_date, find_time
from backend.narrative.extract import suggestions
from backend.narrative.harm import find_harm, find_psychological_harm
from backend.narrative.harm_model import CLASSES as HARM_CLASSES
from backend.narrative.harm_model import HarmModel, read_harm
from backend.narrative.harm_model import fit as fit_harm
from backend.narrative.involved_model import fit
from backend.narrative.lexicon import WEAK, load_lexicon
from backend.narrative.medicine_problem import find_medicine_problem
from backend.narrative.patients import find_patient_count
from backend.narrative.patterns import add_entity_ruler
from backend.narrative.units import find_unit

THURSDAY = datetime(2026, 3, 19, 10, 0)  # London time, as analyse passes it


def day(text: str, now: datetime = THURSDAY) -> date | None:
    found = find_date(text, now, [])
    return found.value if found else None


# --- dates -------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("pt fell on 3/11", date(2025, 11, 3)),  # day first; no year: the most recent 3 November
    ("3/3 at approx 1500 hrs a pressure sore was found", date(2026, 3, 3)),
    ("seen for an eye test on 14/1", date(2026, 1, 14)),
    ("on 20/3 the pump failed", date(2025, 3, 20)),  # 20 March this year is tomorrow
    ("dad died on wednesday 4th march", date(2026, 3, 4)),  # the date, not the weekday alone
    ("it happened on Friday", date(2026, 3, 13)),
    ("last Tuesday on the ward", date(2026, 3, 17)),
    ("this morning the carer gave her tablets twice", date(2026, 3, 19)),
    ("at 04:10 today the infusion pump was found off", date(2026, 3, 19)),
    ("two days ago", date(2026, 3, 17)),
])
def test_uk_dates(text, expected) -> None:
    assert day(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("last night the insulin pump ran out", date(2026, 3, 18)),  # the night began yesterday
    ("overnight the pressure mattress pump failed", date(2026, 3, 18)),
    ("on Saturday nights there is only one nurse", date(2026, 3, 14)),
    ("Friday night shift: at 02:30 pt found with line disconnected", date(2026, 3, 14)),  # Friday 13th's night
    ("Colleague on the night shift 14/15 March noticed the patch", date(2026, 3, 14)),
    ("last night at 3am the patient fell", date(2026, 3, 19)),  # small hours: the next calendar day
    ("found on the floor at 0340, unwitnessed", date(2026, 3, 19)),  # a small-hours time alone: today's
    ("paracetamol given at 1400 and again at 1600, first dose not signed", None),  # a daytime time alone: any day
    ("gave the resident's 8am meds to the lady next door", None),
    ("in the early hours pt pulled out the NG tube", date(2026, 3, 19)),
    ("in the early hours of Sunday", date(2026, 3, 15)),
    ("Sat/Sun night the pump failed", date(2026, 3, 14)),  # a night named by its pair of days
    ("Night shift Tue into Wed, pt found on the floor at 0300", date(2026, 3, 18)),
    ("Night shift Tue into Wed, pt found on the floor at 2300", date(2026, 3, 17)),
    # a night named by its date
    ("deteriorated overnight on the 11th, NEWS 2 to 7 between 0200 and 0600", date(2026, 3, 12)),
    ("CTG not reviewed overnight 10/11 Mar, decels from 0300", date(2026, 3, 11)),
    ("thanks to the midwives on the night of the 9th", date(2026, 3, 9)),
])
def test_nights_are_dated_by_the_rule(text, expected) -> None:
    assert day(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("it was on Monday, no sorry, Tuesday, and the GP never looked", date(2026, 3, 17)),
    ("given on the 3rd, I mean on the 4th", date(2026, 3, 4)),
    ("transferred from another prison on 9th with no meds", date(2026, 3, 9)),  # "on 9th", no "the"
    ("tried to ligate on the second night in ED", None),  # an ordinal before a noun is not a day of the month
    ("on the third day she was sent home", None),
])
def test_corrections_and_ordinals(text, expected) -> None:
    assert day(text) == expected


def test_a_small_hours_time_still_to_come_is_last_night() -> None:
    assert day("found on the floor at 0340", datetime(2026, 3, 19, 2, 0)) == date(2026, 3, 18)


def test_the_first_date_is_the_event_not_a_later_one() -> None:
    text = "they sent my son home from A and E on friday night with a sprain, he needed an operation on monday"
    assert day(text) == date(2026, 3, 13)
    assert day("admitted on 2/3, fell on the ward yesterday") == date(2026, 3, 18)


@pytest.mark.parametrize(("text", "expected"), [
    # a date after "by" or "until" bounds how long it went on: the event is the other date
    ("missed doses for a pt admitted on Sunday night, unable to swallow by Monday", date(2026, 3, 15)),
    ("my brother passed away on sunday and nobody rang us until monday afternoon", date(2026, 3, 15)),
    ("Pt admitted Sunday night with chest pain, discharged by Tuesday without review", date(2026, 3, 15)),
    ("the letter was sent on 2/3 and not acted on until 16/3", date(2026, 3, 2)),
])
def test_two_dates_the_bound_is_not_the_event(text, expected) -> None:
    assert day(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # the day it was found is not the day it happened
    ("wrong dose given on Monday, picked up today by the pharmacist", date(2026, 3, 16)),
    ("results letter filed without action in February, picked up today at review", None),  # not determinable
    ("no it happened in february, we only found it today", None),
    ("noticed today that the vaccine fridge was at 14C", date(2026, 3, 19)),  # nothing earlier: found today
])
def test_the_day_it_was_found_is_not_the_event(text, expected) -> None:
    assert day(text) == expected


def test_todays_weekday_with_a_part_of_day_that_has_begun_is_today() -> None:
    assert day("fridge found at 14C on Thursday morning") == date(2026, 3, 19)
    assert day("it happened on Thursday evening") == date(2026, 3, 12)  # this evening has not come yet
    assert day("it happened on Tuesday afternoon") == date(2026, 3, 17)


def test_abbreviated_weekday_nights() -> None:
    assert day("phone line unanswered on Sat night") == date(2026, 3, 14)
    assert day("the pump failed on Tues night") == date(2026, 3, 17)
    assert day("Fri night at 0230 the pump alarmed") == date(2026, 3, 14)  # the night-shift rule
    assert find_time("on the floor since 0600", []).value == "06:00"


@pytest.mark.parametrize("text", [
    "fell on 3/4/2026", "on 25/12", "last week", "three weeks ago", "in 2011 on 3/11/2011", "pain score 10/10",
])
def test_no_future_far_past_or_vague_dates(text) -> None:
    found = day(text)
    assert found is None or date(2023, 3, 19) <= found <= THURSDAY.date()
    if text in ("last week", "three weeks ago", "fell on 3/4/2026", "in 2011 on 3/11/2011"):
        assert found is None


@pytest.mark.parametrize(("text", "expected"), [
    ("fell at home on Sat, CT delayed", date(2026, 3, 14)),  # a weekday as texted, after "on"
    ("on thurs the pump failed", date(2026, 3, 12)),  # dateparser does not know "thurs"
    ("she took someone elses tablet yday", date(2026, 3, 18)),
    ("had a fall sat nite and nobody rang", date(2026, 3, 14)),
    ("resident died overnight on Tuesday", date(2026, 3, 17)),  # that weekday's night, not last night
    ("Monday overnight the pump alarmed", date(2026, 3, 16)),
    ("no working thermometer on the ward tonight", date(2026, 3, 19)),
    ("insulin given twice this lunchtime", date(2026, 3, 19)),
    ("smear taken on the 2nd april and lost", date(2025, 4, 2)),  # the month is read, not only the 2nd
    ("she had her tonsils out on, er, the 5th, and bled", date(2026, 3, 5)),  # fillers in transcribed speech
    ("fell at 2210 Sat on her way to the toilet", date(2026, 3, 14)),  # a texted day after a clock time
    ("INR clinic Fri - warfarin dose wrong on the repeat", date(2026, 3, 13)),  # capitalised shorthand
    ("2 doses given Sat and Sun before pharmacy spotted it", date(2026, 3, 14)),
    ("the district nurse came out on christmas day", date(2025, 12, 25)),  # never a date still to come
])
def test_dates_as_people_text_them(text, expected) -> None:
    assert day(text) == expected


@pytest.mark.parametrize("text", [
    "He sat in reception for 3 hours", "Sat in the waiting room all afternoon", "the Sun ward is closed",
])
def test_sat_and_sun_as_words_are_not_days(text) -> None:
    assert day(text) is None


def test_a_bare_24_hour_time_after_a_heading_or_an_arrival() -> None:
    assert find_time("Neonatal unit, 0540: long line tissued", []).value == "05:40"
    assert find_time("waited on the floor. We arrived 0120. Conveyed", []).value == "01:20"
    assert find_time("Audit, 2026: figures for the year", []) is None  # a year is not a time


def test_times_with_a_dot_and_24_hour_times() -> None:
    assert find_time("the computers went down at 9.30 this morning", []).value == "09:30"
    assert find_time("given at 17:30", []).value == "17:30"
    assert find_time("given 2100 and again 0200", []).value == "02:00"  # a bare 2100 could be a dose


def test_a_dotted_time_after_about_keeps_its_pm() -> None:
    # "about 4.30pm" was read by the "about HH.MM" pattern, which starts earlier, as 04:30.
    for said in ("about 4.30pm", "at 4.30 pm", "around 4.30 p.m."):
        assert find_time(said, []).value == "16:30", said
    assert find_time("about 16.30", []).value == "16:30"



# --- harm --------------------------------------------------------------------


@pytest.mark.parametrize(("text", "harm"), [
    ("he passed away on the ward", "1"),
    ("she died two days later", "1"),
    ("she broke her wrist", "2"),
    ("lost sight in one eye", "2"),
    ("needed adrenaline and was observed", "3"),
    ("admitted to ICU", "3"),
    ("return to theatre for a bleed", "3"),
    ("mild reaction, treated", "4"),
    ("given glucose and recovered", "4"),
    ("no harm done", "5"),
    ("no injury found", "5"),
    ("INR high, no bleeding", "5"),
    ("nothing came of it", "5"),
    ("she lost her hearing aid on the ward, no harm", "5"),  # the aid, not her hearing
    ("spotted at the second check, not given", "5"),
    # outcomes as staff write them
    ("hypo 1.9 overnight, glucagon given, ok now", "4"),
    ("laceration to the eyebrow glued", "4"),
    ("BP 78/40 after a double dose, fluids given", "4"),
    ("NEWS not escalated, septic shock, went to ITU", "3"),
    ("guidewire found on CXR the next day, removed by IR", "3"),
    ("bowel perforation, repaired same day", "3"),
    ("aspiration pneumonia diagnosed, now on IV antibiotics", "3"),
    ("referral not sent, now has significant field loss", "2"),
    ("now ive lost some of my sight in my left eye", "2"),
    ("took his own life a week after discharge", "1"),
    # reassurance as staff write it
    ("swab found in the bin, xray clear", "5"),
    ("pharmacist queried it before it was dispensed", "5"),
    ("op went ahead on the right side, no lasting harm", "5"),
])
def test_harm_as_stated(text, harm) -> None:
    assert find_harm(text, []).value == harm


@pytest.mark.parametrize("text", [
    "the wrong dose could have died from it",
    "he could have died",
    "she nearly lost her sight",
    "there is a risk of death if this continues",
    "it did not need surgery",
    "nobody was admitted",
    "the syringe driver battery had died overnight",  # a battery, not a person
    "wrong blood nearly transfused, could have killed the patient",
    "nobody knows if he will be admitted",
    "she was in hospital last year for a hip op",  # background, not what followed
    "he passed out in the waiting room", "she passed on the message to the GP",  # not a death
    "needs a new operation date",
])
def test_hypothetical_or_negated_harm_does_not_count(text) -> None:
    found = find_harm(text, [])
    assert found is None or found.value == "5"


@pytest.mark.parametrize(("text", "harm"), [
    ("he choked a bit but was ok", "5"),
    ("customer slipped but wasnt hurt", "5"),
    ("they said she'll be fine and she's been fine", "5"),
    ("scan done on the wrong pt, no contrast given", "5"),
    ("luckily his sugar was ok", "5"),
    ("transferred to labour ward and delivered safely", "5"),
    ("hes in intensive care now", "3"),
    ("fell a week later and broke the other hip", "3"),
    ("developed a PE 10 days after the op", "3"),
    # a cue that begins a clause at a comma is read in its own clause, not negated by the one before
    ("not weighed since December, now admitted with malnutrition", "3"),
    ("superficial cuts, steristrips applied", "4"),
    # no harm said by what did not happen, or plainly at the start of a clause
    ("artery forcep found within the drapes. Patient unaffected.", "5"),
    ("the box looked different so she hadn't taken any", "5"),
    ("wrong strength picked, caught at the accuracy check", "5"),
    ("the nurse gave him the wrong vaccine, hes ok but im worried", "5"),
    ("unplanned home birth of twins, both babies well", "5"),
    ("Rigid and unable to swallow. Admission arranged.", "3"),
    ("he rolled off the trolley and has broken his hip", "3"),
    ("he collapsed yesterday and hes in hospital with a clot on his lung", "3"),
    ("missed 3 doses, DKA, sent out to hospital", "3"),
    ("head to toe done, no obvious injury", "5"),
    ("back blows by staff cleared it, fine afterwards", "5"),
    ("none have come to harm that we know of", "5"),
    # reassurance as staff and families put it, and what did not follow
    ("K+ 6.8 not acted on for 5 hours, ECG done, pt stable", "5"),
    ("stuck in the lift 35 mins, patient anxious but otherwise ok", "5"),
    ("missed 4 days of his insulin, BMs in the 20s, no DKA", "5"),
    ("went 5 days without her rivaroxaban. No clot.", "5"),
    ("methadone doses missed until the afternoon, no one went into withdrawal", "5"),
    ("the text said my results were normal, they weren't, Im ok but I'm angry", "5"),
    ("no patient harm, list delayed 2 hours", "5"),
    # outcomes said in other words
    ("chest pain, 111 took 40 mins, was a heart attack, he's had a stent", "3"),
    ("covid outbreak, 6 residents positive, 2 admitted", "3"),
    ("creatinine rose, AKI stage 2, nephrology input", "3"),
    ("blurred vision, needs a lens exchange operation", "3"),
    ("had a seizure on the 28th, transferred back", "3"),
    ("shes now had a dislocation twice", "3"),
    ("one patient lost further visual field", "2"),
    ("the nurses were wonderful with my wife when she passed on the 2nd", "1"),
    ("his bottom is red raw now", "4"),
    ("rolled down a slope and hit a wall, cuts to hands", "4"),
    ("no antibiotics in labour, baby observed for 24 hrs, well", "4"),
    ("methotrexate given daily, patient has mouth ulcers", "4"),
    ("informal pt did not return from leave, sadly found deceased yesterday", "1"),
    ("NEWS 6 not escalated, ECG showed STEMI, transferred to cath lab", "3"),
    ("ambulance took 5 hours, hes in the ccu", "3"),
    ("UR5 extracted instead of UR4, will need an implant", "3"),
    ("lung biopsy complicated by pneumothorax needing a chest drain", "3"),
    ("troponin was high, never chased, back in now on a ward", "3"),
    ("vaccine stock quarantined, none used", "5"),
    ("the site team coordinated the power cut well, not a single patient was harmed", "5"),
    ("ate half the sandwich, abdo pain and diarrhoea afterwards", "4"),
])
def test_harm_as_people_say_it(text, harm) -> None:
    assert find_harm(text, []).value == harm


def test_the_classifier_reads_harm_that_stands_as_a_cue() -> None:
    assert "__harmed" in classifier_text("fell on the ward and broke her hip").split()
    assert "__unharmed" in classifier_text("wrong dose given, no harm done").split()
    said = classifier_text("he could have died if nobody had noticed").split()
    assert "__harmed" not in said  # a hypothetical is not harm


def test_harm_that_happened_beats_a_reassurance() -> None:
    found = find_harm("he came out in a rash, they gave him antihistamine, he's ok now", [])
    assert found.value == "4" and found.spans[0][0].text == "rash"
    assert find_harm("could have died but it was a near miss", []).value == "5"


def test_a_negation_reaches_only_a_few_words_in_unpunctuated_text() -> None:
    assert find_harm("nobody had put a sign out on the wet floor she hurt her arm", []).value == "4"
    assert find_harm("did not need surgery", []) is None


def test_harm_words_inside_other_words_do_not_count() -> None:
    assert find_harm("the GP system crashed mid consultation", []) is None  # not "rash"
    assert find_harm("two patients collected each other's blister packs", []) is None


# --- agents --------------------------------------------------------------------


@pytest.fixture(scope="module")
def ruler():
    nlp = spacy.blank("en")
    add_entity_ruler(nlp, load_lexicon())
    return nlp


def agents(ruler, text: str) -> dict[str, list]:
    return {s.field: s.value for s in suggestions(ruler(text), [], [])}


@pytest.mark.parametrize("text", [
    "Abnormal result filed in EMIS as normal", "SystmOne task sat in an unassigned inbox",
    "the e-referral system rejected the referral", "the GP system crashed",
    "the hospital app lost my booking", "the rota system showed 3 nurses booked",
    "the pathology link is down", "results never came through from the lab system",
    "referral faxed to a number no longer in use", "booked for the wrong month in the PAS",
    "the bleep system failed", "the online consultation tool lets patients book with chest pain",
])
def test_it_systems_by_product_or_role(ruler, text) -> None:
    assert "9" in agents(ruler, text)["InvolvedAgents"]


@pytest.mark.parametrize(("text", "codes"), [
    ("Pt's IV abx given 4h late, 2 RNs for 28 pts", ["4"]),  # a treatment given late is what went wrong
    ("unit of RBC collected for the wrong pt, stopped at the bedside check", ["11"]),
    ("anti-D not given after delivery", ["4", "12"]),  # coders list the medicine and the blood product
    ("accidental extubation during proning, ETT tapes not secured", ["3"]),
    ("grommets put in in May, one has come out already", ["3"]),
    ("pulled out NG at 0140, replaced without an x-ray", ["3"]),
    ("they injected the dye and it went into my arm", ["4"]),
])
def test_things_said_in_shorthand(ruler, text, codes) -> None:
    assert agents(ruler, text)["InvolvedAgents"] == codes
    assert agents(ruler, "chest infection, IV antibiotics started").get("InvolvedAgents") is None  # treatment afterwards


@pytest.mark.parametrize("text", [
    "bloods were filed as normal on Qwerta by the duty doctor",  # a local system no list names
    "the Medifax screen froze during morning clinic and 12 referrals were lost",
    "hearing screen result entered as clear on ScreenLink but the baby had referred",
])
def test_an_it_system_nobody_listed_is_read_from_how_it_is_named(ruler, text) -> None:
    assert agents(ruler, text)["InvolvedAgents"] == ["9"]


@pytest.mark.parametrize("text", [
    "pt transferred on Friday to Oak ward without her notes",  # a day and a ward's name are not systems
    "discharge letter sent on Monday to the wrong GP",
    "Pt booked in March for a scan that never happened",
])
def test_days_months_and_places_after_on_are_not_it_systems(ruler, text) -> None:
    assert "9" not in agents(ruler, text).get("InvolvedAgents", [])


def test_the_second_opinion_only_takes_away_and_takes_the_medicine_with_it(ruler) -> None:
    text = "heparin ran at twice the rate, the volumetric pump was programmed wrong"
    assert agents(ruler, text) == {"InvolvedAgents": ["4", "3"], "DrugsInvolved": ["heparin"]}
    not_medicines = {s.field: s.value for s in suggestions(ruler(text), [], [], lambda ent, code, conf: code != "4")}
    assert not_medicines == {"InvolvedAgents": ["3"]}
    keeps_all = {s.field: s.value for s in suggestions(ruler(text), [], [], lambda ent, code, conf: True)}
    assert keeps_all == agents(ruler, text)


def test_reading_the_message_as_a_whole_drops_and_adds_kinds_of_thing(ruler) -> None:
    text = "heparin ran at twice the rate, the volumetric pump was programmed wrong"
    def read(about: dict[str, float]) -> dict[str, list]:
        return {s.field: s.value for s in suggestions(ruler(text), [], [], None, about)}
    assert read({"3": 0.9, "4": 0.9}) == {"InvolvedAgents": ["4", "3"], "DrugsInvolved": ["heparin"]}
    # not about medicines at all: the medicine and its name go; about IT too: added, the narrative its evidence
    assert read({"3": 0.9, "4": 0.01, "9": 0.8}) == {"InvolvedAgents": ["3", "9"]}
    [agents_read] = [s for s in suggestions(ruler(text), [], [], None, {"3": 0.9, "4": 0.9, "9": 0.8})
                     if s.field == "InvolvedAgents"]
    assert [span.text for span, code in agents_read.spans if code == "9"] == [text]


def test_the_whole_message_reading_drops_only_what_it_reads_well_and_more_in_praise(ruler) -> None:
    text = "the volumetric pump failed and EMIS crashed"
    def read(about: dict[str, float], event_type: str) -> list[str]:
        got = {s.field: s.value for s in suggestions(ruler(text), [], [], None, about, event_type)}
        return got.get("InvolvedAgents", [])
    unlikely = {"3": 0.01, "9": 0.01}
    assert read(unlikely, "incident") == ["9"]  # a device is dropped; an IT system named is kept
    assert read({"3": 0.1, "9": 0.9}, "incident") == ["3", "9"]
    assert read({"3": 0.1, "9": 0.9}, "good_care") == ["9"]  # praise: only what the message is plainly about


def test_the_second_opinion_learns_from_examples() -> None:
    broken = [(["bias", "after:failed", "code=3"], True)] * 20 + [(["bias", "before:given", "code=4"], False)] * 20
    model = fit(broken)
    assert model.probability(["bias", "after:failed", "code=3"]) > 0.9
    assert model.probability(["bias", "before:given", "code=4"]) < 0.1
    assert fit(broken).weights == model.weights  # a fixed seed: the same build twice


@pytest.mark.parametrize("text", [
    "guidewire not removed after the line", "she didn't wear gloves", "the defib failed to power on",
    "the vaccine fridge was at 14C", "lost her hearing aid on the ward",
    "the nebuliser machines had been taken", "the compressor keeps cutting out",
    "a tight plaster cast", "her compression bandages applied too tight", "the bed alarm failed to sound",
])
def test_devices_by_item(ruler, text) -> None:
    assert "3" in agents(ruler, text)["InvolvedAgents"]


@pytest.mark.parametrize(("text", "code"), [
    ("the handrail in the toilets is loose", "13"), ("the gate is always left open", "13"),
    ("the sluice floods every time it rains", "13"), ("she was given someone else's dinner", "14"),
    ("the floor was mopped and no sign put out", "14"),
    ("3 broken call bells in side rooms", "13"),  # built in: a building's, as the coders' guide reads them
    ("the intercom in the seclusion room has been broken for weeks", "13"),
    ("there's a loose floor tile by the x ray department", "13"),
    ("security took 20 minutes to arrive", "14"),
])
def test_buildings_and_estates(ruler, text, code) -> None:
    assert code in agents(ruler, text)["InvolvedAgents"]


@pytest.mark.parametrize(("text", "code"), [
    ("ICE sent the result to the wrong clinician", "9"), ("clinic list on RiO did not carry over", "9"),
    ("Badgernet did not flag the previous section", "9"), ("referral sat in an email inbox", "9"),
    ("the video laryngoscope screen went blank", "3"), ("no spare inner tube at the bedside", "3"),
    ("the carry chair tracks were broken", "3"), ("a unit of the wrong group was given", "11"),
])
def test_agents_by_product_and_item(ruler, text, code) -> None:
    assert code in agents(ruler, text)["InvolvedAgents"]


@pytest.mark.parametrize("text", [
    "pneumonia, treated with IV antibiotics", "readmitted for IV antibiotics",  # treating what happened
    "aspirated and now on iv antibiotics", "hypo, glucose given, back on the ward", "went to do her dressing",
    "PE despite enoxaparin and stockings", "atropine not needed",  # care as planned, or not needed
    "ulcer despite 2 hrly turns, air mattress and heel protectors", "call bells going unanswered, 1 nurse",
    "oozing from the cannula site",  # the setting or the site, nothing said wrong with it
    "care was in line with the plan", "thrombolysed within the window", "the carers lift her by the arms",
    "he took an overdose at home", "spotted it during a dressing change", "door to needle 18 minutes",
])
def test_words_used_for_something_else_are_not_agents(ruler, text) -> None:
    assert "InvolvedAgents" not in agents(ruler, text)


def test_a_thing_a_review_ruled_out_is_not_involved(ruler) -> None:
    text = "arrest on induction, review found no drug error and no equipment problem"
    assert "InvolvedAgents" not in agents(ruler, text)
    assert agents(ruler, "the drug error was found at the check")["InvolvedAgents"] == ["4"]


def test_a_route_is_not_a_device_unless_it_went_wrong(ruler) -> None:
    assert agents(ruler, "epirubicin extravasated via a peripheral cannula")["InvolvedAgents"] == ["4"]
    assert set(agents(ruler, "potassium ran through the pump and the pump didn't alarm")["InvolvedAgents"]) == {"4", "3"}
    assert agents(ruler, "call bells not working in the side rooms")["InvolvedAgents"] == ["13"]


def test_a_treatment_that_went_wrong_is_still_an_agent(ruler) -> None:
    assert "4" in agents(ruler, "3 pts missed their IV antibiotics")["InvolvedAgents"]
    assert "4" in agents(ruler, "the glucose was given to the wrong pt")["InvolvedAgents"]


def test_a_weak_second_agent_is_kept_but_not_a_part_of_another_thing(ruler) -> None:
    assert set(agents(ruler, "insulin still kept in the ward fridge at 14C")["InvolvedAgents"]) == {"4", "3"}
    # the door is the fridge's, not the building's; the vaccines in it are involved with it
    assert set(agents(ruler, "vaccine fridge door left ajar")["InvolvedAgents"]) == {"4", "3"}


def test_several_agents_in_one_message(ruler) -> None:
    got = agents(ruler, "heparin infusion through a faulty volumetric pump after the EPR went down, lift broken")
    assert set(got["InvolvedAgents"]) == {"4", "3", "9", "13"}
    assert got["DrugsInvolved"] == ["heparin"]


# --- patients ------------------------------------------------------------------


@pytest.mark.parametrize(("text", "count"), [
    ("two patients with the same surname", 2), ("3 residents have diarrhoea", 3), ("both babies to NNU", 2),
    ("Twins delivered by section", 2), ("2 other pts now positive", 3), ("a patient fell", None),
    ("gave 2 doses to the patient", None),
    ("3pm today on ward 7 pt given 10 units insulin", None), ("bay 3 patients were all moved", None),  # places
])
def test_patient_count(text, count) -> None:
    found = find_patient_count(text, [])
    assert (found.value if found else None) == count


@pytest.mark.parametrize("text, expected", [
    ("gave 10 units of insulin instead of 1", "1"),
    ("she was given 2.5mg rather than the prescribed 5mg", "2"),
    ("two tablets of co-codamol instead of one", None),  # amounts in words: not read
    ("5mg instead of 5mg", None),
    ("insulin was given instead of heparin", None),  # a wrong medicine, not a wrong amount
])
def test_a_stated_wrong_amount_is_too_much_or_too_little(text: str, expected: str | None) -> None:
    found = find_medicine_problem(text, [])
    assert (found.value if found else None) == expected


@pytest.mark.parametrize("text, expected", [
    ("needed glucose, fine now", "4"),
    ("had a fall but is back to normal", "4"),
    ("fine now but very upset about it", None),  # distress: the level is the reporter's to say
    ("she was anxious all night", None),
])
def test_well_again_with_no_distress_reads_as_no_psychological_harm(text: str, expected: str | None) -> None:
    found = find_psychological_harm(text, [])
    assert (found.value if found else None) == expected


@pytest.mark.parametrize("text, expected", [
    ("yesterday 3pm on ward 7 a patient got insulin", "ward 7"),
    ("found on the floor in Bay 3b overnight", "Bay 3b"),
    ("was brought into resus at 2am", "resus"),
    ("the ward was very busy", None),
    ("in the room a nurse said", None),
    ("pt in bay 4 on ward 12 had a fall", "bay 4 on ward 12"),  # places side by side narrow it down
    ("no, the ward is ward 12 bay 4", "ward 12 bay 4"),
    ("on ward 7 at 3pm, then moved to bay 2", "ward 7"),  # a later place is somewhere else
])
def test_the_ward_or_unit_is_kept_as_written(text: str, expected: str | None) -> None:
    found = find_unit(text, [])
    assert (found.value if found else None) == expected


@pytest.mark.parametrize("text, expected", [
    ("pt in bay 4 had a fall last night around 2am", ["2"]),
    ("found on floor by HCA at 3am", ["2"]),
    ("no falls overnight, obs stable", None),
    ("a fall in BP after the second dose", None),  # a fall in a measurement is not a fall
    ("new grade 2 pressure sore on sacrum found at handover", ["1"]),
    ("she self harmed on the unit with a broken cd", ["3"]),
    ("unwitnessed fall, and a pressure ulcer found on her heel", ["1", "2"]),
])
def test_the_safety_challenges_described_are_read(text: str, expected: list[str] | None) -> None:
    found = find_challenges(text, [])
    assert (found.value if found else None) == expected


@pytest.mark.parametrize("text, years", [
    ("my son is 6 and went to the walk in centre with a bad chest", 6),
    ("my mum is 78 and lives alone", 78),
    ("she is 6 foot tall and fell", None),  # a measure, not an age
    ("he was 2 hours late for his insulin", None),
    ("she is 40 weeks pregnant", None),
])
def test_an_age_said_as_someones_age(text: str, years: int | None) -> None:
    from backend.narrative.ages import find_age
    from backend.taxonomy import get_taxonomy
    found = find_age(text, [], get_taxonomy())
    assert (found.label if found else None) == (f"{years} years" if years else None)


# --- the learnt harm reading's decision (harm_model.read_harm), with weights set by hand ----------------

def _leaning(level: str, weight: float) -> HarmModel:
    """A model that reads every message as `level` with the given strength (bias weights only)."""
    return HarmModel({"bias": [weight if c == level else 0.0 for c in HARM_CLASSES]})


def test_a_confident_learnt_level_overrides_the_rules_with_their_cue_as_evidence() -> None:
    text = "given a rash, treated with antihistamines, had to go to ICU overnight"
    assert find_harm(text, []).value == "3"
    got = read_harm(text, [], _leaning("4", 5.0), "incident", "staff")
    assert got.value == "4" and all(code == "4" for _, code in got.spans)
    assert text[got.spans[0][0].start : got.spans[0][0].end] == got.spans[0][0].text


def test_an_unsure_or_silent_learnt_reading_leaves_the_rules_verdict() -> None:
    text = "fell and broke her hip"
    assert read_harm(text, [], _leaning("4", 0.5), "incident", "staff") == find_harm(text, [])  # p(low) < 0.5
    assert read_harm(text, [], _leaning("", 5.0), "incident", "staff") == find_harm(text, [])  # "not stated"
    assert read_harm(text, [], None, "incident", "staff") == find_harm(text, [])  # not built: the rules alone


def test_a_level_read_from_the_whole_message_has_it_as_evidence_at_low_confidence() -> None:
    text = "the ward phone was not answered for an hour"
    assert find_harm(text, []) is None
    got = read_harm(text, [], _leaning("4", 5.0), "incident", "staff")
    assert got.value == "4" and got.confidence == WEAK and got.spans[0][0].text == text
    # but "no harm" never replaces a stated harm without a cue of its own
    assert read_harm("fell and broke her hip", [], _leaning("5", 5.0), "incident", "staff").value == "3"


def test_the_learnt_harm_reading_fits_a_toy_set() -> None:
    data = [(["bias", "w:died"], "1"), (["bias", "w:fine"], "5"), (["bias", "w:phone"], "")] * 20
    model = fit_harm(data)
    probs = model.probabilities(["bias", "w:died"])
    assert max(probs, key=probs.__getitem__) == "1" and abs(sum(probs.values()) - 1) < 1e-9
    assert max(model.probabilities(["bias", "w:phone"]).items(), key=lambda kv: kv[1])[0] == ""
