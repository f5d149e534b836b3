"""The user's own skills in a chat message: whether the message says it names them ("I know...", "I'm
good at..."), and the items of such a list as the user wrote them."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .nlu import normalise
from .places import CALENDAR_WORDS, gazetteer, language_names

# "also linux and python", "and some docker too": a message that adds to a list goes on with the
# user's own skills (the dialogue adds them only where the user already has some, see dialogue.py).
_ADDS_TO_LIST = re.compile(
    r"^(also|and|plus)\b(?! (?:write|make|give|tell|help|send|show|find|can|could|would)\b)|\b(too|as well)$"
)
# ... but not a question or a denial ("and do I need docker?", "and I don't know docker").
_NOT_A_LISTING = re.compile(r"\b(do|does|is|are|should|need|needed|needs|missing|learn|what|which|how|why)\b")
_DENIAL = re.compile(
    r"\b(don't|dont|do not|can't|cant|cannot|not|no|never|without|lack|lacking|need|needed|needs|missing|"
    r"learn|require|required|zero)\b"
)
_BEEN_NOT_USING = (
    # ("I have been teaching mathematics" says what the job is, as annotators read it)
    r" been(?! (?:using|doing|working with|handling|running|coding|programming|building)\b)"
)
# Claims of the user's own skills ("I know...", "I can...", "my background"): what the skill matcher
# finds in such a message is the user's own. The list triggers below are wider; they count only where
# they give a list (see `listed_skills`).
_CLAIMS_SKILLS = re.compile(
    # Not "before I can practice", "I've never touched SQL".
    r"\b(?<!before )(?<!until )(?<!when )(?<!if )(?<!\bso )"
    # Not "I have been shortlisted for ...", "I've applied to ...": what happened, not what the user knows
    # ("I've been using Excel" still claims).
    rf"(i know|i knw|i kno|i am knowing|i'm knowing|i can(?!'t|not|t\b)|"
    rf"i have(?! never| not| no\b| to\b| applied| tried|{_BEEN_NOT_USING})|"
    rf"i've(?! never| not| applied| tried|{_BEEN_NOT_USING})|i am good at|i'm good at|"
    r"my skills|skilled in|"
    r"experience (?:in|with)|familiar with|i use|i used|i work with|i worked with|background in|"
    r"proficient in)\b"
)


def says_own_skills(norm: str) -> bool:
    """The message claims the skills it names are the user's own."""
    return bool(_CLAIMS_SKILLS.search(norm))


def adds_to_list(norm: str) -> bool:
    """ "also X", "and Y too": more of what the user was listing (the raw flag; see `denies`)."""
    return bool(_ADDS_TO_LIST.search(norm))


def asks_or_denies(norm: str) -> bool:
    """A question or a denial: what it names are not skills the user has."""
    return bool(_NOT_A_LISTING.search(norm))


def denies(norm: str) -> bool:
    """Whether the skills named are not the user's ("I don't know X", "do I need Y")."""
    return bool(_DENIAL.search(norm))


