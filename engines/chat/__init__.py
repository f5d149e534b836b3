"""The career chatbot's engine: NLU (intents + entities), dialogue state and reply templates.

Pure library: imports only `engines.*` and third-party packages, reads only its own packaged data
(`engines/chat/data/`). The worker's effect (`streams/chat_effect.py`) runs the actions on the read
models and publishes the replies; the projection (`projections/chat_conversations.py`) keeps the state.
"""

from .dialogue import ConversationState, TurnPlan, plan_turn
from .nlu import INTENTS, IntentClassifier, IntentPrediction, default_classifier

__all__ = [
    "INTENTS",
    "ConversationState",
    "IntentClassifier",
    "IntentPrediction",
    "TurnPlan",
    "default_classifier",
    "plan_turn",
]
