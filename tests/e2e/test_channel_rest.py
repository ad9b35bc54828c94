"""The REST channel refuses what it cannot authenticate: no or wrong bearer token, no sender,
a forged staff token; nothing of it reaches the assistant or the backend."""

from tests.e2e.system import http


def _post(system, body, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return http("POST", system.webhook, body, headers)


def test_bearer_token_and_sender_are_required(system):
    hello = {"sender": "rest-auth-check", "message": "hello"}
    assert _post(system, hello)[0] == 401
    assert _post(system, hello, "not-the-token")[0] == 401
    assert _post(system, {"message": "hello"}, system.rest_token)[0] == 422
    assert _post(system, {"sender": "", "message": "hello"}, system.rest_token)[0] == 422
    assert _post(system, {"sender": "x" * 129, "message": "hello"}, system.rest_token)[0] == 422
    assert _post(system, {"sender": "rest-auth-check", "message": 42}, system.rest_token)[0] == 422
    status, replies = _post(system, hello, system.rest_token)
    assert status == 200 and replies


def test_a_forged_staff_token_is_refused_and_nothing_is_recorded(system):
    status, body = _post(system, {"sender": "rest-forged", "message": "a patient fell on the ward today",
                                  "staff_token": "forged.jwt.value"}, system.rest_token)
    assert status == 401 and "staff token" in body["error"]
    assert system.api("/records?status=draft", "public:rest:rest-forged")["total"] == 0