# A word between "I" and the verb: "I already know", "I really use", "i alredy use" (typed as it comes).
_ADVERB = r"(?: (?:also|already|alredy|allready|really|pretty|quite|very|still|\w+ly))?"
# A statement listing the user's own skills, and what ends the list.
_LISTS_SKILLS = re.compile(
    # Not a relative clause: "something i can do part time", "what i know".
    rf"\b(?<!something )(?<!anything )(?<!what )(?<!which )(?<!that )"
    # Nor a question: "can I use my GI bill for it?", "do I need...".
    rf"(?<!can )(?<!could )(?<!should )(?<!do )(?<!would )(?<!will )(?<!did )(?<!may )"
    # "I have" lists ("I have manual handling"), "I have worked for..." does not.
    # "I was using Sage 50 Payroll", not "I was using drugs" or "I was using my phone".
    rf"(?:i(?:'?m|'?ve| am| have| was(?= using (?!my|a|an|the|it|them|that|drugs|alcohol)\b))?{_ADVERB} "
    # "i knw ...", "i kno ...": "know" as typed on a phone.
    # "i can use hand pallet truck and RF scanner", not "I can operate a forklift" (the matcher's) nor "i
    # can use my savings".
    # "I am knowing Tally, GST filing and Excel" (Indian English).
    # ("sabi": Nigerian Pidgin's "know"; "i fit use": its "I can use")
    r"(?:know|knw|kno|knowing|sabi|use|used|speak|play|"
    r"(?:can|fit) (?:use|speak|operate|read)(?! (?:a|an|the|my|your|it|them|that|this)\b)|"
    # "I was using Sage 50 Payroll and did all the RTI submissions", "I'm using Lightroom".
    r"(?<=was )using|(?<=m )using|(?<=am )using|"
    # "i already no html": "no" typed for "know", only after "already" (not "I have no ...", "I'm
    # already no longer ...").
    r"(?<=already )no(?! (?:longer|more|one|idea|need)\b)|"
    # Not the perfect of a verb: "I have applied to 6 NGOs".
    # Nor an obligation: "I have to go teach now".
    r"have(?! (?:to|been|worked|lived|taught|studied|spent|had|applied|tried|sent|asked|talked|spoken|called|"
    r"contacted|visited|moved|started|decided|looked|heard|seen|read)\b)|got|handle|listed|can do|"
    # "i can make latte art and espresso drinks", not pay, times or plans ("i can make 20 dollars an
    # hour", "... rent most months", "... tuesday classes", "... my own hours", "... decisions fast").
    r"can make(?! \d| \$| (?:more|money|it|a|an|the|my|your|our|good|enough|ends|sure|time|friends|mistakes|"
    r"rent|double|decisions|about|around|over|up|monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"\b)|"
    # ("w": "with" as typed on a phone)
    r"(?:good|decent|great|strong|solid|skilled|experienced|handy|confident|comfortable|competent) "
    r"(?:at|with|w|in)|"
    # "im ok with excel", not what the user puts up with ("I'm ok with working weekends").
    r"(?:ok|okay) at|(?:ok|okay) w(?:ith)?(?! (?:working|doing|being|travel|travelling|traveling|relocating|"
    r"moving|nights?|night shifts?|weekends?|shifts?|it|that|this|the|less|lower|a|an)\b)|"
    r"familiar with|"
    r"proficient (?:in|with)|fluent in|work(?:ed)? with|experience (?:in|with)|(?:trained|qualified) in)"
    rf"|\bi(?:'?ve| have){_ADVERB} (?:done|run|led|built)"
    # "I've fluent French", "I have conversational Welsh".
    r"|\bi(?:'?ve| have)(?= (?:fluent|conversational|native) )"
    # "I did inventory", not "I did look online".
    rf"|\bi{_ADVERB} did"
    r"(?! (?:look|try|think|see|ask|check|search|want|apply|go|get|say|tell|hear|read|find)\b)"
    # "I ran our sprint planning", not "I ran a 600 acre corn and soybean operation".
    # ... but "I run my family farm" is a business, not a skill.
    # "I already run John Deere Operations Center" (tools), not "I already run my own business".
    r"|\bi already run(?! (?:my|our|a|an|the|his|her|their)\b)"
    rf"|\bi{_ADVERB} (?:ran|run)(?= (?:our|the) )|\bi{_ADVERB} (?:led|managed)(?= (?:our|the|my) )"
    # "..., i do residential wiring": at the start of a clause, so not "what do i do".
    # "also know a bit python from youtube" (clipped)
    r"|(?:^|[,.;!?]\s*)also know"
    # ("dae": Scots "do")
    rf"|(?:^|[,.;!?]\s*|\band\s+|\ban\s+)(?:i (?:guess|think|suppose|mean) )?i{_ADVERB} (?:do|dae)"
    r"(?! (?:not|want|need|have|you|i|it|that|this|so|get|enjoy|like|love|feel|think|hope|know|mind|care)\b)"
    # Clipped, at the start of a clause: "got unvented and water regs already", "Did inventory management".
    r"|(?:^|[.;!?]\s+)(?:already )?(?:got|did|done)(?! (?:it|you|the|i|that|this|a|an|my|your|to)\b)"
    # Clipped too: "experience with data entry, ...", "speak spanish, quechua, english."
    r"|(?:^|[.;!?]\s+)(?:experience (?:in|with)|speak)"
    # "got my pcv licence": a credential of the user's own.
    # "got my MED A1, marine first aid and ...", not "got my CV back"
    r"|(?:^|,\s*)(?:i(?:'?ve| have)? )?got my(?= [^,.?!]{1,30}(?:,| and ))"
    r"|(?:[.;!?]\s+|\bi(?:'?ve| have)? )got my"
    r"(?= (?:[\w-]+ ){0,3}(?:licen[cs]e|cert|certificate|card|ticket)s?\b)"
    r"|my (?:main |key |core )?(?:skills|strengths)(?: section)?(?: (?:are|is|include|includes|lists?))?\s*:"
    r"|my (?:main |key |core )?(?:skills|strengths)(?: section)? (?:are|is|include|includes|lists?)"
    # The CV: "it lists ...", "it's got MIG, TIG and stick on it".
    r"|someone with|background in|my background (?:is|was|includes)(?! in\b)|my background:"
    r"|\bit(?: lists| mentions| includes|'?s got| has got)"
    r"|(?:^|, |[.;!?]\s+)(?:good|great|strong) (?:at|with|in)"
    # "Strengths: team leadership, ...", "Strengths would be ...", "been doing gel extensions n acrylics"
    r"|(?:^|[.;!?]\s+)(?:my )?strengths?(?: would be| are| is| include)?\s*:?"
    # (clipped only: "I've been doing accounts payable" says what the job is, as annotators read it)
    r"|(?:^|,\s+)been doing"
    # "i help wiv veg prep n basic sauces"
    r"|\bi (?:also )?help (?:with|wiv)"
    # "I'm a sparky with working at heights and electrical fault finding"
    r"|\bi(?:'?m| am) an? (?:[a-z]+ ){0,2}[a-z]+ with(?! (?:a|an|the|no|my|i|it|\d+)\b))\s+"
)
# The tool the work was done in, named as a product is, in capitals: "coloring in Clip Studio Paint", "the
# data collection for our surveys on KoBoToolbox". A word with a capital anywhere, "I" apart.
_NAMED = re.compile(r"\b(?!I\b)[\w+#.-]*[A-Z][\w+#.-]*(?:\s+(?!I\b)[\w+#.-]*[A-Z][\w+#.-]*)*")
_IN_A_TOOL = re.compile(r"^(.*?)\s+(?:in|on|using|with|through)\s+(.+)$")
# "I analyse in Excel and SPSS", "i make loads of stuff in Canva": a list of tools, kept only where its
# first item is one (`_named_tool`), so not "I live in Leeds" nor "I grew up in Kenya".
_WORKS_IN_TOOLS = re.compile(
    # Nor a question ("should i do a course in EIA?"), a wish ("I want to stay in logistics").
    r"\b(?<!can )(?<!could )(?<!should )(?<!do )(?<!would )(?<!will )(?<!did )(?<!may )"
    rf"i{_ADVERB} (?!(?:live|lived|work|worked|working|am|was|grew|stay|stayed|moved|studied|study|"
    r"started|got|went|go|come|came|put|believe|trust|want|wanna|need|hope|plan|wish|would|will|should|"
    r"can|could|might|may|like|love|have|had|do|did|"
    # Where or how the user found or applied, studied or interned, and what they never did.
    r"applied|apply|found|saw|seen|intern|interned|majored|major|graduate|graduated|graduating|"
    r"never|hardly|barely|rarely|don't|dont|didn't|didnt|can't|cant|won't|wont)\b)"
    r"[a-z]+ (?:(?!to\b)[a-z']+ ){0,5}?(?:in|using|on)\s+"
)


