"""Reply templates (the no-LLM path) and the pure parts of the actions: skills gap against an ESCO
career, careers for a set of skills, job search tips, and the LLM prompt. Every card names an id that
came from a read model or the catalog; nothing is invented."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .dialogue import LABELS, ConversationState, TurnPlan

SMALL = {
    "greeting": (
        "Hello! I can suggest careers, show what you're missing for one, find courses, look at your resume, "
        "tell you what a career pays, and give job search tips."
    ),
    "goodbye": "Goodbye, and good luck! Your conversation stays here if you come back.",
    "thanks": "You're welcome. Anything else: careers, courses, salaries, your resume?",
    "smalltalk": (
        "I'm CareerStream's career assistant, a program rather than a person, "
        "and always happy to talk careers."
    ),
    "help": (
        "I answer from CareerStream's own data: your recommendations, ESCO career profiles, the course "
        "catalog, your latest resume analysis and BLS wage medians (US national). I remember this "
        "conversation's context (career, location, skills); with the chat_history consent the full history "
        "is kept, and deleting your account erases it. Messages go to an LLM only when one is configured and "
        "you granted llm_feedback."
    ),
    "out_of_scope": (
        "That's outside what I can help with: I'm a career assistant (careers, skills, courses, salaries, "
        "resumes, job search)."
    ),
}
TIPS = {
    "cover letter": [
        "Open with the role and one concrete reason you fit it; skip the generic first sentence.",
        "Mirror two or three requirements from the posting and prove each with a result.",
        "Keep it under a page and end with a clear next step.",
    ],
    "interview": [
        "Prepare five STAR stories (situation, task, action, result) that cover the role's main skills.",
        "Research the team and bring two specific questions about the work.",
        "Send a short thank-you note within a day that restates one point from the conversation.",
    ],
    "offer": [
        "Ask for the offer in writing and take a day to review it.",
        "Anchor your counter on market data (the salary medians I can show you) and your strongest result.",
        "Negotiate the whole package: base, bonus, start date, remote days, training budget.",
    ],
    "network": [
        "Reach out to people one step ahead of you with a specific, short question.",
        "Keep a list of contacts and follow up every few weeks with something useful.",
        "Ask for referrals only after you've shown genuine interest in the team's work.",
    ],
    "application": [
        "Tailor the first third of your resume to each posting's keywords.",
        "Apply within the first week of a posting and follow up after 7-10 days.",
        "Track every application (date, contact, status) so follow-ups don't slip.",
    ],
}
_TIP_KEYS = {
    "cover letter": r"cover|letter",
    "interview": r"interview|screen|question|weakness|panel",
    "offer": r"offer|negotiat|counter|accept|decline",
    "network": r"network|linkedin|referral|recruiter|connect|fair",
}


def tips_for(text: str) -> tuple[str, list[str]]:
    low = text.lower()
    for key, pattern in _TIP_KEYS.items():
        if re.search(pattern, low):
            return key, TIPS[key]
    return "application", TIPS["application"]


def skill_key(label: str) -> str:
    """ "Python (computer programming)" -> "python": ESCO qualifies some labels in parentheses."""
    return label.lower().split(" (")[0].strip()


def skills_gap(career: Any, have: Iterable[str], top: int = 12) -> dict[str, Any]:
    """Matching and missing skills of an ESCO career (highest weight first) for the user's skills."""
    have_keys = {skill_key(h) for h in have}
    ranked = sorted(career.skills, key=lambda s: -s.weight)[:top]
    matching = [s.label for s in ranked if skill_key(s.label) in have_keys]
    missing = [s.label for s in ranked if skill_key(s.label) not in have_keys]
    return {"career": {"id": career.id, "label": career.label}, "matching": matching, "missing": missing}


