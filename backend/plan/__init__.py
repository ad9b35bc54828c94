"""The question plan: what each event type asks, of whom, in what order, and what is mandatory."""

from backend.plan.answers import AnswerDoc
from backend.plan.model import Plan, Question, Step, get_plan

__all__ = ["AnswerDoc", "Plan", "Question", "Step", "get_plan"]