_CLASS_A = re.compile(r"\b(?:class|grade|category|type) a$")
# Where, not what: "3rd one where I can do in Karachi".
_WHERE = re.compile(r"^(?:in|at|near|around)\s")
# A school grade and its subject: "C+ in biology", "an A in maths".
_GRADE = re.compile(r"^(?:an? )?[a-f][+-]?\s+(?:in|for)\b")
# "I can braze", "i can type 60wpm", "I can touch type really fast", "i can weld, cut and grind": skills said
# as bare verbs, named by their gerunds ("brazing", "touch typing"), as people list skills. Only verbs that
# end the clause, or come before how well they are done; not "I can start Monday", "I can help".
_BARE_VERB = (
    r"(?!(?:start|help|work|do|go|come|get|see|try|say|tell|ask|make|be|pay|"
    r"afford|wait|learn|relocate|move|travel|commit|manage|imagine|understand|cope|handle|give|take|find|"
    r"join|stay|leave|attend|study|apply|use|speak|operate|read|play|only|also|still|really|"
    r"commute|qualify|grow|retire|retrain|focus|progress|improve|adapt|switch|transition|relax|earn|save|"
    r"continue|return|change|decide|choose|survive|live|sleep|rest|"
    r"definitely|probably|already)\b)[a-z]{3,}"
)
_CAN_VERB = re.compile(
    # Not what the user would do once able to: "until I can qualify", "a role where I can grow".
    r"\b(?<!until )(?<!before )(?<!when )(?<!if )(?<!so )(?<!where )(?<!once )(?<!that )(?<!which )"
    rf"i{_ADVERB} can ((?:touch )?{_BARE_VERB}(?:(?:,\s*|\s+and\s+|\s+or\s+){_BARE_VERB})*)"
    r"(?: \d+ ?wpm\b)?"
    r"(?=(?: (?:really|very|pretty|quite))?(?: (?:well|fast|quickly))?\s*(?:[,.;!?]|\band\b|$))"
)


