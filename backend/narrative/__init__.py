"""Narrative analysis: suggested answers, with evidence, from a reporter's free-text description.

The pipeline (spaCy, built from data/ by `python -m backend.narrative.build`) finds phrases from the
lexicon and the taxonomy's labels and classifies the event type; dates, times and organisations are
resolved beside it. Entry points: `analyse.analyse` and `store.get_model`. Nothing heavy is imported
here, so the app starts without loading spaCy.
"""
