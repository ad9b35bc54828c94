"""Which kinds of thing a whole message is about: a multi-label spaCy bag-of-words textcat (words and word
pairs) trained by the build on the labelled messages' InvolvedAgents, one probability per code.

The things named in a message (the entity ruler, the rules in involvement.py and the second opinion in
involved_model.py) stay the evidence. This reads the message as a whole, as a coder does, and corrects
them at both ends: a thing named is dropped when the message is plainly not about that kind of thing
(probability below DROP_BELOW), and a kind of thing the message is plainly about without naming it in a
listed word ("Pathways gave a GP disposition", "the kitchen sent the wrong diet") is added, with the
narrative as its evidence and low confidence, for the reporter to confirm (probability ADD_FROM or more).
Thresholds first chosen by 5-fold cross-validation on the training part (agents precision 0.886 -> 0.906,
recall 0.854 -> 0.851), then revised on batches 16 to 20 before they joined the training data, each
scored by a pipeline that had not seen it (pooled over their 947 messages, precision 0.905 -> 0.892 for
recall 0.812 -> 0.838, with the second opinion's veto at 0.2):
- a named thing is dropped only for the kinds this reading reads well (DROPS: devices, medicines, buildings,
  blood; dropping IT systems, estates services or blood products there was wrong more often than right);
- praise and poor outcomes rarely involve a thing (22% and 13% of the training messages, against 73% of
  incidents), so there a named thing of any kind must reach KEEP_IN_PRAISE;
- a kind of thing is added from the whole message only from ADD_FROM."""

from __future__ import annotations

import random
from typing import cast

from spacy.language import Language
from spacy.pipeline import TextCategorizer
from spacy.training import Example as SpacyExample
from spacy.util import fix_random_seed

from backend.narrative.devset import Labelled
from backend.narrative.training import fit_pipe

AGENTS_TEXTCAT = "agents_textcat"
DROP_BELOW = 0.02
DROPS = frozenset({"3", "4", "11", "13"})
KEEP_IN_PRAISE = 0.2  # good care and poor outcomes
SELDOM_INVOLVED = frozenset({"good_care", "poor_outcome"})
ADD_FROM = 0.8
EPOCHS, SEED = 12, 1  # minibatches and dropout as the event-type textcat's (training.fit_pipe)
MODEL = {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": False, "ngram_size": 2, "no_output_layer": False}


def add_agents_textcat(nlp: Language, items: list[Labelled]) -> None:
    """Add the textcat, with a label per InvolvedAgents code the labelled messages use, and train it."""
    textcat = cast(TextCategorizer, nlp.add_pipe("textcat_multilabel", name=AGENTS_TEXTCAT, config={"model": MODEL}))
    codes = sorted({c for item in items for c in item.agents}, key=int)
    for code in codes:
        textcat.add_label(code)
    fix_random_seed(SEED)
    data = [SpacyExample.from_dict(nlp.make_doc(item.text.lower()), {"cats": {c: float(c in item.agents) for c in codes}})
            for item in items]
    fit_pipe(nlp, AGENTS_TEXTCAT, data, random.Random(SEED), EPOCHS)


def about(nlp: Language, text: str) -> dict[str, float] | None:
    """Probability per InvolvedAgents code that the message is about that kind of thing (None: not built)."""
    if AGENTS_TEXTCAT not in nlp.pipe_names:
        return None
    return dict(nlp.get_pipe(AGENTS_TEXTCAT)(nlp.make_doc(text.lower())).cats)


def keep_from(code: str, event_type: str | None) -> float:
    """The probability a named thing of this kind needs, by this reading, to stay among the things involved."""
    if event_type in SELDOM_INVOLVED:
        return KEEP_IN_PRAISE
    return DROP_BELOW if code in DROPS else 0.0