def _gerund(verb: str) -> str:
    """ "braze" -> "brazing", "type" -> "typing", "weld" -> "welding", "cut" -> "cutting"."""
    if verb.endswith("ie"):
        return verb[:-2] + "ying"
    if verb.endswith("e") and not verb.endswith(("ee", "ye", "oe")):
        return verb[:-1] + "ing"
    # One syllable ends consonant-vowel-consonant: "cut" -> "cutting" (not "edit", "open").
    if re.search(r"(?:^|[^aeiou])[aeiou][bdgmnpt]$", verb) and len(re.findall(r"[aeiou]+", verb)) == 1:
        return verb + verb[-1] + "ing"
    return verb + "ing"


_MY_SKILL_IS_GOOD = re.compile(
    r"\bmy ([a-z]+(?: [a-z]+)?)(?: is|'s) (?:(?:pretty|quite|very|really|fairly) )?"
    r"(?:good|decent|strong|fluent|conversational|solid|ok|okay|native|excellent|great)\b"
)


def _can_do_gerund(m: re.Match[str]) -> str:
    """ "i can touch type" -> "i can do touch typing", "i can weld, cut and grind" -> "i can do welding,
    cutting and grinding" (a list trigger, and the skills' names)."""
    return "i can do " + re.sub(
        r"[a-z]+(?=\s*(?:,|\band\b|\bor\b|$))(?<!\band)(?<!\bor)",
        lambda v: _gerund(v.group(0)),
        m.group(1),
    )


def _lists_after(trigger: re.Pattern[str], lowered: str) -> list[str]:
    """The text after each match of `trigger`, up to where a list ends."""
    out = []
    for m in trigger.finditer(lowered):
        rest = lowered[m.end() :]
        end = _LIST_END.search(rest)
        out.append(rest[: end.start()] if end else rest)
    return out


