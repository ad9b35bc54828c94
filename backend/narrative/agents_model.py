"""Which kinds of thing a whole message is about: a multi-label spaCy bag-of-words textcat (words and word
pairs) trained by the build on the labelled messages' InvolvedAgents, one probability per code.

The things named in a message (the entity ruler, the rules in involvement.py and the second opinion in
involved_model.py) stay the evidence. This reads the message as a whole, as a coder does, and corrects
them at both ends: a thing named is dropped when the message is plainly not about that kind of thing
(probability below DROP_BELOW), and a kind of thing the message is plainly about without naming it in a
listed word ("Pathways gave a GP disposition", "the kitchen sent the wrong diet") is added, with the
narrative as its evidence and low confidence, for the reporter to confirm (probability ADD_FROM or more).
Thresholds chosen by 5-fold cross-validation on the training part (agents precision 0.886 -> 0.906 for
recall 0.854 -> 0.851, everything else as built)."""

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
DROP_BELOW = 0.05
ADD_FROM = 0.6
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

