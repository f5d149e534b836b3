"""`careerstream eval chat --dialogues`: how a dialogue file is scored, per turn and per slot."""

from __future__ import annotations

from typing import Any

from careerstream.cli.chat import _oos_recall_in_conversation, _pooled, evaluate_dialogues


def test_a_wrong_slot_counts_against_its_turn_and_its_slot() -> None:
    empty: dict[str, Any] = {"target_career": None, "location": None, "skills": [], "course_ref": None}
    dialogue = {
        "name": "nurse in Leeds",
        "turns": [
            {
                "text": "I want to become a nurse in Leeds",
                "intent": "career_advice",
                "slots": {**empty, "target_career": "Nurse", "location": "leeds"},  # case-insensitive
            },
            {
                # The annotator expects York; the bot keeps Leeds: one wrong slot, one wrong turn.
                "text": "how much do they earn?",
                "intent": "salary_info",
                "slots": {**empty, "target_career": "nurse", "location": "York"},
            },
        ],
    }
    out = evaluate_dialogues([dialogue])
    assert (out["dialogues"], out["turns"]) == (1, 2)
    assert out["slot_accuracy"] == 0.5
    assert out["slot_accuracy_per_turn"] == [1.0, 0.0]
    assert out["slot_accuracy_by_slot"] == {
        "target_career": 1.0,
        "location": 0.5,
        "skills": 1.0,
        "course_ref": 1.0,
    }
    [failure] = [f for f in out["failures"] if f["slots"] != f["expected"]]
    assert failure["turn"] == 2 and failure["slots"]["location"] == "leeds"


def test_an_answer_to_another_request_is_counted() -> None:
    empty: dict[str, Any] = {"target_career": "nurse", "location": "Leeds", "skills": [], "course_ref": None}
    turn = {"text": "how much do nurses earn in Leeds?", "intent": "greeting", "slots": empty}
    out = evaluate_dialogues([{"name": "mislabelled on purpose", "turns": [turn]}])
    assert (out["clarified"], out["acted_on_wrong_intent"], out["dialogue_intent_accuracy"]) == (0, 1, 0.0)


def test_sets_pool_by_turns() -> None:
    small = {
        "turns": 1,
        "slot_accuracy": 0.0,
        "dialogue_intent_accuracy": 1.0,
        "clarified": 1,
        "acted_on_wrong_intent": 0,
    }
    large = {
        "turns": 3,
        "slot_accuracy": 1.0,
        "dialogue_intent_accuracy": 0.0,
        "clarified": 0,
        "acted_on_wrong_intent": 3,
    }
    assert _pooled([small, large]) == {
        "sets": 2,
        "turns": 4,
        "slot_accuracy": 0.75,
        "dialogue_intent_accuracy": 0.25,
        "clarified_share": 0.25,
        "acted_on_wrong_intent_share": 0.75,
    }


def test_out_of_scope_recall_in_conversation_counts_what_the_bot_acts_on() -> None:
    # An everyday request stays out of scope; a career question is acted on as one, so it counts against.
    assert _oos_recall_in_conversation(["what's the weather like in Paris this weekend"]) == 1.0
    assert _oos_recall_in_conversation(["I want to become a nurse in Leeds, what do nurses earn?"]) == 0.0
    assert _oos_recall_in_conversation([]) == 0.0