def _first_item(listed: str) -> str:
    return _ITEM_SPLIT.split(listed)[0].strip()


def _named_tool(phrase: str, known: set[str], named: set[str]) -> bool:
    """A tool's name: one the skill matcher knows, or one written with capitals that is no place."""
    return phrase in known or (
        phrase in named
        # (normalised: "kraków" is listed as "krakow")
        and normalise(phrase) not in gazetteer()
        and phrase not in language_names()
        # Nor a time: "I graduate in June", "I teach on Mondays".
        and phrase.rstrip("s") not in CALENDAR_WORDS
    )


# "I'm a staff engineer (Go, Kubernetes, system design)", "a backend developer for 6 years (Java, Spring)":
# a bracketed list after the user says what they are or were.
_ROLE_THEN_BRACKETS = re.compile(
    r"\b(?:i'?m|i am|i'?ve been|i have been|i was|i work as|i worked as|working as)\b[^.!?()]{0,80}"
    r"\(([^()]*[,/][^()]*)\)"
)
_LIST_END = re.compile(
    r"\s+(?:but|though|although|however|if|so|because|since|while|when|where|which|what|how|then|"
    r"and i|and i'm|and im|and i've|and ive|and my|an i|n i|n i'm|n im|n i've|n ive|n my)\b"
    # (a full stop between letters is no end: "B.Ed", "B.Sc")
    r"|\.(?![a-z]{1,3}\b)|[?!;:()]|\s[-–—]\s"
    # A new clause of the user's: "I do safeguarding referrals all the time, I'm good at mediation" (the
    # second list has its own trigger).
    # Not a hedge: "I know Excel, Word, I think also some Access".
    r"|(?:,\s*(?:plus\s+|also\s+)?|\s+plus\s+)(?:i|i'm|im|i've|ive|i'd)\s(?!think|guess|suppose|mean|believe)"
)
# "&" splits only between spaces: "M&A", "R&D" are one skill.
# "n" is "and" in text speak ("rostering n stock ordering").
# "+" between words or spaces ("python+sql"), not after a grade ("C+ in biology") nor between letters
# ("C+E licence": a driving licence's category).
# "an" is "and" too ("colour correction an scalp treatments"): only before a word of five letters or more
# that starts with a consonant other than "h", which "an" the article never comes before ("an office",
# "an NVQ", "an HGV licence", "an hour").
_ITEM_SPLIT = re.compile(
    r"\s*(?:,|/|\s&\s|\s\+\s|(?<=\w\w)\+(?=\w)|(?<=\w)\+(?=\w\w|\w\+\+)|\band\b|\bor\b|\sn\s|\san\s(?=[b-df-gj-np-tv-z][a-z]{4,}))\s*"
)
_ITEM_LEAD = re.compile(
    r"^(?:(?:also|and|some|mostly|mainly|all|all of|"
    r"all the|a bit of|a fair bit of|a lot of|lots of|plenty of|"
    r"(?:a )?little bit(?: of)?|a little|little|bit of|(?:a )?wee bit of|loads of|tons of|heaps of|"
    # (Scots "ma": "ma SVQ3", not "MA in Economics"; Patois "mi": "mi food handler permit")
    r"dealing with|fluent|conversational|already|ma(?=\s+\S+$)|mi|a bit|"
    # "i know how to use the floor scrubber"
    r"how to (?:use|operate|drive|run|do)|"
    # "our own kitchen audits", "maybe 40 user interviews": whose, or how many, is no part of the skill.
    # (not "about 5 years in sales": a time, no count of the skill)
    r"(?:my|our) own|(?:maybe|about|around|roughly|nearly|almost|over) \d+"
    r"(?!\s*(?:years?|yrs?|months?|weeks?|days?|hours?|hrs?)\b)|"
    r"bits of|good|strong|solid|our|my|the|(?:have )?(?:some |a lot of )?experience (?:in|with)|"
    r"knowledge of|skills (?:in|like)|know|used|use|have|had|done|did|do|can|speak|play|"
    # "a level 3 in animal care", "a diploma in accounting": the subject is the skill.
    r"(?:an? )?(?:level \d+|diploma|degree|certificate|qualification|cert)(?: \w+)? in)\s+)+"
)
# Where or how long the user did it: "proofreading for the student paper for two years",
# "troubleshooting from my job", "customer service at a bank".
_ITEM_CIRCUMSTANCE = re.compile(
    # "anatomy quite well from dance"
    r"\s+from \w+$|"
    r"\s+in (?:the|my|our|his|her|their) .*$|"
    # ("with": "hindi with the residents", not "working with the public")
    r"(?:\s+(?:for|at|from|during|through|on|over|like)|(?<!ing)\s+with) "
    r"(?:the|my|our|a|an|his|her|their|every|each|one|two|three|four|"
    r"five|six|seven|eight|nine|ten|several|many|plenty|lots|some|\d+)\b.*$"
)
_ITEM_TAIL = re.compile(
    # ("excel small": West African English's "a little"; "GCP certificate online")
    r"(?:\s+(?:fluently|small|online|also|well|too|as well|already|though|a bit|a little|(?:a )?little bit|"
    r"daily|every day|"
    r"at work|on it|"
    # How often or on whose own: "fault finding all day", "artificial insemination myself".
    r"all day(?: long)?|all the time|myself|by myself|on my own|regularly|a lot|weekly|of course|"
    # ("then" ends a list: "iPayroll back then and ..." leaves "back")
    r"back then|back|back in the day|(?:\d+ )?(?:years?|yrs?) ago|"
    r"(?:every|each) (?:day|week|month|shift)|small small|no problem|by hand|"
    r"(?:really |very )?(?:fast|quickly)|"
    r"on my cv|on there|in my job|at my job|on site|at home|before|at school|at uni|at college|"
    r"under my belt|experience|skills|knowledge|inside out|only|mainly|mostly|just|really|"
    # How well: "incoterms quite good", "excel pretty well".
    r"(?:quite|pretty|very|really|reasonably|fairly)? ?(?:good|well)))+$"
)
# "a forklift licence": an article before a credential is no reason to drop it (as it is for "a question").
_CREDENTIAL = re.compile(
    r"^(?:a|an)\s+(?!(?:speeding|parking|bus|train|plane|flight|concert|lottery|movie|cinema|raffle|return|"
    r"festival|football|match|golden)\b)"
    r"(.+\b(?:licence|license|certificate|certification|card|qualification|ticket))$"
)
# Things a user has that say the list is no list of skills: "I have interview next week", "an exam on
# Monday" (not "interview skills", "exam invigilation").
_HELD = re.compile(
    r"(?:an? )?(?:interview|interviews|meeting|appointment|offer|exam|deadline)"
    r" (?:next|tomorrow|today|on|at|with|for|this|in|soon)\b"
)
# When or how the user would do something: "a course I can do after hours".
_WHEN = frozenset(["after hours", "evenings", "weekends", "nights", "remotely", "at night", "on weekends"])
# Verbs of the user's own clause after an item ("route planning i do better than any app").
_CLAUSE_VERBS = (
    "do|did|can|could|use|used|know|knew|have|had|am|was|think|guess|love|like|enjoy|learnt|learned"
)
# A level of a language on the CEFR scale, said after the language.
_LANGUAGE_LEVEL = re.compile(r"(?:level )?[abc][12](?: level)?")
# A language and how well: "B2 German", "german b2", "english fluent" (not "ansys fluent": the word must
# name a language).
_LEVELLED_LANGUAGE = re.compile(
    r"^(?:level )?[abc][12](?: level)? (?!level$)([a-z]+)$"
    r"|^(?!level )([a-z]+) (?:level )?[abc][12](?: level)?$"
    r"|^([a-z]+) fluent$"
)
_NOT_IN_A_SKILL = frozenset(
    [
        "thinking",
        *["nothing", "anything", "everything", "something", "plenty", "lots", "loads"],
        *["nobody", "anybody", "everybody", "somebody", "anyone", "everyone", "someone"],
        # "I have cousin there": family, not a skill.
        *[
            "cousin",
            "cousins",
            "brother",
            "sister",
            "mum",
            "mom",
            "dad",
            "wife",
            "husband",
            "son",
            "daughter",
        ],
        # (not "family", "partner", "baby", "parents": "family law", "partner management", "baby care")
        *["friend", "friends", "relatives"],
        "only",  # "I have no experience, only national service", "only A1 level"
        *["zero", "every"],  # "I've got zero HR experience", "it lists every school I have taught in"
        *["its", "right"],  # "i know its hard but ...", "i know right"
        "passport",
        "visa",
        "kids",
        "children",
        "about",
        "hoping",
        "trying",
        "wondering",
        "been",
        "any",
        "tips",
        "advice",
        "question",
        "i",
        "you",
        "me",
        "my",
        "it",
        "that",
        "this",
        "what",
        "which",
        "how",
        "why",
        "where",
        "who",
        "for",
        "looking",
        "want",
        "need",
        "am",
        "is",
        "are",
        "do",
        "does",
        "can",
        "could",
        "would",
        "should",
        "will",
        "job",
        "jobs",
        "career",
        "careers",
        "role",
        "roles",
        "the",
        "a",
        "an",
        "not",
        "no",
        "never",
        "don't",
    ]
)


