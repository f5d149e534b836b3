"""Contact details: name, emails, phone numbers, links and location."""

from __future__ import annotations

import re

from .dates import DATE_RANGE_RE
from .job_words import ORG_WORDS, ROLE_WORDS
from .models import ContactInfo
from .sections import SECTION_HEADINGS

EMAIL_RE = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b"
)
# Loose candidate; digit count and context decide. Separators: space, dot, dash, slash, parentheses.
PHONE_RE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d\s().\-/]{6,20}\d(?![\w])")
LINK_RE = re.compile(
    r"(?:https?://|www\.)[^\s<>()|,;]+|"
    r"\b(?:linkedin\.com|github\.com|gitlab\.com|behance\.net|dribbble\.com|medium\.com)/[^\s<>()|,;]+",
    re.IGNORECASE,
)
US_STATES = {
    "AL",
    "AK",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "FL",
    "GA",
    "HI",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VA",
    "WA",
    "WV",
    "WI",
    "WY",
    "DC",
}
COUNTRIES = {
    "usa",
    "united states",
    "uk",
    "united kingdom",
    "germany",
    "france",
    "spain",
    "italy",
    "netherlands",
    "canada",
    "ireland",
    "india",
    "australia",
    "poland",
    "portugal",
    "sweden",
    "denmark",
    "norway",
    "finland",
    "belgium",
    "austria",
    "switzerland",
    "singapore",
    "japan",
    "brazil",
    "mexico",
    "czech republic",
}
_LOCATION_RE = re.compile(
    r"\b([A-Z][a-zA-Z.'-]+(?:[ ][A-Z][a-zA-Z.'-]+){0,2}),[ ]*"
    r"([A-Z]{2}|[A-Z][a-zA-Z]+(?:[ ][A-Z][a-zA-Z]+)?)\b"
)
# A capitalised name token in any script ("Émilie", "Marc-André", "O'Connell", "Michał"), an initial, or
# a lower-case particle inside the name ("van", "de", "binte").
_NAME_TOKEN = r"(?:[^\W\d_][^\W\d_'’.-]*(?:['’-][^\W\d_]+)*)"
_PARTICLES = r"(?:van|von|der|den|de|del|della|da|das|do|dos|du|la|le|al|el|bin|binti|binte|ibn|ter|ten|y)"
_NAME_RE = re.compile(
    rf"^(?:(?:Dr|Prof|Mr|Mrs|Ms|Mx)\.?\s+)?(?=[^\W\d_])(?:{_NAME_TOKEN}|[^\W\d_]\.)"
    rf"(?:\s+(?:{_PARTICLES}\s+)*(?:{_NAME_TOKEN}|[^\W\d_]\.)){{1,4}}$"
)


def normalize_phone(raw: str) -> str:
    """Digits with a leading ``+`` if international (``00`` prefix becomes ``+``)."""
    raw = raw.strip()
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("00"):
        return "+" + digits[2:]
    return ("+" if raw.startswith("+") else "") + digits


def find_emails(text: str) -> list[str]:
    """Unique email addresses in order of appearance (lower-cased domain)."""
    out: list[str] = []
    for match in EMAIL_RE.finditer(text):
        local, _, domain = match.group(0).partition("@")
        email = f"{local}@{domain.lower()}".rstrip(".")
        if email not in out:
            out.append(email)
    return out


def find_phones(text: str) -> list[str]:
    """Unique phone numbers (normalized) in order of appearance; dates, years and IDs are excluded."""
    blocked = [m.span() for m in DATE_RANGE_RE.finditer(text)]
    out: list[str] = []
    for match in PHONE_RE.finditer(text):
        start, end = match.span()
        if any(s < end and start < e for s, e in blocked):
            continue
        raw = match.group(0).strip()
        digits = re.sub(r"\D", "", raw)
        international = raw.startswith(("+", "00"))
        # National numbers written with a trunk 0 and groups ("01 555 0187") may have 9 digits.
        national = digits.startswith("0") and len(re.findall(r"\d+", raw)) >= 3 and len(digits) >= 9
        if not (10 <= len(digits) <= 15 or (international and len(digits) >= 8) or national):
            continue
        # Runs of digits without any separator are usually IDs, not phones, unless international.
        if raw.isdigit() and len(raw) > 11:
            continue
        # Year ranges like "2015 2019 2021" are not phones.
        if re.fullmatch(r"(?:(?:19|20)\d\d[\s./-]*){2,}", raw):
            continue
        phone = normalize_phone(raw)
        if phone not in out:
            out.append(phone)
    return out


def find_links(text: str) -> list[str]:
    """URLs and profile links (LinkedIn, GitHub...), trailing punctuation removed."""
    out: list[str] = []
    for match in LINK_RE.finditer(text):
        link = match.group(0).rstrip(".,;:)")
        if "@" in link:
            continue
        if link not in out:
            out.append(link)
    return out


def find_location(header_text: str) -> str | None:
    """``City, ST`` or ``City, Country`` from the header block."""
    for match in _LOCATION_RE.finditer(header_text):
        region = match.group(2)
        if region in US_STATES or region.lower() in COUNTRIES:
            return match.group(0)
    return None


def looks_like_name(candidate: str) -> bool:
    """Two to five capitalised name tokens (particles allowed), no digits, not a job title."""

    candidate = candidate.strip()
    if not candidate or "@" in candidate or len(candidate) > 60 or not _NAME_RE.match(candidate):
        return False
    words = [w.strip(".,").lower() for w in candidate.split()]
    heading_words = {w for phrases in SECTION_HEADINGS.values() for p in phrases for w in p.split()}
    if any(w in ROLE_WORDS or w in ORG_WORDS or w in heading_words for w in words):
        return False
    caps = [w for w in candidate.split() if w[:1].isupper()]
    return len(caps) >= 2 and all(w[:1].isupper() or re.fullmatch(_PARTICLES, w) for w in candidate.split())


def find_name(header_text: str, hint: str | None = None) -> str | None:
    """The candidate's name: the layout's name hint if it reads as a name, else the first name-like line."""
    if hint and looks_like_name(hint.strip()):
        return _title_if_upper(hint.strip())
    for line in header_text.splitlines()[:6]:
        line = line.strip()
        if not line:
            continue
        candidate = re.split(r"\s[|•·—–-]\s|\s{3,}|\t|,\s", line)[0].strip()
        if looks_like_name(candidate) or (candidate.isupper() and looks_like_name(candidate.title())):
            return _title_if_upper(candidate)
    return None


def _title_if_upper(name: str) -> str:
    return name.title() if name.isupper() else name


def extract_contact(
    text: str, header_text: str, header_footer_text: str, name_hint: str | None = None
) -> ContactInfo:
    """Contact block from the whole text; ``header_text`` is the part before the first section heading."""
    emails = find_emails(text)
    phones = find_phones(header_text) + [p for p in find_phones(text) if p not in find_phones(header_text)]
    in_band = bool(header_footer_text) and (
        bool(find_emails(header_footer_text)) or bool(find_phones(header_footer_text))
    )
    return ContactInfo(
        name=find_name(header_text, name_hint) or find_name(header_footer_text) or find_name(text[:300]),
        emails=emails,
        phones=phones,
        links=find_links(text),
        location=find_location(header_text) or find_location(header_footer_text),
        in_header_footer=in_band,
    )
