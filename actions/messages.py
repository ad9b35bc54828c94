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
        dispatcher.utter_message(text=f"I took {what} out of what you wrote, so that nobody can be identified "
                                      "from the report. Everything else is saved. Please don't include details like that.")
    else:
        dispatcher.utter_message(text=f"I took {what} out of what you wrote and saved the rest: a report must not "
                                      "identify the patient.")


# A public draft from an earlier conversation opens only with its code (actions/resume_form.py).
ASK_FOR_CODE = ("To carry on with a report you saved before, send me its draft code. "
                "Or tell me what happened and we'll start a new one.")


def stopped(audience: str) -> str:
    if audience == "public":
        return "OK, I've stopped. What you told me is saved. To carry on, say 'carry on' or send your draft code."
    return "Stopped. Your draft is saved: say 'resume my draft' to carry on, or finish it on the web form."


# Deleting a draft: asked first, undoable for a while (actions/delete.py). (staff, public)
UNDO_MINUTES = 30
ASK_DELETE = ("Delete this draft? It will not be sent, and it is removed from your drafts. "
              "Reply 'yes, delete it' to delete it, or 'no' to keep it.",
              "Do you want me to delete this report? It will not be sent. "
              "Reply 'yes, delete it' to delete it, or 'no' to keep it.")
DELETED = (f"Draft deleted. If that was a mistake, say 'undo' in the next {UNDO_MINUTES} minutes.",
           f"OK, I've deleted it. If that was a mistake, say 'undo' in the next {UNDO_MINUTES} minutes.")
KEPT = ("Kept: nothing was deleted.", "OK, I've kept it. Nothing was deleted.")
NOTHING_TO_DELETE = ("There's no draft open to delete.", "There's no report open to delete.")
NOT_DELETED_SUBMIT = ("Nothing deleted. A few more questions first, then it can be submitted.",
                      "I haven't deleted anything. I need a few more answers, then I can send it.")
RESTORED = ("Your draft is back, with everything in it.", "Your report is back, with everything you told me.")
NOTHING_TO_UNDO = ("There's nothing to undo.", "There's nothing to undo.")
UNDO_TOO_LATE = ("Sorry, it was deleted too long ago to bring back.", "Sorry, it was deleted too long ago to bring back.")

# Replies that are not answers (actions/report_form.py).
ADDED_TO_DESCRIPTION = ("Added to the description.", "Thank you, I've added that to what happened.")
NOT_UNDERSTOOD = ("Sorry, I didn't understand that answer.", "Sorry, I didn't understand that.")
APPROXIMATE = ("Saved as about {label}.", "I've put about {label}.")
ALSO_SAVED = ("Also saved: {items}.", "I've also noted: {items}.")
PROGRESS = ("Sorry it's taking a while: about {n} more question{s}, then you can check and submit.",
            "Sorry it's taking a while. There are about {n} more question{s}, then you can check it and send it.")
PROGRESS_DONE = ("Nothing more to answer: check the answers and submit.", "That's everything: please check it and send it.")

# Corrections (actions/digressions.py): said only after the backend stored the change.
CHANGED = ("Changed {label}: from {old} to {new}.", "Thanks, I've changed {label} from {old} to {new}.")
CHANGED_NEW = ("Changed {label} to {new}.", "Thanks, I've changed {label} to {new}.")
UNCHANGED = ("{label} is already {new}: nothing changed.", "{label} is already {new}, so I haven't changed anything.")
ASK_WHICH = ("Which answer should I change? For example 'change the time to 23:00' or 'change the harm to low'.",
             "What would you like to change? For example 'the date was Tuesday' or 'change the harm to a little'.")
ASK_NEW_VALUE = ("What should {label} be? Tell me the new answer.", "What should {label} say? Tell me in your own words.")
ASK_DESCRIPTION_ADD = ("What should the description say? I'll add what you write to it.",
                       "What's missing from what happened? I'll add what you write to it.")

# The first recap (actions/confirm_form.py).
WHICH_PART = ("Which part is wrong? Tell me what it should be (for example 'the time was 4pm'), "
              "or say 'none of it' and I'll ask each question.",
              "Which part is wrong? Tell me what it should be, for example 'it did not go well' or 'it was on Tuesday'. "
              "Or say 'none of it' and I'll ask you instead.")
ASK_INSTEAD = ("OK, I'll ask instead.", "No problem, I'll ask you instead.")

# A greeting or a request to report is not yet what happened (actions/describe_form.py).
OPENING_KEPT = ("Please tell me what happened: when, where, and any harm.",
                "Thank you. Please tell me what happened, in your own words. Please don't include names or NHS numbers.")
HOW_TO_STOP = ("To stop for now, say 'stop'. Your draft is kept.", "To stop for now, say 'stop'. What you've told me is kept.")
HOW_TO_DELETE = ("To delete this draft, say 'delete my draft'.", "To delete this report, say 'delete my report'.")
NOT_READY = ("A few more questions first, then you can check and submit.",
             "I need a few more answers first, then you can check it and send it.")
KEPT_AS_WRITTEN = ("That name isn't in the list, so I've kept it as you wrote it: {name}.",
                   "I couldn't find that in my list, so I've kept the name as you wrote it: {name}.")