def careers_for_skills(skills: Sequence[str], careers: Iterable[Any], k: int = 5) -> list[dict[str, Any]]:
    """Careers whose profile shares the most weight with the skills (used before recommendations exist)."""
    keys = {skill_key(s) for s in skills}
    if not keys:
        return []
    scored = []
    for c in careers:
        overlap = [s for s in c.skills if skill_key(s.label) in keys]
        if overlap:
            scored.append((sum(s.weight for s in overlap), c, overlap))
    scored.sort(key=lambda x: (-x[0], x[1].label))
    return [
        {
            "career_id": c.id,
            "title": c.label,
            "score": round(w, 3),
            "matching_skills": [s.label for s in ov],
            "median_wage_usd": c.bls.median_wage if c.bls else None,
        }
        for w, c, ov in scored[:k]
    ]


def _money(x: float) -> str:
    return f"${x:,.0f}"


Answer = tuple[str, list[dict[str, Any]], dict[str, Any] | None]


def _render_recommend_careers(plan: TurnPlan, r: dict[str, Any], text: str) -> Answer:
    items = r.get("items") or []
    if not items:
        return (
            (
                "I don't have recommendations for you yet. Tell me a few skills you have "
                "(e.g. 'I know Python and SQL') or fill in your profile, and I'll match careers."
            ),
            [],
            None,
        )
    cards = [
        {
            "type": "career",
            "career_id": it["career_id"],
            "title": it["title"],
            "score": it.get("score"),
            "median_wage_usd": it.get("median_wage_usd"),
        }
        for it in items[:5]
    ]
    lines = [
        f"{i}. {c['title']}"
        + (f" (median {_money(c['median_wage_usd'])}/yr in the US)" if c.get("median_wage_usd") else "")
        for i, c in enumerate(cards, 1)
    ]
    src = "your recommendations" if r.get("source") == "recommendations" else "the skills you mentioned"
    shown = {"kind": "careers", "items": [{"id": c["career_id"], "label": c["title"]} for c in cards]}
    return (
        f"Based on {src}, these careers fit best:\n"
        + "\n".join(lines)
        + "\nAsk me what any of them pays or what you're missing for one.",
        cards,
        shown,
    )


def _render_skills_gap(plan: TurnPlan, r: dict[str, Any], text: str) -> Answer:
    slots = plan.state.slots
    if not r.get("career"):
        return f"I couldn't find '{slots.get('target_career')}' in the ESCO careers I know.", [], None
    label = r["career"]["label"]
    card = {
        "type": "career",
        "career_id": r["career"]["id"],
        "title": label,
        "matching_skills": r["matching"],
        "missing_skills": r["missing"],
    }
    if not r["missing"]:
        return f"You already have the core skills of {label} that I track.", [card], None
    have = f"You already have {', '.join(r['matching'][:5])}. " if r["matching"] else ""
    return (
        (
            f"For {label}, {have}You're missing: {', '.join(r['missing'][:8])}. "
            "Ask me for courses to close the gap."
        ),
        [card],
        None,
    )


def _render_courses(plan: TurnPlan, r: dict[str, Any], text: str) -> Answer:
    slots = plan.state.slots
    items = r.get("items") or []
    what = r.get("query") or "that"
    if not items:
        return f"I found no course in the catalog for {what}.", [], None
    cards = [
        {
            "type": "course",
            "course_id": c["course_id"],
            "title": c["title"],
            "provider": c.get("provider"),
            "level": c.get("level"),
            "url": c.get("url"),
        }
        for c in items[:5]
    ]
    lines = [
        f"{i}. {c['title']} ({c['provider']}, {c.get('level') or 'any level'})"
        for i, c in enumerate(cards, 1)
    ]
    if plan.params.get("ordinal") and slots.get("course_ref"):
        # An answer about one course of the list shown keeps that list (and the reference) current.
        return f"Course {slots['course_ref']} of the list:\n" + "\n".join(lines), cards, None
    shown = {"kind": "courses", "items": [{"id": c["course_id"], "label": c["title"]} for c in cards]}
    return f"Courses for {what}:\n" + "\n".join(lines), cards, shown


