"""What the assistant says outside the question plan, for staff and for the public (plain English)."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

BACKEND_DOWN = ("Sorry, I couldn't save that just now. Everything you've already told me is kept. "
                "Please send your last message again in a moment.")
MORE_DETAIL = {
    "staff": "Could you say a little more about what happened?",
    "public": "Could you tell me a bit more about what happened?",
}
# By audience: (staff, public). Plain English for the public (reading age 9 to 11).
ASK_DESCRIPTION = ("What happened? One message is fine: when, where, what was involved and any harm.",
                   "Tell me what happened, in your own words. Please don't include names or NHS numbers.")
DANGER = ("If someone is in danger now, call 999 straight away. For urgent medical advice, call 111. "
          "I'll keep what you've told me so far.",) * 2
HUMAN = ("Your organisation's patient safety specialist or risk management team can help. Your draft is saved, "
         "so you can carry on here later.",
         "To talk to someone about your care, contact the service's Patient Advice and Liaison Service (PALS), "
         "or ask the service how to make a complaint. For urgent medical help, call 111. "
         "You can carry on here whenever you like.")
OUT_OF_SCOPE = ("Sorry, I can only help record patient safety events.",
                "Sorry, I can only help you tell us about care. For appointments or prescriptions, "
                "please contact the service directly.")
ABUSE = ("I'm here to help you record what happened. Let's keep going when you're ready.",) * 2
KIND_WORDS = {"nhs_number": "an NHS number", "phone_number": "a phone number", "email": "an email address",
              "postcode": "a postcode", "date_of_birth": "a date of birth"}


def rejected(detail: Any) -> str:
    """The backend's own reason for refusing an answer, in one sentence."""
    if isinstance(detail, dict) and detail.get("errors"):
        err = detail["errors"][0]
        return f"Sorry, that answer wasn't accepted: it {err['message']}."
    return "Sorry, that answer wasn't accepted."


def warn_identifiers(dispatcher: CollectingDispatcher, found: list[dict[str, Any]], audience: str) -> None:
    if not found:
        return
    kinds = sorted({KIND_WORDS.get(f["kind"], f["kind"]) for f in found})
    what = " and ".join(kinds)
    if audience == "public":
        dispatcher.utter_message(text=f"To keep people's details private, I removed {what} from what you wrote. "
                                      "Please don't include details like that.")
    else:
        dispatcher.utter_message(text=f"I removed {what} from the record: patient identifiers must not be "
                                      "included in the narrative.")


def stopped(audience: str) -> str:
    if audience == "public":
        return "OK, I've stopped. What you told me is saved. To carry on later, message me and say 'carry on'."
    return "Stopped. Your draft is saved: say 'resume my draft' to carry on, or finish it on the web form."
