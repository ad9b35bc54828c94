"""A web form page saved after the same draft changed elsewhere (issue 6): the assistant (service token and
X-Act-As, as the action server calls) answers while the page is open. The same question changed: nothing saved,
the page again with the current answer and a message. Another question changed: saved, no false conflict."""

from __future__ import annotations

import re

from tests.backend.reporting import API, answer
from tests.backend.test_concurrent_edits import as_assistant
from tests.backend.test_web_form import start
from tests.backend.web_client import csrf, post, sign_in

MESSAGE = "This answer was changed in another window or by the assistant while you were on this page."


def hidden(page: str) -> dict[str, str]:
    """What a browser sends back with the page: its CSRF token and the state it was rendered from."""
    found = dict(re.findall(r'<input type="hidden" name="(revision|seen)" value="([^"]*)"', page))
    assert set(found) == {"revision", "seen"}, "the page carries no revision"
    return {**found, "csrf_token": csrf(page)}


def submit(client, url: str, page: str, **data):
    return client.post(url, data={**hidden(page), **data}, follow_redirects=False)


def stored(client, people, record_id: str) -> dict:
    return client.get(f"{API}/records/{record_id}", headers=people.headers("std_a")).json()


def test_the_same_answer_changed_by_the_assistant_is_a_conflict_shown_on_the_page(client, people):
    token = sign_in(client, "std_a")
    record_id, url = start(client, token)
    post(client, url, token, value="First words, typed on the web form.", action="continue")
    page = client.get(url).text  # the reporter opens the page again to change it ...
    assert 'name="revision"' in page
    r = answer(client, as_assistant(people, "std_a"), record_id, {"field": "Description", "value": "Said in the chat."})
    assert r.status_code == 200  # ... and meanwhile tells the assistant something else
    before = stored(client, people, record_id)
    r = submit(client, url, page, value="Typed on the stale page.", action="continue")
    assert r.status_code == 409 and r.text.count("<title>Error: ") == 1
    assert "nhsuk-error-summary" in r.text and MESSAGE in r.text and 'href="#value"' in r.text
    assert ">Said in the chat.</textarea>" in r.text  # the current answer, not what was typed
    assert stored(client, people, record_id) == before  # nothing saved
    # Saving again from the conflict page is deliberate: it carries the current state, so it is saved.
    r = submit(client, url, r.text, value="Typed again, having checked.", action="continue")
    assert r.status_code == 303
    assert stored(client, people, record_id)["answers"]["fields"]["Description"] == "Typed again, having checked."


def test_a_change_to_another_question_does_not_block_the_page(client, people):
    token = sign_in(client, "std_a")
    record_id, url = start(client, token)
    page = client.get(url).text
    r = answer(client, as_assistant(people, "std_a"), record_id, {"field": "IncidentOccurredToday", "value": "y"})
    assert r.status_code == 200
    r = submit(client, url, page, value="Typed while the chat answered another question.", action="continue")
    assert r.status_code == 303, r.text
    fields = stored(client, people, record_id)["answers"]["fields"]
    assert fields["Description"].startswith("Typed while") and fields["IncidentOccurredToday"] == "y"


def test_a_choice_or_a_skip_on_a_stale_page_is_a_conflict_too(client, people):
    token = sign_in(client, "std_a")
    record_id, _ = start(client, token)
    chat = as_assistant(people, "std_a")
    answer(client, chat, record_id, {"field": "Description", "value": "Fall on the ward."})
    url = f"/records/{record_id}/questions/IncidentOccurredToday"
    page = client.get(url).text
    answer(client, chat, record_id, {"field": "IncidentOccurredToday", "value": "y"})
    r = submit(client, url, page, value="n", action="continue")
    assert r.status_code == 409 and MESSAGE in r.text
    assert re.search(r'name="value" type="radio" value="y" checked', r.text)  # the assistant's answer shown
    assert stored(client, people, record_id)["answers"]["fields"]["IncidentOccurredToday"] == "y"
    url = f"/records/{record_id}/questions/LevelOfConcern"
    page = client.get(url).text
    answer(client, chat, record_id, {"field": "LevelOfConcern", "value": "3"})
    r = submit(client, url, page, action="skip")
    assert r.status_code == 409 and MESSAGE in r.text
    assert stored(client, people, record_id)["answers"]["fields"]["LevelOfConcern"] == "3"


def test_a_page_shown_again_for_a_mistake_still_knows_what_it_was_rendered_from(client, people):
    token = sign_in(client, "std_a")
    record_id, url = start(client, token)
    page = client.get(url).text
    answer(client, as_assistant(people, "std_a"), record_id, {"field": "Description", "value": "Said in the chat."})
    mistake = submit(client, url, page, value="", action="continue")  # nothing typed: the usual error
    assert mistake.status_code == 400 and hidden(mistake.text)["revision"] == hidden(page)["revision"]
    r = submit(client, url, mistake.text, value="Typed after the mistake.", action="continue")
    assert r.status_code == 409 and MESSAGE in r.text


def test_a_page_without_the_hidden_fields_is_saved_as_before(client, people):
    token = sign_in(client, "std_a")  # e.g. rendered before this rule existed: the later change wins
    record_id, url = start(client, token)
    answer(client, as_assistant(people, "std_a"), record_id, {"field": "Description", "value": "Said in the chat."})
    r = post(client, url, token, value="Typed on an old page.", action="continue")
    assert r.status_code == 303
    assert stored(client, people, record_id)["answers"]["fields"]["Description"] == "Typed on an old page."