_BEFORE_A_COUNT = frozenset(["of", "for", "than", "about", "around", "over", "nearly", "almost", "the"])


def listed_skills(text: str, known: Iterable[str] = ()) -> tuple[list[str], list[str]] | None:
    """Items of a list the user gives as their own skills, as written, lower case: "I'm good with
    customer service, cash handling and stock management" -> the three phrases, whether or not the
    skill matcher knows them (as the resume analysis takes the items of a skills section). `known`: what
    the matcher finds in the message; its names with "and" in them ("health and safety") stay whole, and
    an item that starts with one ends there ("payroll in polish company"). Items that are not skills ("a
    question", "not flutter", "5 years") are dropped; the second list holds those not denied, in which
    a skill the matcher knows still counts ("5 years of experience with python"). None: the message
    gives no such list."""
    lowered = text.lower().replace("’", "'")
    # A bulleted list ("My skills:\n- SQL\n- Excel") is a list with commas.
    lowered = re.sub(r"\s*\n\s*[-*•]\s*", ", ", lowered).replace(":, ", ": ")
    # "good w/ McLeod": "w/" and "wiv" are "with".
    lowered = re.sub(r"\bw/\s*", "with ", lowered).replace(" wiv ", " with ")
    # "mi have BLS an mi do phlebotomy": "mi" is "I" in Jamaican Patois and other creoles.
    lowered = re.sub(r"\bmi (?=(?:have|do|know|can|got|use)\b)", "i ", lowered)
    lowered = _CAN_VERB.sub(_can_do_gerund, lowered)
    # Items between semicolons, where "and" is part of an item: "search and rescue coordination; incident
    # command; small boat operations".
    lowered = "\n".join(
        ",".join(part.replace(" and ", "\x00") for part in line.split(";")) if line.count(";") >= 2 else line
        for line in lowered.split("\n")
    )
    known = [" ".join(k.lower().split()) for k in known]
    known_set = set(known)
    for name in known:
        if " and " in name:
            lowered = lowered.replace(name, name.replace(" and ", "\x00"))
    items: list[str] = []
    dropped: list[str] = []
    lists = [m.group(1) for m in _ROLE_THEN_BRACKETS.finditer(lowered)]
    # An aside in brackets, no list itself, ends no list: "medical terminology (mum is a nurse lol), excel".
    lowered = re.sub(r"\s*\([^(),/]*\)", "", lowered)
    # Sentence by sentence: "in Canva. Love it" names "Canva", not "Canva. Love".
    named = {
        " ".join(m.group(0).lower().split())
        for part in re.split(r"[.!?;:,]+(?:\s+|$)", text)
        for m in _NAMED.finditer(part)
    }
    lists += _lists_after(_LISTS_SKILLS, lowered)
    # "my Welsh is conversational", "my excel is pretty good": a language, or a skill the matcher knows.
    lists += [
        m.group(1) for m in _MY_SKILL_IS_GOOD.finditer(lowered) if m.group(1) in known_set | language_names()
    ]
    lists += [
        t for t in _lists_after(_WORKS_IN_TOOLS, lowered) if _named_tool(_first_item(t), known_set, named)
    ]
    if not lists:
        return None
    for listed in lists:
        for item in _ITEM_SPLIT.split(listed):
            if _HELD.match(item.strip()):
                break  # "I have interview next week ..., all in english": no list of skills
            item = _ITEM_LEAD.sub("", " ".join(item.replace("\x00", " and ").split()))
            if _GRADE.match(item) or _WHERE.match(item):
                continue  # "I got C+ in biology": a grade, not a skill; "... I can do in Karachi": a place
            # "coloring in clip studio paint": the work, and the tool it was done in, are two items.
            in_tool = _IN_A_TOOL.match(item)
            tool = _ITEM_TAIL.sub("", in_tool.group(2)) if in_tool else ""
            if in_tool and _named_tool(tool, known_set, named):
                items.append(tool)
                item = in_tool.group(1)
            item = _ITEM_CIRCUMSTANCE.sub("", item)
            item = _ITEM_CIRCUMSTANCE.sub("", item)  # "acrylics from home for 4 yrs": both go
            # "route planning i do better than any app": the item, then the user's own clause about it.
            # (a verb after "i": not "phase i clinical trials")
            item = re.sub(rf"^(.+?)\s+i(?:'m|'ve|'d)?{_ADVERB}\s(?:{_CLAUSE_VERBS})\b.*$", r"\1", item)
            item = _ITEM_TAIL.sub("", item)
            # "payroll in polish company": a skill the matcher knows, then where the user did it.
            head = re.match(r"(.+?) (?:in|at|for|with) ", item)
            if head and head.group(1) in known_set:
                item = head.group(1)
            item = _CREDENTIAL.sub(r"\1", item)
            # "B2 German", "english fluent": the language, without how well (not "MED A1", a certificate).
            levelled = _LEVELLED_LANGUAGE.match(item)
            language = next((g for g in levelled.groups() if g), "") if levelled else ""
            if language in language_names():
                item = language
            words = item.split()
            if item in _WHEN or _LANGUAGE_LEVEL.fullmatch(item):
                continue  # "a course I can do after hours"; "some dutch, A2 level" (how well, not a skill)
            if (
                not words
                or len(words) > 4
                # (not the letter of a class: "cdl class a")
                or set(words) & _NOT_IN_A_SKILL - ({"a"} if _CLASS_A.search(item) else set())
                or not item[0].isalnum()  # "1c", "3d modelling"; "5 years" goes below
                # A number is no skill ("5 years"), except one naming a standard or a level after a
                # word ("haccp level 3", "nec 690"), and not a count ("a team of 12").
                or any(
                    w.isdigit() and not (k and words[k - 1].isalpha() and words[k - 1] not in _BEFORE_A_COUNT)
                    for k, w in enumerate(words)
                )
            ):
                # Not a denied item, nor a thing the user has ("a second interview for ...").
                if words and not _DENIAL.search(item) and words[0] not in ("a", "an", "the"):
                    dropped.append(item)
                continue
            items.append(item)
    return list(dict.fromkeys(items)), dropped