def _render_resume(plan: TurnPlan, r: dict[str, Any], text: str) -> Answer:
    if not r.get("resume_id"):
        return (
            "I don't see an analysed resume yet: upload one (POST /users/{id}/resumes) and ask me again.",
            [],
            None,
        )
    if r.get("status") != "done":
        return (
            f"Your latest resume analysis is {r.get('status')}"
            + (f": {r['failure_reason']}" if r.get("failure_reason") else "."),
            [],
            None,
        )
    findings = r.get("findings") or []
    card = {
        "type": "resume",
        "resume_id": r["resume_id"],
        "overall_score": r.get("overall_score"),
        "skills": (r.get("skills") or [])[:10],
        "findings": findings[:5],
    }
    n_skills = len(r.get("skills") or [])
    text_out = f"Your latest resume scores {r.get('overall_score'):.0f}/100. I found {n_skills} skills"
    if r.get("skills"):
        text_out += f" (e.g. {', '.join(r['skills'][:5])})"
    text_out += "."
    if findings:
        text_out += " To improve: " + " ".join(f"- {f}" for f in findings[:3])
    return text_out, [card], None


def _render_wages(plan: TurnPlan, r: dict[str, Any], text: str) -> Answer:
    slots = plan.state.slots
    if not r.get("career"):
        return f"I couldn't find '{slots.get('target_career')}' in the careers I know.", [], None
    label = r["career"]["label"]
    card = {
        "type": "career",
        "career_id": r["career"]["id"],
        "title": label,
        "median_wage_usd": r.get("median_wage"),
    }
    loc = slots.get("location")
    note = ""
    if loc and loc.lower() not in ("us", "usa", "united states"):
        note = f" I have no wage data for {loc}: my figures are BLS US national medians."
    if r.get("median_wage") is None:
        return f"I have no BLS wage data for {label}.{note}", [card], None
    return (
        (
            f"The median annual wage for {label} (BLS: {r.get('soc_title')}) is "
            f"{_money(r['median_wage'])} in the US.{note}"
        ),
        [card],
        None,
    )


def _render_tips(plan: TurnPlan, r: dict[str, Any], text: str) -> Answer:
    key, tips = tips_for(text)
    return f"Tips on {key}s:\n" + "\n".join(f"- {t}" for t in tips), [], None


# One renderer per action a plan may carry (engines/chat/dialogue.py picks the action).
_RENDERERS: dict[str, Callable[[TurnPlan, dict[str, Any], str], Answer]] = {
    "recommend_careers": _render_recommend_careers,
    "skills_gap": _render_skills_gap,
    "courses": _render_courses,
    "resume": _render_resume,
    "wages": _render_wages,
    "tips": _render_tips,
}


def render(plan: TurnPlan, result: dict[str, Any] | None, text: str) -> Answer:
    """(answer text, cards, list shown) for a planned turn and its action result."""
    if plan.ask:
        return plan.ask, [], None
    if plan.action is None:
        return SMALL.get(plan.intent, SMALL["help"]), [], None
    renderer = _RENDERERS.get(plan.action)
    if renderer is None:
        return SMALL["help"], [], None
    return renderer(plan, result or {}, text)


def llm_messages(
    plan: TurnPlan, result: dict[str, Any] | None, template: str, profile: dict[str, Any] | None
) -> list[dict[str, str]]:
    """Chat messages for an OpenAI-compatible model: the profile and the action's data, and an instruction
    to use only that data (the template answer is the safe draft)."""
    system = (
        "You are CareerStream's career assistant. Answer in at most 120 words, using ONLY the data given. "
        "Never invent careers, courses, wages or ids. If the data has nothing relevant, say so."
    )
    data = {
        "intent": plan.intent,
        "slots": plan.state.slots,
        "profile": {
            k: (profile or {}).get(k)
            for k in ("career_goals", "skills", "target_careers", "location", "years_experience")
        },
        "action_result": result,
        "draft_answer": template,
        "recent_turns": plan.state.turns[-6:],
    }
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": json.dumps(data, default=str)[:12000]},
    ]


__all__ = [
    "LABELS",
    "ConversationState",
    "careers_for_skills",
    "llm_messages",
    "render",
    "skills_gap",
    "tips_for",
]
