"""NLU and slot filling across turns (pure engine, no services)."""

from __future__ import annotations

from engines.chat import ConversationState, default_classifier, plan_turn
from engines.chat.dialogue import record_answer
from engines.chat.entities import LAST, Entities, default_skill_finder, extract, speller
from engines.chat.nlu import IntentPrediction, load_split, score
from engines.chat.skill_lists import listed_skills


def said(text: str) -> list[str]:
    """The skills the user named in `text`, as written."""
    return extract(text, default_skill_finder()).skills_said


def target(text: str) -> str | None:
    """The career `text` asks about, as the slot keeps it."""
    t = extract(text, default_skill_finder()).target
    return t.name if t else None


def where(text: str) -> str | None:
    """The place `text` names, as the slot keeps it."""
    return extract(text, default_skill_finder()).location


def _turn(st: ConversationState, text: str, skills: bool = False) -> tuple[ConversationState, str]:
    """One turn through the classifier and the dialogue; `skills`: with the skill matcher."""
    finder = default_skill_finder() if skills else (lambda t: [])
    plan = plan_turn(st, text, default_classifier().predict(text), extract(text, finder))
    return record_answer(plan.state, "", None), plan.intent


def showing(kind: str, *labels: str) -> ConversationState:
    """A conversation that has just shown a list of `kind` ("courses" or "careers") with these labels."""
    items = [{"id": f"i{k}", "label": label} for k, label in enumerate(labels, start=1)]
    return ConversationState(last_list={"kind": kind, "items": items})


def test_test_split_meets_targets() -> None:
    clf = default_classifier()
    data = load_split("test")
    s = score([i for _, i in data], [p.label for p in clf.predict_many([t for t, _ in data])])
    assert s["oos_recall"] >= 0.85 and s["oos_precision"] >= 0.85
    assert s["intent_accuracy"] >= 0.92  # measured 0.94 with the sentence embedding (see README)


def test_follow_up_and_bare_answer() -> None:
    st, intent = _turn(ConversationState(), "how much does it pay?")
    assert intent == "salary_info" and st.pending_intent == "salary_info"
    st, intent = _turn(st, "web developer")
    assert intent == "salary_info" and st.slots["target_career"] == "web developer"
    st, intent = _turn(st, "and in Munich?")
    assert intent == "salary_info" and st.slots["location"] == "Munich"


def test_ordinal_resolves_against_last_list() -> None:
    st = ConversationState(
        last_list={"kind": "courses", "items": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}]}
    )
    st, _ = _turn(st, "any courses for the second one?")
    assert st.slots["course_ref"] == 2


def test_tools_that_only_count_with_their_casing() -> None:
    finder = default_skill_finder()
    # Typed with their capitals they are skills, though the NLU sees lower-cased text.
    assert {"Go", "Rust"} <= set(extract("I know Go and Rust", finder).skills)
    assert "Microsoft Excel" in extract("I know Excel and accounting", finder).skills
    # Lower case, or a sentence's first capital, they are the common words.
    assert extract("i excel at sql", finder).skills == ["SQL"]
    assert extract("Go to Dublin. Go on, tell me", finder).skills == []
    # A capital that says nothing: not a listing of skills.
    assert extract("I'm Ruby, what career suits me?", finder).skills == []
    # Title Case says nothing either; but "I know X and Y" lists skills, taken as written.
    assert extract("I Know Go And Rust", finder).skills_said == ["go", "rust"]


def test_a_list_of_the_users_skills_is_taken_item_by_item_as_written() -> None:
    finder = default_skill_finder()
    ent = extract("I'm good with customer service, cash handling and stock management. what else?", finder)
    # Whether or not the matcher knows an item ("cash handling"), and not the word it knows inside
    # one ("stock" of "stock management").
    assert ent.skills_said == ["customer service", "cash handling", "stock management"]
    assert ent.skills[0] == "Customer Service"  # the matcher's name where it knows the item
    # The list ends at a clause that is not about the user's skills; a denied item is no skill.
    assert extract("I know Linux, bash and Git but I don't know kubernetes", finder).skills_said == [
        "linux",
        "bash",
        "git",
    ]
    assert extract("I know Kotlin and Swift, not flutter though", finder).skills_said == ["kotlin", "swift"]
    assert extract("I speak Spanish and French fluently and I'm good at writing", finder).skills_said == [
        "spanish",
        "french",
        "writing",
    ]
    assert extract("I have a question about my CV", finder).skills_said == []


def test_places_beyond_the_bots_list_need_a_preposition_and_their_capital() -> None:
    finder = default_skill_finder()
    assert extract("how much does a welder earn in Aberdeen", finder).location == "Aberdeen"
    assert extract("in cork", finder).location == "Cork"  # all lower case: the user writes no capitals
    assert extract("I have experience in mobile development", finder).location is None
    assert extract("which exams should I take", finder).location is None  # not "texas"


def test_one_word_jobs_count_where_they_are_used_as_jobs() -> None:
    finder = default_skill_finder()
    assert extract("how do I tailor my CV for this?", finder).target is None
    assert extract("do you store what I type here?", finder).target is None
    target = extract("what does a tailor earn?", finder).target
    assert target is not None and target.name == "tailor"
    target = extract("I'm trying to get a job as a paralegal", finder).target
    assert target is not None and target.name == "paralegal" and target.id == ""


def test_last_and_middle_resolve_against_the_list_shown() -> None:
    shown = {"kind": "careers", "items": [{"id": f"c{i}", "label": f"job {i}"} for i in (1, 2, 3)]}
    for text, label in (("the last one sounds good", "job 3"), ("the middle one please", "job 2")):
        st = ConversationState(last_list=shown)
        plan = plan_turn(st, text, default_classifier().predict(text), extract(text, lambda t: []))
        assert plan.state.slots["target_career"] == label


def test_skills_added_in_a_follow_up_accumulate() -> None:
    finder = default_skill_finder()
    st = ConversationState()
    for text in ("I have aws and docker", "also linux and python", "and some sql too"):
        plan = plan_turn(st, text, default_classifier().predict(text), extract(text, finder))
        st = record_answer(plan.state, "", None)
    assert set(st.slots["skills"]) == {"aws", "docker", "linux", "python", "sql"}
    # A question or a denial is not more of the listing.
    for text in ("and do I need kubernetes?", "and I don't know java"):
        plan = plan_turn(st, text, default_classifier().predict(text), extract(text, finder))
        assert set(plan.state.slots["skills"]) == {"aws", "docker", "linux", "python", "sql"}
    # Said as the user's own, they count even in a question.
    text = "I have html and css, what am I missing for web developer?"
    plan = plan_turn(ConversationState(), text, default_classifier().predict(text), extract(text, finder))
    assert set(plan.state.slots["skills"]) == {"html", "css"}
    # Without skills of their own yet, "also X" names a topic, not the user's skills.
    text = "also python"
    plan = plan_turn(ConversationState(), text, default_classifier().predict(text), extract(text, finder))
    assert not plan.state.slots.get("skills")


def test_skills_are_kept_as_written_and_acted_on_by_their_canonical_names() -> None:
    finder = default_skill_finder()
    text = "I know photoshop and Excel, which job would suit me?"
    plan = plan_turn(ConversationState(), text, default_classifier().predict(text), extract(text, finder))
    assert set(plan.state.slots["skills"]) == {"photoshop", "excel"}
    assert set(plan.state.skill_names) == {"Adobe Photoshop", "Microsoft Excel"}


def test_a_job_title_the_catalogue_does_not_know_is_still_the_career_asked_about() -> None:
    finder = default_skill_finder()
    st = ConversationState()
    for text in ("how much do data engineers earn?", "and a senior machine learning engineer?"):
        plan = plan_turn(st, text, default_classifier().predict(text), extract(text, finder))
        st = record_answer(plan.state, "", None)
    # Not the previous career, and no catalogue id that would answer for another career.
    assert st.slots["target_career"] == "machine learning engineer" and st.career_id is None
    # "machine learning" is part of the title, not a skill of the user's.
    assert extract("could I become a machine learning engineer?", finder).skills == []
    # Modifiers must be title words as typed: no career in "a better developer".
    assert extract("I want to be a better developer", finder).target is None


def test_the_users_present_job_is_not_the_career_asked_about() -> None:
    ent = extract("I'm a primary school teacher, would data analyst suit me?", default_skill_finder())
    assert [c.current for c in ent.careers] == [True, False]
    assert ent.target is not None and ent.target.name == "data analyst"
    # Named alone, the present job is the career.
    ent = extract("I'm a nurse, how much do nurses earn?", default_skill_finder())
    assert ent.target is not None and ent.target.name == "nurse"


def test_an_off_topic_question_leaves_the_conversations_place_and_career() -> None:
    finder = default_skill_finder()
    st = ConversationState()
    for text in ("how much do baristas earn in Brighton?", "what's the capital of Australia?"):
        plan = plan_turn(st, text, default_classifier().predict(text), extract(text, finder))
        st = record_answer(plan.state, "", None)
    assert st.slots["location"] == "Brighton" and st.slots["target_career"] == "barista"
    # Where the user comes from is not a place asked about: it is their home, which the conversation
    # takes only while it has no place (test_where_the_user_is_from_is_the_place_until_they_name_one).
    ent = extract("I am a fresher from Coimbatore. What suits me?", finder)
    assert ent.location is None and ent.home == "Coimbatore"


def test_a_career_is_named_as_the_user_typed_it() -> None:
    finder = default_skill_finder()
    target = extract("how much do solar panel installers make in texas", finder).target
    # The catalogue knows "installer": its id, the user's words.
    assert target is not None and target.name == "solar panel installer" and target.id
    target = extract("any tips for finding electrician jobs in Vancouver?", finder).target
    assert target is not None and target.name == "electrician"
    target = extract("thinking about becoming a nurse practitioner", finder).target
    assert target is not None and target.name == "nurse practitioner"
    assert extract("I graduated in English Literature last summer", finder).location is None


def test_review_cases_odd_input_numbers_in_a_listing_and_ordinary_last_and_middle() -> None:
    finder = default_skill_finder()
    for text in ("", "?", "👍", "東京"):
        assert not extract(text, finder).any  # no made-up place from a name that normalises to nothing
    assert extract("I have 5 years of experience with Python", finder).skills_said == ["python"]
    assert extract("I know sql and know Java", finder).skills_said == ["sql", "java"]
    assert extract("I have been to London", finder).skills_said == []
    assert extract("I spent the last year learning Python", finder).ordinal is None
    assert extract("I'm in the middle of a career change", finder).ordinal is None
    # A conversation saved before skills were kept as written still acts on its skills.
    old = ConversationState.from_dict({"slots": {"skills": ["Python", "SQL"]}})
    assert old.skill_names == ["Python", "SQL"]


def test_more_ways_of_listing_ones_skills() -> None:
    # A bracketed list after what the user is or was.
    assert said("I'm a data engineer (Python, Airflow, dbt) looking for a change") == [
        "python",
        "airflow",
        "dbt",
    ]
    assert said("I was a chef for 9 years (menu costing, food safety) and want out") == [
        "menu costing",
        "food safety",
    ]
    # "i do", "I can do", "my strengths are", "I'm a <job> with", "I ran", "I also did", "im good at".
    assert said("im a plasterer, i do skimming and dry lining. what next?") == ["skimming", "dry lining"]
    assert said("I can do bookkeeping, payroll and invoicing.") == ["bookkeeping", "payroll", "invoicing"]
    assert said("My strengths are R&D, budgeting and vendor management.") == [
        "r&d",
        "budgeting",
        "vendor management",
    ]
    assert said("I'm a roofer with lead work and slating, what else?") == ["lead work", "slating"]
    assert said("I ran our quarterly forecasting for two years") == ["quarterly forecasting"]
    assert said("I also did copywriting for a local charity") == ["copywriting"]
    assert said("im really good at sketching and calligraphy") == ["sketching", "calligraphy"]
    assert said("i alredy use xero at my job") == ["xero"]
    assert said("I already know basic networking and scripting from my job") == [
        "basic networking",
        "scripting",
    ]
    assert said("At the moment it lists payroll, Excel and Sage. Enough?") == ["payroll", "excel", "sage"]
    # Not lists of the user's skills: a relative clause, what the user is thinking about.
    assert said("any courses? something i can do part time") == []
    assert said("I'm a cop with 12 years in, thinking about getting out") == []


def test_careers_as_typed_fields_named_as_jobs_and_it_as_a_word_of_a_title() -> None:
    assert target("would a non-executive director role suit me?") == "non-executive director"
    assert target("do non-executive directors get paid well") == "non-executive director"
    assert target("Would product management be a good fit for me?") == "product manager"
    assert target("how do i get a data engineering internship") == "data engineer"
    assert target("I want to get into software development") == "software developer"
    assert target("I'd love a career in nursing") == "nurse"
    assert target("I have 5 years in software development") is None  # experience, not the job asked about
    assert target("would time management be a good thing to learn") is None
    assert target("i want to be an it support technician") == "it support technician"


def test_an_item_of_the_list_shown_is_named_by_its_words() -> None:
    shown = {
        "kind": "courses",
        "items": [
            {"id": "a", "label": "CompTIA A+ Core 1"},
            {"id": "b", "label": "Google IT Support Professional Certificate"},
            {"id": "c", "label": "Open University Certificate in Computing"},
        ],
    }
    st, _ = _turn(ConversationState(last_list=shown), "is the google one free?")
    assert st.slots["course_ref"] == 2
    st, _ = _turn(ConversationState(last_list=shown), "what about the Open University course")
    assert st.slots["course_ref"] == 3
    # Words in no label, or in more than one, name nothing; "the other one" is no name.
    st, _ = _turn(ConversationState(last_list=shown), "is the certificate one online?")
    assert st.slots["course_ref"] is None
    st, _ = _turn(ConversationState(last_list=shown), "what about the other one")
    assert st.slots["course_ref"] is None


def test_a_reference_to_the_list_or_a_list_of_skills_stays_in_the_conversation() -> None:
    shown = {
        "kind": "courses",
        "items": [{"id": "a", "label": "Forklift A"}, {"id": "b", "label": "NEBOSH B"}],
    }
    # The classifier alone reads "how many weeks is number 2" as out of scope.
    assert default_classifier().predict("how many weeks is number 2").intent != "course_recommendation"
    st, intent = _turn(ConversationState(last_list=shown), "how many weeks is number 2")
    assert intent == "course_recommendation" and st.slots["course_ref"] == 2
    # Skills listed with no request under way: careers that suit them; with one: that request.
    finder = default_skill_finder()
    text = "I've done a bit of bricklaying and plastering on site"
    plan = plan_turn(ConversationState(), text, default_classifier().predict(text), extract(text, finder))
    assert plan.intent == "career_advice" and plan.state.slots["skills"] == ["bricklaying", "plastering"]
    st = ConversationState(intent="skill_gap", slots={**ConversationState().slots, "target_career": "roofer"})
    plan = plan_turn(st, text, default_classifier().predict(text), extract(text, finder))
    assert plan.intent == "skill_gap"


def test_what_the_eighth_set_found() -> None:
    finder = default_skill_finder()

    # The career aimed at ("become a ...") is the one asked about, whatever other job is named.
    assert target("Bus driver for 12 years. Could I become a dog groomer?") == "dog groomer"
    # A title the message opens with; not a place, not "brilliant, thanks".
    assert target("Flood risk assessor, what does that pay?") == "flood risk assessor"
    assert target("Manchester, what is the pay?") is None
    assert target("brilliant, thanks for that") is None
    # Two names in a row are one title; a seniority word that ends a title stays.
    assert target("I want to become electric vehicle technician") == "electric vehicle technician"
    assert target("thinking about becoming a clinical research associate") == "clinical research associate"
    # People in a clause are not the career asked about.
    assert target("is there a course that employers actually look for?") is None
    # Typos of two letters in long words.
    assert target("what does a vetinary nurse earn") == "veterinary nurse"
    assert target("how much do phychologists make") == "psychologist"
    # The first place named; a language the user speaks is no country.
    assert extract("is it taught in Leeds or only London?", finder).location == "Leeds"
    assert extract("I speak German and Polish", finder).location is None
    assert said("I speak German and Polish") == ["german", "polish"]
    # More ways of listing: "I play", "its got ... on it", "ive done" after "and".
    assert said("I play guitar and drums") == ["guitar", "drums"]
    assert said("its got MIG, TIG and stick on it") == ["mig", "tig", "stick"]
    assert said("ive got a level 2 in food hygiene and ive done barista work") == [
        "food hygiene",
        "barista work",
    ]
    # "I ran" a thing is no skill, "I ran our" activity is.
    assert said("I ran a 40 acre dairy and beef farm") == []


def test_a_short_name_of_the_career_under_way_keeps_it() -> None:
    st, _ = _turn(ConversationState(), "how much does a dental hygienist earn?")
    assert st.slots["target_career"] == "dental hygienist"
    st, _ = _turn(st, "and what do hygienists earn in Leeds")
    assert st.slots["target_career"] == "dental hygienist" and st.slots["location"] == "Leeds"
    st, _ = _turn(st, "what about a dental nurse")
    assert st.slots["target_career"] == "dental nurse"


def test_what_the_ninth_set_found() -> None:
    finder = default_skill_finder()

    # Clipped listings, "handy with", qualifiers after an item, where it was done.
    assert said("welder 10 yrs. got coded welding and rigging already") == ["coded welding", "rigging"]
    assert said("Left the navy. Did radar maintenance and watchkeeping.") == [
        "radar maintenance",
        "watchkeeping",
    ]
    assert said("i know sql and tableau only") == ["sql", "tableau"]
    assert said("I'm handy with spreadsheets") == ["spreadsheets"]
    assert said("I've done auditing on plenty of charity accounts") == ["auditing"]
    assert said("can I use my student loan for it?") == []  # a question, not a listing
    # Careers: no article needed after "become"; "into ... roles"; the other side of hiring is no career.
    assert target("my boss says I could become store manager one day") == "store manager"
    # (the catalogue, since its definitions start at their first sentence, knows "data manager" as an
    # alternative title of database administrator; "clinical" is lost)
    assert target("friends of mine went into clinical data management roles") == "data manager"
    assert target("how do I write a CV a recruiter will read?") is None
    assert target("should I become a recruiter?") == "recruiter"
    assert target("is game design a safer bet?") == "game designer"
    # Countries by name; demonyms stay words.
    assert extract("what are the options in New Zealand?", finder).location == "New Zealand"
    assert extract("is it valid for indian companies?", finder).location is None


def test_list_items_by_their_start_by_an_acronym_and_careers_by_their_end() -> None:
    courses = {
        "kind": "courses",
        "items": [
            {"id": "a", "label": "PMP Certification Prep"},
            {"id": "b", "label": "Master of Nursing (University of Otago)"},
            {"id": "c", "label": "Blender Studio Basics"},
        ],
    }
    st, _ = _turn(ConversationState(last_list=courses), "the Otago uni one, is it part time?")
    assert st.slots["course_ref"] == 2 and st.slots["location"] is None  # a place in a course's name
    st, _ = _turn(ConversationState(last_list=courses), "can I pay for the PMP in instalments?")
    assert st.slots["course_ref"] == 1
    st, _ = _turn(ConversationState(last_list=courses), "blender studio one is that free")
    assert st.slots["course_ref"] == 3
    st, _ = _turn(ConversationState(last_list=courses), "how much does it pay in the UK?")
    assert st.slots["course_ref"] is None and st.slots["location"] == "UK"
    careers = {
        "kind": "careers",
        "items": [{"id": "x", "label": "truck dispatcher"}, {"id": "y", "label": "fleet manager"}],
    }
    st, _ = _turn(
        ConversationState(last_list=careers), "dispatcher. how do i apply with no office experience"
    )
    assert st.slots["target_career"] == "truck dispatcher" and st.career_id == "x"


def test_what_the_tenth_set_found() -> None:
    finder = default_skill_finder()
    # English words are no typos: "worked" is not "worker" (the words of ESCO's career descriptions).
    assert extract("only ever worked tills at a supermarket, how do i write a cv", finder).target is None
    assert extract("what does a vetinary nurse earn", finder).target is not None
    # "all the ..." before an item, a level in a qualification.
    assert extract("i have haccp level 3 and i do all the allergen labelling", finder).skills_said == [
        "haccp level 3",
        "allergen labelling",
    ]
    st, _ = _turn(showing("courses", "RAC Exam", "EPT Course"), "the EPT thing, what is it exactly")
    assert st.slots["course_ref"] == 2


def test_review_cases_wide_list_triggers_keep_what_the_matcher_found_and_loose_pointers() -> None:
    finder = default_skill_finder()

    # A trigger that gives no list does not wipe the skills the matcher found (the course topic).
    assert said("Got it. What courses teach SQL?") == ["sql"]
    assert said("I'm a nurse with 10 years experience, what about Python courses?") == ["python"]
    assert said("I do want to learn Python") == ["python"]
    assert not extract("Done. Tell me about Java courses", finder).own_skills
    st, intent = _turn(ConversationState(), "Got it. What courses teach SQL?")
    assert intent == "course_recommendation"
    # "can't" denies.
    st, _ = _turn(ConversationState(), "I can't use Excel")
    assert st.slots["skills"] == []
    # Demonyms are no typos of places nor of other words; plural typos find the career.
    assert extract("I am an Australian nurse", finder).location is None
    assert all("romanist" not in c.name for c in extract("I am a Romanian nurse", finder).careers)
    programmers = extract("how much do programers earn", finder).target
    assert programmers is not None and programmers.name == "programmer"
    # A very long "word" is left alone quickly (the distance-2 search grows with its square).
    assert extract("x" * 2000, finder).target is None
    # Loose pointers: not a list reference, nor a course-list turn.
    shown = {
        "kind": "courses",
        "items": [{"id": "a", "label": "A course"}, {"id": "b", "label": "Biology degree"}],
    }
    for text in ("No, 2 years is too long", "I have a degree in biology", "python course please"):
        st, _ = _turn(ConversationState(last_list=shown), text)
        assert st.slots["course_ref"] is None, text
    st, intent = _turn(
        ConversationState(last_list=shown), "the first step is hard, I keep failing the maths part"
    )
    assert intent != "course_recommendation" or st.slots["course_ref"] is None


def test_the_classifier_reads_meaning_as_well_as_words() -> None:
    features = dict(default_classifier().pipeline.named_steps["features"].transformer_list)
    assert set(features) == {"chars", "words", "meaning"}
    # The embedding part is the packaged WordLlama model: 256 numbers a text, the same for one text.
    rows = features["meaning"].transform(["how much do welders earn", "how much do welders earn"])
    assert rows.shape == (2, 256) and (rows[0] == rows[1]).all() and abs(rows[0]).sum() > 0


def test_what_the_eleventh_set_found_places() -> None:
    finder = default_skill_finder()
    # Accents fold, and cities of countries without telephone area codes are places.
    assert where("I work in freight forwarding in Gdańsk") == "Gdańsk"
    assert where("I work in freight forwarding in Gdansk") == "Gdansk"
    assert where("helpdesk tech in Tallinn, 2 yrs") == "Tallinn"
    assert where("what do they make in Doha?") == "Doha"
    # Languages, months and days are no places.
    assert where("should I write the cover letter in English?") is None
    assert where("Getting out of the Army in March after 10 yrs") is None
    # Where the user lives now wins over where they were.
    text = "I was economist in a factory in Kharkiv, now I live in Prague. What jobs can I find?"
    assert extract(text, finder).location == "Prague"
    assert extract(text, finder).target is None  # a past job, not a title "was economist"


def test_what_the_eleventh_set_found_skills() -> None:
    assert said("i know incoterms and hs classification quite good") == ["incoterms", "hs classification"]
    assert said("i have manual handling and i've done loads of dementia care") == [
        "manual handling",
        "dementia care",
    ]
    assert said("I know 1C and Excel, and a little bit Czech") == ["1c", "excel", "czech"]
    assert said("I have advanced Excel and SQL") == ["advanced excel", "sql"]  # "-ed" is no past tense here
    assert said("i already do the material takeoffs and pricing for my boss") == [
        "material takeoffs",
        "pricing",
    ]
    assert said("i guess i do cash handling and dealing with customer complaints") == [
        "cash handling",
        "customer complaints",
    ]
    # "I have worked ..." lists nothing.
    assert said("I have worked for small studios for 11 years, mainly on residential renovations") == []


def test_what_the_eleventh_set_found_careers() -> None:
    # A greeting is no part of a title, and the career weighed up is the one asked about.
    text = (
        "hiya, care assistant in a nursing home in cork. would occupational therapy assistant be a good move?"
    )
    assert target(text) == "occupational therapy assistant"
    assert target("Off topic, but do you know what the winters are like in Eindhoven?") is None
    assert (
        target("A friend in the Netherlands says BIM coordinators are in demand there") == "bim coordinator"
    )
    assert target("I'm a graphic designer at a newspaper in Buenos Aires") is None
    # One career of the catalogue named twice: the name it has where the user aims at it.
    text = "I'm a staff nurse in a government hospital. I want to become a critical care nurse."
    assert target(text) == "critical care nurse"


def test_a_bare_acronym_names_the_item_of_the_list_that_carries_it() -> None:
    security = showing("courses", "CompTIA Security+", "Blue Team Level 1 (BTL1)")
    st, intent = _turn(security, "is BTL1 recognised by employers in europe?")
    assert st.slots["course_ref"] == 2 and intent == "course_recommendation"
    # Not an acronym inside a career's name, nor one no item carries.
    esg = showing("courses", "GRI Standards", "ESG basics")
    st, _ = _turn(esg, "How much does an ESG analyst make in Mexico City?")
    assert st.slots["course_ref"] is None
    st, _ = _turn(security, "is PMP worth it?")
    assert st.slots["course_ref"] is None
    # Nor one of the user's own skills.
    st, _ = _turn(
        showing("courses", "SQL Basics", "Python 101"), "I already know SQL, what else?", skills=True
    )
    assert st.slots["course_ref"] is None


def test_review_cases_of_the_eleventh_sets_rules() -> None:
    finder = default_skill_finder()

    def where(text: str) -> str | None:
        return extract(text, finder).location

    # The first place still wins unless the user says where they live now.
    assert where("What do nurses earn in London? I am based in Leeds.") == "London"
    assert where("Are there welding jobs in Aberdeen? I live in Glasgow") == "Aberdeen"
    # Any occurrence written as a place counts ("reading" the word, "Reading" the town).
    assert where("I love reading, looking for jobs in Reading") == "Reading"
    assert where("I studied at Bath Spa University and want to work in Bath") == "Bath"
    # Only the languages people write in are no places: "Alabama" is also a language of CLDR's.
    assert where("what do nurses earn in Alabama?") == "Alabama"
    # Letters without a decomposition fold too.
    assert where("jobs in Tromso?") == "Tromso" and where("jobs in Łódź?") == "Łódź"
    # "good career options" weighs up no career; the user's own job stays theirs.
    assert target("I'm a nurse, good career options abroad?") is None
    # "the evening one" still names a course.
    st, _ = _turn(showing("courses", "Day course", "Evening course"), "the evening one, how long is it?")
    assert st.slots["course_ref"] == 2


def test_what_the_twelfth_set_found() -> None:
    finder = default_skill_finder()
    # Text speak "n" joins items; "I run my family farm" is a business, not a skill list.
    assert said("ok wat am i missing 2 become 1, i do rostering n stock ordering already") == [
        "rostering",
        "stock ordering",
    ]
    text = "hi, i run my family wheat and rice farm near Ludhiana, 10 acres. am i ready"
    assert said(text) == [] and extract(text, finder).location == "Ludhiana"
    # "based out of", and a lower-case place as the user spelled it.
    assert extract("weldr 7yrs offshore out of aberdeen. wat cert do i need", finder).location == "Aberdeen"
    assert extract("im a personal trainer in medellin", finder).location == "medellin"
    # "I work as receptionist" is the user's job; a title with a word typed before it; fields as jobs.
    assert target("I work as receptionist in a hostel in Kraków. Which jobs can I grow into?") is None
    assert target("should I become a mortgage loan officer?") == "mortgage loan officer"
    assert target("would I make a decent technical writer?") == "technical writer"
    assert target("I'm a claims handler. Would underwriting suit me better?") == "underwriter"
    assert target("Should I move into podcast producing or stay in radio?") == "podcast producer"
    # A recruiter is the other side of hiring; the career asked about comes after.
    assert target("oi! recruiter in São Paulo. what should I get to become HR business partner?") == (
        "hr business partner"
    )
    # A career of the list shown picked by its first words; a follow-up place is no off-topic question.
    st, _ = _turn(
        showing("careers", "Hotel Manager", "Guest Relations Officer"), "guest relations sounds nice"
    )
    assert st.slots["target_career"] == "guest relations officer"
    st = ConversationState(slots={"target_career": "pilates instructor", "location": "Bogotá", "skills": []})
    st, _ = _turn(st, "what about in Valencia? want to move to spain someday")
    assert st.slots["location"] == "Valencia"


def test_what_the_thirteenth_set_found_careers() -> None:
    # A career weighed up ("I'm thinking X", "X a realistic switch") beats the job held "after 8 years as".
    text = (
        "Just got out of the Navy after 8 years as an electronics technician. I'm thinking network engineer."
    )
    assert target(text) == "network engineer"
    assert target("Hospital pharmacist, 9 years. Would data analyst be a realistic switch?") == "data analyst"
    # ... but "thinking about a portfolio career" names no career, so the one asked about stays.
    text = (
        "After 20 years as a finance director I'm thinking about a portfolio career. "
        "Would non-executive director roles suit me?"
    )
    assert target(text) == "non-executive director"
    # Words typed before a known title that belong to careers' names stay; verbs and prepositions do not.
    assert (
        target("a former colleague said clinical data manager might suit me better")
        == "clinical data manager"
    )
    assert target("I think to become QA automation engineer. Is good idea?") == "qa automation engineer"
    assert target("I want to become electric vehicle technician") == "electric vehicle technician"
    assert (
        target("I'm a children's social worker trying to move into policy officer roles") == "policy officer"
    )
    # A title said as a job held, when the user asks what else they could do; "session" is no typo.
    assert target("yo. session guitarist, also do weddings. what else could i actually do") is None
    ent = extract(
        "I'm a child protection social worker in Bristol. Would HR suit me?", default_skill_finder()
    )
    assert next((c.name, c.current) for c in ent.careers) == ("child protection social worker", True)
    assert ent.skills_said == []  # "child protection" is part of the job's name here


def test_what_the_thirteenth_set_found_places_and_skills() -> None:
    finder = default_skill_finder()
    # Where the user is beats where they come from; acronyms in caps do not make a lower-case writer's
    # places need capitals.
    text = "I am from Brazil, I work in a fintech in Curitiba."
    assert extract(text, finder).location == "Curitiba"
    assert extract("im a call center agent here in cebu, our WFM team looks chill", finder).location == "Cebu"
    # Bulleted lists, "My skills is:", credentials "got my ...", a standard's number, "i already no".
    assert said("What am I missing? My skills:\n- SQL\n- Excel\n- Power BI\n- clinical audit") == [
        "sql",
        "excel",
        "power bi",
        "clinical audit",
    ]
    assert said("My skills is: writing test cases, Jira, Postman. What is missing?") == [
        "writing test cases",
        "jira",
        "postman",
    ]
    assert said("got my pcv licence and im good at customer service") == ["pcv licence", "customer service"]
    assert said("i can do racking and i know NEC 690 pretty well") == ["racking", "nec 690"]
    assert said("i already no html n css from my old tumblr lol") == ["html", "css"]
    # No skills: an interview the user has, a count, a skill's name used as a verb.
    assert said("I have interview next week with a european company, all in english. tips?") == []
    assert said("I've run user interviews and usability testing") == ["user interviews", "usability testing"]
    assert said("Is good idea or the AI will finish this job?") == []


def test_what_the_thirteenth_set_found_list_items() -> None:
    courses = showing(
        "courses", "Selenium WebDriver with Java", "Cypress End-to-End Testing", "ISTQB Foundation"
    )
    st, _ = _turn(courses, "the cypress is with subtitle in portuguese?")
    assert st.slots["course_ref"] == 2
    cipd = showing("courses", "CIPD Level 3 Foundation", "CIPD Level 5 Associate Diploma", "Mediation skills")
    st, _ = _turn(cipd, "Level 5 straight away, or is that silly?")
    assert st.slots["course_ref"] == 2
    # One word that opens a message is too little to name an item.
    st, _ = _turn(showing("courses", "Excel for beginners", "SQL basics"), "Excel is what I know best")
    assert st.slots["course_ref"] is None


def test_a_short_message_ending_with_a_place_and_a_job_left_behind() -> None:
    finder = default_skill_finder()
    assert extract("salary marine surveyor Rijeka", finder).location == "Rijeka"
    assert extract("I use Excel", finder).location is None  # a skill, not the town
    text = "I'm retiring from the police, most of it as a detective. What could I do next?"
    assert target(text) is None


def test_what_the_fourteenth_set_found_careers() -> None:
    # A title followed by how long is the user's own; "thinking X" keeps the word typed before a title.
    assert target("taxi driver karachi 6 yr. want better job") is None
    text = "game tester at a AAA studio for 3 yrs. thinking QA automation engineer is my way out. good idea?"
    assert target(text) == "qa automation engineer"
    # A known career after "get into ... as a" is the one aimed at; "maybe X"; catalogue heads ("educator").
    text = "Want to get into offshore wind as a wind turbine technician. What certs do I need?"
    assert target(text) == "wind turbine technician"
    assert target("I want something more stable, maybe museum educator?") == "museum educator"
    # No career: "be a bit long", a credential named like a job, "recognised" and "commis" are no part.
    assert target("Hi. This is going to be a bit long, sorry.") is None
    assert target("i've got a food safety supervisor certificate") is None
    assert target("Is there a recognised board director qualification?") is None
    assert target("a restaurant offered me a commis sommelier spot") == "sommelier"


def test_what_the_fourteenth_set_found_skills_places_and_pointers() -> None:
    finder = default_skill_finder()
    assert said("My background is stock control, SAP EWM and shift planning.") == [
        "stock control",
        "sap ewm",
        "shift planning",
    ]
    assert said("am i ready? i do cash handling, KYC checks and credit card cross-selling") == [
        "cash handling",
        "kyc checks",
        "credit card cross-selling",
    ]
    assert said("already got BOSIET and working at height. do i still need the first one?") == [
        "bosiet",
        "working at height",
    ]
    assert said("I already run John Deere Operations Center, auto-steer and yield mapping") == [
        "john deere operations center",
        "auto-steer",
        "yield mapping",
    ]
    assert said("Is there a short course for demand planning I can do after hours?") == []
    assert said("I did look online but there are so many") == []
    text = "Getting out of the Air Force after 8 years as a crew chief, stationed at Little Rock."
    assert extract(text, finder).location == "Little Rock"
    # "the first thing anyone will notice" is no item of the list shown.
    assert extract("that's the first thing anyone will notice", finder).ordinal is None
    # A list's career by its opening words and "is good"; a message about the user's own job is no
    # off-topic question, so its place stays.
    st, _ = _turn(
        showing("careers", "Transport Dispatcher", "Fleet Coordinator"), "dispatcher is good. what i need?"
    )
    assert st.slots["target_career"] == "transport dispatcher"
    st, _ = _turn(ConversationState(), "I was an HR administrator for six years. We live just outside Leeds.")
    assert st.slots["location"] == "Leeds"


def test_what_the_fifteenth_set_found_careers() -> None:
    assert target(
        "Salam. Site manager in Riyadh, 11 years. I want to move up to Senior Project Manager."
    ) == ("project manager")
    assert target("sorry i meant dispatcher, not logistics coordinator") == "dispatcher"
    ent = extract("What careers actually make sense for ex-dancers?", default_skill_finder())
    assert [(c.name, c.current) for c in ent.careers] == [("dancer", True)]
    assert target("tour guide in Cusco. any stable jobs for me?") is None
    # A title's words stay within one sentence.
    assert target("a degree is a lot at my age. Pilates instructor would be quicker") == "pilates instructor"


def test_what_the_fifteenth_set_found_skills_places_and_pointers() -> None:
    finder = default_skill_finder()
    text = "I've done search and rescue coordination; incident command; small boat operations."
    assert said(text) == ["search and rescue coordination", "incident command", "small boat operations"]
    assert said("experience with data entry, Guidewire ClaimCenter and pulling police reports") == [
        "data entry",
        "guidewire claimcenter",
        "pulling police reports",
    ]
    assert said("tour guide. speak spanish, quechua, english.") == ["spanish", "quechua", "english"]
    assert said("How do I write my CV when I have no experience, only national service?") == []
    assert said("I know anatomy quite well from dance") == ["anatomy"]
    assert extract("sorry, Bandung i mean, not Surabaya", finder).location == "Bandung"
    assert extract("option 2, do i have to go in person?", finder).ordinal == 2
    assert extract("1 prob. what am i missing?", finder).ordinal == 1
    assert extract("2 years is too long", finder).ordinal is None
    assert extract("3 months one fees?", finder).ordinal is None  # "months" is no typo of "mounts"
    # One opening word set apart names an item; a pick from a careers list is no off-topic message;
    # smalltalk about a job changes no slot.
    st, _ = _turn(showing("courses", "STOTT Pilates", "Polestar Pilates"), "Polestar - can I skip modules?")
    assert st.slots["course_ref"] == 2
    st, _ = _turn(showing("careers", "Mine Dispatcher", "Site Clerk"), "dispatcher sounds sweet")
    assert st.slots["target_career"] == "mine dispatcher"
    st = ConversationState(slots={"target_career": "food safety inspector", "location": None, "skills": []})
    st, _ = _turn(st, "tell me a joke about chefs")
    assert st.slots["target_career"] == "food safety inspector"


def test_review_cases_of_the_thirteenth_to_fifteenth_sets_rules() -> None:
    finder = default_skill_finder()
    # A title's words stay within a clause; a catalogue word before a title glues only inside one.
    assert target("I love marketing, data analyst salary?") == "data analyst"
    assert target("I studied business. Data analyst or project manager?") == "data analyst"
    # Asking what else to do leaves behind only a job named before the question and not weighed up.
    assert target("Data analyst sounds good. What should I do next?") == "data analyst"
    assert target("What other jobs are similar to data analyst?") == "data analyst"
    # How long, said of experience, is no sign of the user's own job.
    assert target("salary for a nurse with 10 years experience") == "nurse"
    # Objects and credentials are no careers; an aim is not lost to a job named after it.
    assert target("Can I use a grammar checker for my cover letter?") is None
    assert target("I want to do a nurse practitioner course") == "nurse practitioner"
    assert target("I want to be a dog walker instead of an accountant") == "dog walker"
    # Capitalised words that are no acronym make a writer who writes names with capitals.
    assert extract("Do I need a degree in commerce?", finder).location is None
    assert extract("My experience is in mobile and web development", finder).location is None
    # People's names and places of study are no closing place; "work from" is where the user is.
    assert extract("Hi, my name is Charlotte", finder).location is None
    assert extract("Great thanks Jordan", finder).location is None
    assert extract("I work remotely from Lisbon for a company in London", finder).location == "Lisbon"
    # Skill lists: held things end a list only when they are things held; verbs after "I do" are no
    # skills; "to" before a skill's name is no verb.
    assert said("I have interview skills, Excel and Jira") == ["interview", "excel", "jira"]
    assert said("Any tips? I do get nervous in interviews") == []
    assert said("I also run marathons") == [] and said("I already run my own cleaning business") == []
    assert said("I'm already no longer working there") == []
    assert "python" in said("I switched to python from java last year")
    assert said("I have done out of hours support") == ["out of hours support"]
    # Items are named by whole, distinctive words only.
    shown = showing(
        "courses", "Salon Management", "Bookkeeping Basics", "Business Gateway Start-up Workshops"
    )
    st, _ = _turn(shown, "the work is hard but I like it, any online options?")
    assert st.slots["course_ref"] is None
    shown = showing("courses", "Part-time Payroll Certificate", "CIPP Foundation")
    st, _ = _turn(shown, "Part time would suit me best, how long are they?")
    assert st.slots["course_ref"] is None
    # An off-topic question by someone who says what they do moves no slot.
    st = ConversationState(slots={"target_career": "nurse", "location": "Leeds", "skills": []})
    st, _ = _turn(st, "I'm a teacher lol. What's the weather like in Paris this weekend?")
    assert st.slots["location"] == "Leeds"


def test_what_the_sixteenth_set_found() -> None:
    finder = default_skill_finder()
    # Careers: "could I work as" aims; "I've been the receptionist" is the user's job; "rep" heads a
    # title; a weighed-up career past "in pharma"; a slash separates two tools, not a title's words.
    assert target("Could I work as a content strategist?") == "content strategist"
    text = "I've been the receptionist at a dental practice. I'd love to move on as a dental assistant"
    assert target(text) == "dental assistant"
    assert target("IS MEDICAL DEVICE SALES REP A SMART MOVE FOR ME") == "medical device sales rep"
    assert target(
        "I've realised academia is not for me. Would data scientist in pharma be a realistic move?"
    ) == ("data scientist")
    assert target("Photoshop/Illustrator are my daily tools. Is UX designer a realistic switch for me?") == (
        "ux designer"
    )
    assert target("ok. I'm cabin crew, 6 years. Is recruiter a good fit for me?") == "recruiter"
    # Skills: an item of the list is no career; "got my" opens a list; denials and "before I can" claim
    # nothing; "ok at"; "also write me" adds nothing.
    assert target("got my MED A1, marine first aid and diesel mechanics") is None
    assert said("got my MED A1, marine first aid and diesel mechanics") == [
        "med a1",
        "marine first aid",
        "diesel mechanics",
    ]
    assert said("got my CV back from my friend") == []
    assert not extract("I've never touched SQL.", finder).own_skills
    assert not extract("What do I need before I can practice over there?", finder).own_skills
    assert "fault finding" in said("ive done domestic wiring and im ok at fault finding")
    assert not extract("ALSO WRITE ME A FACEBOOK MARKETPLACE AD", finder).adds_to_list
    # Places: a follow-up opening with a place; "LA" only in capitals.
    assert extract("what about perth? thinkin of going across the ditch", finder).location == "Perth"
    assert extract("and lead landscape architects?", finder).location is None
    assert extract("Me echaron del diario la semana pasada", finder).location is None
    assert extract("jobs in LA", finder).location == "LA"
    # List items: "#2", common words inside a name ("the health and safety one").
    assert extract("#2 fees?", finder).ordinal == 2
    st, _ = _turn(
        showing("careers", "Fire Safety Inspector", "Health and Safety Advisor"),
        "fair. the health and safety one - what's needed for that?",
    )
    assert st.slots["target_career"] == "health and safety advisor"


def test_review_cases_of_the_sixteenth_sets_rules() -> None:
    finder = default_skill_finder()
    assert extract("nursing jobs in the uk", finder).location == "UK"
    assert extract("what about mobile? like app development", finder).location is None
    assert extract("also I can code in python", finder).own_skills
    assert said("I'm ok with working weekends") == [] and said("got my heart set on nursing") == []
    text = "I have worked with teachers and teaching assistants, I want to be a teaching assistant"
    assert target(text) == "teaching assistant"
    assert target("how much does a nurse in london earn 5 years after qualifying") == "nurse"
    assert extract("my #1 priority is salary", finder).ordinal is None
    assert said("I'm good at customer service and working in a team") == ["customer service"]


def test_what_the_seventeenth_set_found() -> None:
    assert said("Strengths: team leadership, inventory management, movement planning.") == [
        "team leadership",
        "inventory management",
        "movement planning",
    ]
    assert said("Strengths would be breastfeeding support and antenatal education") == [
        "breastfeeding support",
        "antenatal education",
    ]
    assert said("SDE-2, 6 yrs exp. Strong in Java, Spring Boot and system design.") == [
        "java",
        "spring boot",
        "system design",
    ]
    assert said("i help wiv veg prep n basic sauces") == ["veg prep", "basic sauces"]
    assert said("im good w/ McLeod, ELD logs n route planning") == ["mcleod", "eld logs", "route planning"]
    assert said("so im a nail tech, been doing gel extensions n acrylics from home for 4 yrs.") == [
        "gel extensions",
        "acrylics",
    ]
    # "interview" alone is an item; with a time after it, a thing the user has.
    assert "surveillance" in said("I've got interview and interrogation, report writing and surveillance")
    assert said("I have interview next week, tips?") == []
    # Saying what the job is lists no skills.
    assert "accounts payable" not in said("I've been doing accounts payable for 3 years in Singapore.")


def test_what_the_eighteenth_set_found() -> None:
    # Skills: how often or on whose own after an item, a count after "for every", a clause of the user's
    # after it, a new "I ..." clause ending a list, "I was using", no CEFR level, no part of an item.
    assert said(
        "i do artificial insemination myself, silage making and milk record keeping for every cow"
    ) == [
        "artificial insemination",
        "silage making",
        "milk record keeping",
    ]
    assert said("got my open licence, do switchboards n fault finding all day") == [
        "open licence",
        "switchboards",
        "fault finding",
    ]
    assert said("i know HOS rules inside out, ELD logs, and route planning i do better than any app lol") == [
        "hos rules",
        "eld logs",
        "route planning",
    ]
    assert sorted(
        said("I do safeguarding referrals all the time, I'm good at mediation and I know tenancy law")
    ) == [
        "mediation",
        "safeguarding referrals",
        "tenancy law",
    ]
    assert said(
        "I was using Sage 50 Payroll and did all the RTI submissions, pensions auto-enrolment too."
    ) == [
        "sage 50 payroll",
        "rti submissions",
        "pensions auto-enrolment",
    ]
    assert said("I have reach truck licence, I know Manhattan WMS and I do the cycle counts") == [
        "reach truck licence",
        "manhattan wms",
        "cycle counts",
    ]
    assert said("I speak romanian, english and some dutch, A2 level") == ["romanian", "english", "dutch"]
    assert said("I was doing nothing much") == []
    # Careers: a subject and its verb are no part of a title; a title then "in <place>, N years" is the
    # user's job; "leaving for a X job" aims at X; a returner going back to the job they held.
    assert target("what do they ask dispatchers") == "dispatcher"
    assert target("do you hire welders") == "welder"
    assert (
        target(
            "Police constable in Manchester, 12 years. Thinking about leaving for a fraud investigator job"
        )
        == "fraud investigator"
    )
    assert target("I want to become a nurse in 2 years") == "nurse"
    assert (
        target(
            "I was a payroll administrator for 9 years, then at home. Is it realistic to go back into "
            "payroll?"
        )
        == "payroll administrator"
    )
    # Initials for the words of the career under way, or of a career shown.
    st = ConversationState(
        slots={"target_career": "quality control microbiologist", "location": None, "skills": []}
    )
    st, _ = _turn(st, "how much QC microbiologist get in pharma companies in Dhaka")
    assert st.slots["target_career"] == "quality control microbiologist"
    st, _ = _turn(
        showing("careers", "quality assurance technician", "quality control microbiologist"),
        "the QC microbiologist",
    )
    assert st.slots["target_career"] == "quality control microbiologist"
    # Places: the one asked about beats where the user is; a big city with no "in" before it, not where
    # the user comes from.
    st, _ = _turn(
        ConversationState(), "I'm an accountant in Lagos, 2 years. How much does an accountant earn in Abuja?"
    )
    assert st.slots["location"] == "Abuja"
    st, _ = _turn(ConversationState(), "I live in Leeds and like it. any jobs in Manchester?")
    assert st.slots["location"] == "Manchester"
    st, _ = _turn(
        ConversationState(), "sparky 6 yrs brisbane. wanna get into solar installer work. wat do i need"
    )
    assert st.slots["location"].lower() == "brisbane"
    st, _ = _turn(ConversationState(), "fresher from Pune, I know Java. Any jobs in Bangalore?")
    assert st.slots.get("location") == "Bangalore"
    # Intent: a career question in words the classifier has not seen is no out-of-scope query, while an
    # everyday request that only mentions a job stays out of scope.
    _, intent = _turn(
        ConversationState(),
        "habari. I keep dairy cows on my family shamba near Nakuru, about 15 cows. people in the village "
        "always come ask me for advice on feeding and diseases. can I become an agricultural extension "
        "officer? is it good career",
    )
    assert intent in ("career_advice", "clarify")  # not "out_of_scope"; asking is fair
    _, intent = _turn(
        ConversationState(), "I'm a teacher lol. What's the weather like in Paris this weekend?"
    )
    assert intent == "out_of_scope"
    _, intent = _turn(ConversationState(), "who is the best local real estate agent")
    assert intent == "out_of_scope"


def test_what_the_nineteenth_set_found() -> None:
    # Skills: how often ("every week", "of course"), "little" before a language, no "nobody", and no claim
    # in "I have been shortlisted ..." or "I have applied to ...".
    assert said("I'm good at lesson planning every week, Canva and Google Classroom") == [
        "lesson planning",
        "canva",
        "google classroom",
    ]
    assert said("i speak english, french and little japanese") == ["english", "french", "japanese"]
    assert said("and I speak German, Romanian and English of course") == ["german", "romanian", "english"]
    assert said("how do i network into film crews here, i literally know nobody") == []
    finder = default_skill_finder()
    assert not extract(
        "I have been shortlisted for the job. How should I prepare for the interview?", finder
    ).own_skills
    assert said("I have applied to 6 NGOs already and no reply at all.") == []
    # Careers: "switch to X, as Y" aims at Y; "M&E officer" and "outdoor instructor" are the careers
    # under way said short.
    assert (
        target("I work in a call center. I want to switch to software testing, as QA tester.") == "qa tester"
    )
    for said_short, current in [
        ("What is the salary for M&E officer in Maiduguri?", "monitoring and evaluation officer"),
    ]:
        st = ConversationState(slots={"target_career": current, "location": None, "skills": []})
        st, _ = _turn(st, said_short)
        assert st.slots["target_career"] == current
    # Places: "remote" is how one works, not where; where the user says they are counts even in a message
    # the bot takes for off-topic, a place in its question does not.
    st, _ = _turn(
        ConversationState(), "How much do remote instructional designers earn for someone based in Kenya?"
    )
    assert st.slots["location"] == "Kenya"
    st, _ = _turn(
        ConversationState(),
        "Hello. I am 66 and retired after 34 years as a mail carrier here in Albuquerque. I am bored.",
    )
    assert st.slots["location"] == "Albuquerque"
    st = ConversationState(slots={"target_career": None, "location": "Wellington", "skills": []})
    st, _ = _turn(st, "what's the weather like in Palmerston North this week, got a site visit")
    assert st.slots["location"] == "Wellington"


def test_review_cases_of_the_eighteenth_and_nineteenth_sets_rules() -> None:
    # A fifth review (a helper running made-up messages through the old and the new code) confirmed these.
    # Another career of the catalogue with a word fewer is another career, not the one under way.
    for first, second, expected in [
        (
            "I want to become a product marketing manager",
            "what about product manager instead?",
            "product manager",
        ),
        (
            "how do I become a business intelligence analyst?",
            "hmm and what about a business analyst?",
            "business analyst",
        ),
    ]:
        st, _ = _turn(ConversationState(), first)
        st, _ = _turn(st, second)
        assert st.slots["target_career"] == expected
    # A label's own short word is no initialism.
    st, _ = _turn(
        showing("careers", "IT Technician", "Lab Technician", "HR Recruiter"), "IT technician sounds cool"
    )
    assert st.slots["target_career"] == "it technician"
    # "going back to school" is no return to the job held.
    assert target("I'm a school teacher, going back to school next week, any side jobs for weekends?") is None
    # A place in an off-topic message counts only where the user says they are there.
    for text in [
        "My mom lives in Paris. Can you book me a flight?",
        "I want to visit Tokyo next year. Recommend me a hotel.",
        "Book me a table for two in Rome",
        "I love Barcelona. Play some music",
    ]:
        st, _ = _turn(ConversationState(), text)
        assert st.slots.get("location") is None, text
    # Names of people and brands are no bare cities.
    for text in [
        "My name is Sofia.",
        "hi im kobe. i need a job",
        "I fix motorbikes, mostly Honda and Kawasaki.",
    ]:
        assert extract(text, default_skill_finder()).location is None, text
    # A question about something else does not move the place.
    st, _ = _turn(ConversationState(), "I'm a teacher in Cairo. What's the weather like in Alexandria?")
    assert st.slots["location"] == "Cairo"
    # Everyday requests by people who name their job stay out of scope.
    for text in [
        "I'm a teacher, I need to book a flight to Paris",
        "I work as a chef. what's the best way to cook rice?",
    ]:
        _, intent = _turn(ConversationState(), text)
        assert intent == "out_of_scope", text
    # "I've been using ..." still claims; "I was using drugs" lists nothing; a Roman numeral is no clause.
    assert sorted(said("I've been using Excel and Tableau daily, what am I missing?")) == ["excel", "tableau"]
    assert extract(
        "I've been using Excel and Tableau daily, what am I missing?", default_skill_finder()
    ).own_skills
    assert said("I was using drugs but I'm clean now and want to work as a carer") == []
    assert "phase" not in said("I know Six Sigma, Phase I clinical trials and GCP")
    assert "access" in said("I know Excel, Word, I think also some Access")


def test_what_the_twentieth_set_found() -> None:
    # "back then", "bit of", family, an obligation, an aside in brackets, "been teaching" (the job).
    assert said("I used MYOB and iPayroll back then and I know holiday pay calculations really well") == [
        "myob",
        "ipayroll",
        "holiday pay calculations",
    ]
    assert said("i know facebook ads, canva and bit of SEO from my internship") == [
        "facebook ads",
        "canva",
        "seo",
    ]
    assert said("how much AML analyst earn there, I have cousin there") == []
    assert said("Will you remember all this if I come back tomorrow? I have to go teach now") == []
    assert said("i know medical terminology (mum is a nurse lol), excel and touch typing")[:2] == [
        "medical terminology",
        "excel",
    ]
    finder = default_skill_finder()
    assert not extract("I have been teaching mathematics and ICT at a school in Kampala", finder).own_skills
    # "want be" without its "to".
    assert (
        target("im CNC operator in Monterrey, 5 años. i want be CNC programmer, what i need?")
        == "cnc programmer"
    )
    # ... but skills named after family stay skills.
    assert said("I know family law, conveyancing and baby care") == [
        "family law",
        "conveyancing",
        "baby care",
    ]


def test_what_the_twenty_first_set_found() -> None:
    finder = default_skill_finder()
    # A pick by a spelled number, which is no career ("Number three sounds good"); "my number one
    # priority" is no pick.
    ent = extract("Number three sounds good. I am good at care planning", finder)
    assert (ent.ordinal, ent.points_at_item, ent.careers) == (3, True, [])
    assert extract("option two please", finder).ordinal == 2
    # (the review's cases: a spelled number only alone and ending what is said of it)
    for text, ordinal in [
        ("my number one priority is money", None),
        ("no one hires me", None),
        ("what is the number one mistake people make in interviews", None),
        ("number 2 please, my number one worry is time", 2),
        ("the second one please, number one is way too long", 2),
        ("Option one: keep my job. Option two: retrain as a nurse. Which is better?", None),
    ]:
        assert extract(text, finder).ordinal == ordinal, text
    # "on the" before a place of two words or more.
    assert extract("how much do mechanics make on the gold coast", finder).location == "Gold Coast"
    assert extract("i work on the night shift", finder).location is None
    # "i can make" lists skills, but not pay, times or plans (the review's cases).
    assert said("i can make latte art and espresso drinks, but no wine knowledge") == [
        "latte art",
        "espresso drinks",
    ]
    for text in [
        "i can make 20 dollars an hour at the warehouse, do nurses earn more",
        "i can make rent most months but want a better job",
        "i can make my own hours and pick shifts as a courier",
    ]:
        assert said(text) == [], text
    # A place put right in lower case, where both are named.
    assert extract("sorry i meant hyderabad not bangalore", finder).location == "Hyderabad"
    assert extract("i meant in general", finder).location is None
    # ... only a place set against a place: "media" and "rust" are places too.
    assert extract("I live in Leeds. i meant media, not marketing", finder).location == "Leeds"
    assert extract("I'm a developer in Berlin. i meant rust not go", finder).location == "Berlin"
    # IT the field, not the pronoun; and a name the catalogue knows only as the end of another career's
    # ("HVAC support engineer") gets no catalogue id.
    [career] = extract("I want to become IT support engineer. What skill is required?", finder).careers
    assert (career.name, career.id) == ("it support engineer", "")
    assert [c.name for c in extract("How much IT support engineer get in Tokyo?", finder).careers] == [
        "it support engineer"
    ]
    assert [c.name for c in extract("is it support worker that pays more", finder).careers] == [
        "support worker"
    ]
    assert [c.name for c in extract("im ready for it software developer is the dream", finder).careers] == [
        "software developer"
    ]
    # ... and IT before a career of ICT, or other words before one, keep the catalogue's career.
    for text, label in [
        ("I'm an IT network engineer", "ICT network engineer"),
        ("I am a linux system administrator", "ICT system administrator"),
    ]:
        assert [c.label for c in extract(text, finder).careers] == [label]
    # Long messages about the user's own working life are career questions, not out-of-scope queries
    # (the conversational training data).
    trucker = (
        "58 yr old OTR trucker out of Columbus. done with being gone 3 wks at a time. what jobs can i do "
        "local w/ my experience"
    )
    assert _turn(ConversationState(), trucker)[1] == "career_advice"
    # ... and an everyday request that names the user's job stays out of scope (the review's cases; set
    # 18's rule that took the second intent for such messages is gone).
    for text in [
        "btw can you give me recipe of birria for 20 persons?",
        "I'm a chef, how do I make a birthday cake for my kid",
        "I'm a teacher, forget my job for a sec, what's a good name for a dog",
        "I'm a driver, my job is ok, what's a good song for my wedding",
    ]:
        assert _turn(ConversationState(), text)[1] == "out_of_scope", text


def test_what_the_twenty_second_set_found() -> None:
    finder = default_skill_finder()
    # A job word of BLS's titles is no typo ("sonographer" is not "scenographer"); one put right counts.
    assert [c.name for c in extract("I want to become a sonographer", finder).careers] == ["sonographer"]
    careers = extract(
        "sorry, I meant sonographer not radiographer! ultrasound is what I'm into", finder
    ).careers
    assert [c.name for c in careers] == ["sonographer"]
    assert extract("i meant together", finder).careers == []
    # "2d" and "3d" are words of a title.
    [career] = extract("should i switch to being a 2d animator? i know procreate", finder).careers
    assert (career.name, career.label, career.current) == ("2d animator", "animator", False)
    # The job an interview or an application is for is the one aimed at, not the job held.
    teller = (
        "hola! im 24, bank teller at a BCP branch in Lima. got an interview next week for personal banker!!"
    )
    assert target(teller) == "personal banker"
    assert (
        target("I'm a nurse and I have been shortlisted for a clinical educator post") == "clinical educator"
    )
    # Text-speak "n" for "and" before a place.
    assert extract("n abu dhabi?", finder).location == "Abu Dhabi"
    assert extract("n i dont know", finder).location is None


def test_what_the_twenty_third_set_found() -> None:
    finder = default_skill_finder()
    # "knw" is "know" typed on a phone: the list is the user's.
    ent = extract("i knw soil testing n crop scouting, also bit of qgis. no field attachment yet tho", finder)
    assert ent.skills_said == ["soil testing", "crop scouting", "qgis"] and ent.own_skills
    # A CEFR level says how well, not which skill: "B2 German" is German.
    assert extract("I am pharmacist, I have B2 German", finder).skills_said == ["german"]
    assert extract("i speak german b2 and arabic", finder).skills_said == ["german", "arabic"]
    assert extract("I have some dutch, A2 level", finder).skills_said == ["dutch"]
    # "en <Place>" in a message that mixes in Spanish; a state's abbreviation after a place ends it.
    assert extract("soy cocinero en un restaurante en Oaxaca, 9 años", finder).location == "Oaxaca"
    assert extract("living in Clarksville TN now. What am I missing?", finder).location == "Clarksville"
    assert extract("a job in Newcastle NSW", finder).location == "Newcastle"
    assert extract("I studied in Reading Festival", finder).location is None
    # Function words of another language make no title ("cuánto gana un inspector").
    assert extract("y cuánto gana un inspector en Guadalajara?", finder).careers == []
    assert target("how much does a junior data analyst make") == "data analyst"
    # A field the user moves into is the career aimed at, beside the job they hold.
    careers = extract("whats required to get into hgv driving. forklift driver in hull", finder).careers
    assert [(c.name, c.current) for c in careers] == [("forklift driver", True), ("hgv driver", False)]
    assert target("Wedding photographer, 7 years freelance. Should I switch to product photography?") == (
        "product photographer"
    )
    assert target("should i switch to welding") == "welder"
    # ... but not a pastime the user is into, nor a move to a place.
    assert extract("I'm into cooking and gaming", finder).careers == []
    assert extract("I want to move to Leeds", finder).careers == []


def test_the_seventh_review_of_the_twenty_third_set_rules() -> None:
    """Cases a review found against the first version of set 23's rules (old vs new on 178 messages)."""
    finder = default_skill_finder()
    # A field is the career aimed at only when the user moves into it, and not over a career they name.
    assert target("I'm a nurse but I'm really into illustration, could I become a graphic designer?") == (
        "graphic designer"
    )
    assert target("I got into banking straight after uni, now I want to become a teacher") == "teacher"
    assert target("I want to be a security analyst, I'm already into programming") == "security analyst"
    assert target("I'm really into animation and drawing, what careers are there for me?") is None
    assert target("I'm a teacher, want to move to programming, where to start?") == "programmer"
    assert target("I want to become a civil engineer, should I apply to engineering internships?") == (
        "civil engineer"
    )
    # Lower-case Spanish words after "en" are no places ("una", "ventas", "mayo", "obra").
    for text in [
        "trabajo en una empresa de logistica, quiero ser supply chain analyst",
        "tengo experiencia en ventas, how do i become a sales manager?",
        "empiezo un curso en mayo, quiero ser desarrollador web",
        "trabajo en obra como albañil, quiero ser electricista",
    ]:
        assert extract(text, finder).location is None, text
    # The place of the English question beats one after "en"/"em".
    assert (
        extract("Soy ingeniero civil en Medellín, what about jobs in Toronto?", finder).location == "Toronto"
    )
    assert (
        extract(
            "Sou desenvolvedor em São Paulo, how much do software engineers earn in Lisbon?", finder
        ).location
        == "Lisbon"
    )
    assert (
        extract("Hola, soy enfermera en Bogotá y quiero trabajar en Madrid, what do I need?", finder).location
        == "Madrid"
    )
    # English words of titles stay modifiers; "i know its hard" lists no skill.
    assert target("What does a logo designer earn in Lagos?") == "logo designer"
    assert extract("i knw its hard but can i become a nurse at 40", finder).skills_said == []
    assert extract("i know right, but how much do electricians make in cardiff", finder).skills_said == []


def test_a_town_put_right_in_lower_case() -> None:
    # Set against the wrong one, with or without "i": both towns of 15,000 people or more.
    assert where("sorry meant grimsby not hull") == "Grimsby"
    # Alone after "meant", ending the message, from someone who writes in lower case.
    assert where("no i meant bradford") == "Bradford"
    # ... a town of two words even where one of them is an English word, and a question mark allowed.
    assert where("no i meant long beach") == "Long Beach"
    assert where("i meant bradford?") == "Bradford"
    # ... not a one-word town that is also a word of English prose ("Mobile", "Reading"), nor mid-sentence.
    assert where("no i meant mobile") is None
    assert where("sorry i meant reading") is None
    assert where("i meant bradford style cv templates") is None
    # Neither side a town: nothing ("media" and "marketing" are no towns of that size).
    assert where("meant media not marketing") is None
    # In a conversation the place is put right and the request kept.
    st, intent = _turn(ConversationState(), "how much do electricians make in hull")
    assert intent == "salary_info" and st.slots["location"] == "Hull"
    st, intent = _turn(st, "no i meant bradford")
    assert intent == "salary_info" and st.slots["location"] == "Bradford"
    assert st.slots["target_career"] == "electrician"


def test_what_the_twenty_fourth_set_found() -> None:
    # Clipped job words in full: "tech" ending a title, well-known clipped titles; not an industry, nor a
    # skill of the user's list ("tech pack").
    assert target("wat do i ned to becme a hvac tech? im a delivry drivr in houston rn") == "hvac technician"
    assert target("what do surg techs make in knoxville") == "surgical technologist"
    assert target("how much do pen testers earn") == "penetration tester"
    assert target("I work in big tech, what about tech sales?") is None
    # "tech" as a title's last word only, said as one: not a liking, a field, support or an industry's jobs.
    for text in (
        "I love tech, what jobs would suit me?",
        "I want to work in climate tech",
        "any uk tech jobs for grads?",
        "I'm a nurse. Tech jobs pay more?",
        "I'm a vet, tech is new to me",
    ):
        assert target(text) is None, text
    assert said("I've done tech support for 3 years") == ["tech support"]
    assert target("a food tech specialist salary") == "food tech specialist"
    assert said("i know buyer communication, tech pack and costing") == [
        "buyer communication",
        "tech pack",
        "costing",
    ]
    # ... and a clipped title that is the user's job stays theirs: the one asked about is the other.
    helpdesk = (
        "helpdesk tech in Tallinn, 2 yrs. I know Active Directory. what should I learn to be a SOC analyst?"
    )
    assert target(helpdesk) == "soc analyst"
    # ... but a title followed by a time is an aim where the user aims at it.
    assert target("how do I become a prompt engineer 2 years from now?") == "prompt engineer"
    # A plural of an English word is no typo of a career's word: "battery installs" are no "installer".
    assert target("I've done a few battery installs for mates") is None
    # Hedges, counts and owners are no part of a skill.
    assert said("i can use hand pallet truck and RF scanner, also i know WMS little bit") == [
        "hand pallet truck",
        "rf scanner",
        "wms",
    ]
    assert said("I've run maybe 40 user interviews and usability tests") == [
        "user interviews",
        "usability tests",
    ]
    assert said("I'm good at allergen management and I run our own kitchen audits") == [
        "allergen management",
        "kitchen audits",
    ]
    # ... but a time is no count of a skill, and "I can" lists only what follows it bare.
    assert "years in sales" not in said("I have about 5 years in sales")
    assert said("I can handle the night shifts") == []
    assert said("i can use my savings for a course") == []
    assert said("I can operate a forklift") == ["operate a forklift"]  # the matcher's, as before
    # The field the user means to move into is no skill of theirs; the past still is.
    assert said("I'm thinking of switching to data analysis") == []
    assert said("I switched to python last year") == ["python"]
    assert said("In my job I get to use SQL every day") == ["sql"]
    # The wrong place first, then the right one.
    assert where("actually not Bristol, Bath - sorry, we moved over the summer") == "Bath"
    assert where("not in leeds but york") == "York"
    assert where("not marketing, media") is None
    # A name of one word is tried too: not "bath sorry", "york please".
    assert where("actually not Bristol, Bath sorry") == "Bath"
    assert where("not leeds but york please") == "York"
    # "and in ..." of Portuguese and Spanish writers keeps the request.
    st, intent = _turn(ConversationState(), "how much does a ux researcher earn in Lisbon?")
    st, intent = _turn(st, "e no Porto?")
    assert intent == "salary_info" and st.slots["location"] == "Porto"
    assert where("y en Lima?") == "Lima"
    # "that last one", and "1st 1" typed on a phone.
    st = showing("courses", "Solar design", "Battery storage", "Grid connect")
    st, _ = _turn(st, "that last one, worth doing?")
    assert st.slots["course_ref"] == 3
    st = showing("courses", "HVAC diploma", "EPA 608 prep")
    st, _ = _turn(st, "teh 1st 1 hw long is it")
    assert st.slots["course_ref"] == 1
    # ... not "my first 1:1", "my first 1-2 years".
    assert (
        extract("how do I prepare for my first 1:1 as a new manager?", default_skill_finder()).ordinal is None
    )
    assert extract("my first 1-2 years as a nurse were hard", default_skill_finder()).ordinal is None


def test_what_the_twenty_fifth_set_found() -> None:
    # A real English word is no typo of a rarer career word ("sounding" is no "shunting"); a rare real word
    # still is one of a far more common word ("store manger" -> "manager").
    sp = speller()
    assert sp.correct("sounding") == "sounding"
    assert sp.correct("manger") == "manager"
    # What the user would sound like is no career asked about.
    cover = (
        "There's an event coordinator job going, how would I start the cover letter without sounding like "
        "a receptionist?"
    )
    assert target(cover) == "event coordinator"
    # A title weighed up ("is X realistic", a sentence opening "Thinking X"): the one asked about.
    assert target("I'm a housing officer in Cardiff. Is policy officer realistic without a degree?") == (
        "policy officer"
    )
    assert target("Freelance wedding videographer in Bristol, 31. Thinking motion designer. Good shout?") == (
        "motion designer"
    )
    assert target("would content strategist be an easier step up?") == "content strategist"
    # Places of four words.
    assert where("how much tour guide earn in Ho Chi Minh City?") == "Ho Chi Minh City"
    # The tool the work was done in: an item of its own, when the matcher knows it or it is written as a
    # name (not a place).
    assert sorted(
        said("I do the data collection for our surveys on KoBoToolbox and I analyse in Excel and SPSS")
    ) == [
        "data collection",
        "excel",
        "kobotoolbox",
        "spss",
    ]
    assert sorted(said("i do backgrounds and coloring in Clip Studio Paint")) == [
        "backgrounds",
        "clip studio paint",
        "coloring",
    ]
    assert listed_skills("I want to stay in logistics but a sitting job", ["logistics"]) is None
    assert listed_skills("should i do a course in environmental impact assessment?", ["eia"]) is None
    assert said("I spend all day in Excel") == ["excel"]
    assert "leeds" not in said("I do customer service in Leeds")
    # A skill said as a bare verb, named by its gerund; not what the user can do for a job ("start Monday").
    assert said("I've got my white card, I can braze and I do roof drainage") == [
        "white card",
        "brazing",
        "roof drainage",
    ]
    assert said("i can type 60wpm and im ok with excel") == ["typing", "excel"]
    assert said("I can touch type really fast") == ["touch typing"]
    assert said("I can start Monday") == [] and said("I can help out") == []
    assert said("I can read isometric drawings no problem") == ["isometric drawings"]
    # Indian English "I am knowing", languages said with how well, "small small" (a little).
    assert said("I am knowing Tally, GST filing and Excel very well. I don't know SQL") == [
        "tally",
        "gst filing",
        "excel",
    ]
    assert said("I did the budgeting for the parties and I've fluent French") == ["budgeting", "french"]
    assert said("I can use Google Maps and Excel small small") == ["google maps", "excel"]
    assert said("i speak punjabi and hindi with the residents") == ["punjabi", "hindi"]
    # "my Welsh is conversational": a language or a known skill said to be good (not "my salary is good").
    assert "welsh" in said("I'm decent at report writing, my Welsh is conversational")
    assert listed_skills("my salary is good", []) is None
    assert said("i can do takeoffs by hand and i speak spanish") == ["takeoffs", "spanish"]
    # A title's expansion in brackets is the title: "RPN (registered practical nurse)".
    assert target("thinking of going for RPN (registered practical nurse). am i ready?") == (
        "registered practical nurse"
    )
    # Not skills: a grade, "zero" experience, the schools a CV lists.
    assert said("My KCSE was C plain but I got C+ in biology") == []
    assert said("Is the aPHR one worth it when I've got zero HR experience?") == []
    assert said("it lists every school I have taught in since 1992") == []


def test_what_the_twenty_sixth_set_found() -> None:
    # A title in a job frame ends with its clause: "be a midwife. yuh tink it suit mi?"
    assert target("mi tink mi waan be a midwife. yuh tink it suit mi?") == "midwife"
    assert target("hiya, wantin tae become a dermatologist, whit dae ye reckon") == "dermatologist"
    # A clipped title of two words, weighed up at a sentence's start.
    assert target("Living in El Paso now. Thinking wind turbine tech. Smart move or nah?") == (
        "wind turbine technician"
    )
    # People the user has are no career asked about (not across a sentence: "at my age. Pilates ...").
    assert target("Rough day at work hey, three of my agents resigned") is None
    assert target("my line manager says I should become a data analyst") == "data analyst"
    assert target("a 3-year degree is a lot at my age. Pilates instructor would be quicker") == (
        "pilates instructor"
    )
    # "and what about Kumasi?": the longest follow-up lead first; a home the user goes back to.
    assert where("And what about Kumasi?") == "Kumasi"
    assert where(
        "im a sous chef in Dubai. planning to go home to Manila and become a culinary instructor"
    ) == ("Manila")
    # Skills: leads ("already", "how to use the", Scots "ma"), clipped "also know", Scots "dae", not a place.
    assert said("I have already IELTS academic, and I speak Arabic") == ["ielts academic", "arabic"]
    assert said("i know how to use the floor scrubber, i did COSHH") == ["floor scrubber", "coshh"]
    assert said("i got CCTV monitoring, also know a bit python from youtube") == ["cctv monitoring", "python"]
    assert said("I've got ma SVQ3, I dae colour correction an scalp treatments") == [
        "svq3",
        "colour correction",
        "scalp treatments",
    ]
    assert "in karachi" not in said("3rd one where I can do in Karachi")
    assert said("Not afraid of heights, got my CDL class A and I'm solid with hydraulics") == [
        "cdl class a",
        "hydraulics",
    ]
    assert said("wah mi need fi become one? mi have BLS an mi do phlebotomy already") == ["bls", "phlebotomy"]
    # "that dante one": an item named after "that".
    assert extract("that dante one sounds useful is it free", default_skill_finder()).item_words == ("dante",)


def test_review_of_the_twenty_fifth_and_sixth_sets_rules() -> None:
    # "Thinking X." only as a sentence of its own naming a title, not "Thinking of retraining. ...".
    assert target("Thinking of retraining. How much does a plumber earn in Leeds?") == "plumber"
    assert target("I'm a chef. Thinking about leaving, what do electricians earn?") == "electrician"
    # A title the user also asks about is no one's of theirs.
    assert target("My nurse friends moved to Dubai, how much does a nurse earn there?") == "nurse"
    assert target("I want to become a manager like my manager") == "manager"
    # A trip home is no place asked about.
    assert where("I'm going home to Lagos for Christmas, how much do nurses earn in London?") == "London"
    # "an" the article stays inside an item; "an" for "and" splits only before a consonant word.
    for text in (
        "I have experience running an office",
        "I'm good at taking an idea and running with it",
        "I know my way around an engine",
    ):
        listing = listed_skills(text, [])
        assert listing is None or not {"office", "idea", "engine"} & set(listing[0]), text
    hgv = listed_skills("I have an HGV licence and an eye for detail", [])
    assert hgv is not None and hgv[0][0] == "hgv licence"
    # Times, job boards, studies and what the user never did are no tools.
    assert listed_skills("I graduate in June, what does a data analyst earn?", []) is None
    assert listed_skills("I applied on LinkedIn and Indeed but heard nothing back", []) is None
    assert listed_skills("I majored in Economics", []) is None
    assert listed_skills("I never did anything in Excel, how do I learn it?", ["excel"]) is None
    # Not what the user would do once able to; gerunds of one syllable double, of two do not.
    assert listed_skills("How long until I can qualify?", []) is None
    assert listed_skills("I want a role where I can grow.", []) is None
    assert said("I can edit.") == ["editing"] and said("i can cut and weld") == ["cutting", "welding"]
    # "working with the public" stays whole; "MA in Economics" keeps its "MA"; "in-house" is no place.
    assert "working" not in said("I'm good at working with the public and handling cash")
    assert "stata" in said("I have MA in Economics and I know Stata")
    assert "in-house recruitment" in said("I've done in-house recruitment and agency work")
    assert "english" in said("my english's pretty good and my french is ok")


def test_where_the_user_is_from_is_the_place_until_they_name_one() -> None:
    """Five of the six held-out writers who met "I am ... from X" took X as the conversation's place
    (sets 11, 12, 23, 24; set 6 did not): the user's home, as the bot's own cities already were."""
    finder = default_skill_finder()

    def home(text: str) -> str | None:
        return extract(text, finder).home

    assert home("Hi, I am second officer on container ships, from Split, 9 years at sea.") == "Split"
    assert home("g'day, sparky from Geelong here, 12 yrs on the tools.") == "Geelong"
    assert home("lol ok. im 18 from daegu, just finished high school.") == "Daegu"
    # Not a degree's, a move's or a message's origin, not in a question, nor without "I" from someone
    # who writes no capitals.
    assert home("I have a BEd Science from Egerton.") is None
    assert home("we moved from Hull last year") is None
    assert home("forward the text i just got from henry to giselle") is None
    assert home("name the leader from tibet that stands firm for world peace") is None
    assert home("which pays better for someone with 7 years ICU experience from Kerala?") is None
    # (the review's cases) someone else's home, an employer, goods, a course
    assert home("My manager from Cork says I should go for team lead") is None
    assert home("I teach English to students from China") is None
    assert home("I resigned from Toyota last month") is None
    assert home("Hi, I'm Dave from Bank of America") is None
    assert home("I buy stock from Guangzhou") is None
    assert home("I did an online course from Harvard") is None
    # A place named beats the home.
    ent = extract("I am a welder from Cluj-Napoca, any jobs in Vienna?", finder)
    assert ent.location == "Vienna" and ent.home is None
    # The conversation takes the home while it has no place, never instead of one.
    st, _ = _turn(ConversationState(), "Wedding photographer from Cluj-Napoca, 7 years freelance.")
    assert st.slots["location"] == "Cluj-Napoca"
    st, _ = _turn(ConversationState(slots={"location": "Calgary"}), "only the licence from Philippines")
    assert st.slots["location"] == "Calgary"


def test_places_by_their_other_names_and_after_other_languages_in() -> None:
    finder = default_skill_finder()

    def place_of(text: str) -> str | None:
        return extract(text, finder).location

    # GeoNames' other names of big cities, as written.
    assert place_of("I'm a call centre team lead in Joburg, 15 agents under me.") == "Joburg"
    assert place_of("How to find job at my age in KL? Nobody call me back.") == "KL"
    assert place_of("hey wat do pharmacy techs earn in nz") == "NZ"
    # Two letters only in capitals, never "QC" (quality control) or "KK" (ok); no other name that is a
    # word or short ("Sam" for Damascus, "Log" for Łódź, "Lime" for Lima); initials of a country only
    # where a place is named ("in nz", not "25 NZ dollars").
    assert place_of("i work in hr in la") is None
    assert place_of("I work in QC at a plant") is None
    assert place_of("KK") is None
    assert place_of("I sent my CV to Sam last week") is None
    assert place_of("I'm unable to Log in to the portal") is None
    assert place_of("I moved to Lime as a mechanic") is None
    assert place_of("I earn 25 NZ dollars an hour in Sydney") == "Sydney"
    assert place_of("I have a NZ Certificate in Carpentry level 4") is None
    # Tagalog "sa" and Hindi "mein" before or after a capitalised place; not "sa land".
    assert place_of("What jobs pwede sa akin dito sa Manila?") == "Manila"
    assert place_of("mera khud ka beauty parlour hai Pune mein, 8 saal se.") == "Pune"
    assert place_of("Gusto ko na mag-stay sa land kasi may baby na kami.") is None
    # ... and only a city of a million people or a country there: "sa" and "mein" name firms too.
    assert place_of("nag apply ako sa Toyota dati") is None
    assert place_of("Mujhe Tata mein job chahiye") is None
    # A place after Tagalog "sa" counts like one after "in": the question's place.
    assert place_of("paano po ang sahod ng caregiver sa Canada? i'm a caregiver in Hong Kong now") == "Canada"


def test_what_the_twenty_seventh_set_found() -> None:
    finder = default_skill_finder()

    def said(text: str) -> list[str]:
        return extract(text, finder).skills_said

    # How well, where or how it was done, after the skill.
    assert said("I speak english fluent and a bit of spanish.") == ["english", "spanish"]
    assert said("I use ANSYS Fluent and SolidWorks") == ["ansys fluent", "solidworks"]
    assert said("I can use AutoCAD small") == ["autocad"]
    assert said("I have GCP certificate online and I speak arabic") == ["gcp certificate", "arabic"]
    assert said("i qualified in Nairobi 3 yrs ago") == []
    # "w" for "with"; "n im" ends a list like "and I'm".
    assert said("got haccp, food safety supervisor cert n im ok w excel") == [
        "haccp",
        "food safety supervisor cert",
        "excel",
    ]
    assert said("i'm ok w that") == []
    # A ticket is a credential ("a diesel engine ticket"); "C+E" one licence, "python+sql" two skills.
    assert said("GOT MY STCW BASICS, SEA SURVIVAL AND A DIESEL ENGINE TICKET.") == [
        "stcw basics",
        "sea survival",
        "diesel engine ticket",
    ]
    assert said("I have C+E licence, ADR, I know tachograph rules") == [
        "c+e licence",
        "adr",
        "tachograph rules",
    ]
    assert said("I know python+sql") == ["python", "sql"]
    assert said("I know c+c++") == ["c", "c++"]
    assert said("I have a speeding ticket on my record") == []
    # Nigerian Pidgin: "i sabi" (I know), "i fit use" (I can use).
    assert said("i sabi customer service well well, i fit use microsoft word and excel small") == [
        "customer service",
        "microsoft word",
        "excel",
    ]
    # A question about an item of the list shown keeps its place, whatever the classifier says.
    st = showing("courses", "TEFL online with practice", "CELTA in person")
    st.slots["location"] = "São Paulo"
    st, _ = _turn(st, "the online one with the practice, is it accepted in Japan?")
    assert st.slots["location"] == "Japan"
    # ... not a weather question after it.
    st = showing("careers", "english teacher", "tour guide")
    st, _ = _turn(st, "the second one lol. what's the weather in Paris?")
    assert st.slots.get("location") is None


def test_what_the_twenty_eighth_set_found() -> None:
    finder = default_skill_finder()

    def ent(text: str) -> Entities:
        return extract(text, finder)

    # Ordinals: "last one" with no "the"; Spanish, Portuguese and French ones opening the message, not
    # "the first time" or "the first job I had".
    assert ent("last one is online? good i do that one first").ordinal == LAST
    assert ent("last year I worked in retail").ordinal is None
    assert ent("el segundo, cuanto cuesta y cuantos meses?").ordinal == 2
    assert ent("le dernier, c'est combien?").ordinal == LAST
    assert ent("a primeira vez que fui").ordinal is None
    assert ent("el primer trabajo que tuve fue en ventas").ordinal is None
    # (the review's cases) only alone or before a word for an item or for what the user thinks of it
    assert ent("la segunda opcion por favor").ordinal == 2
    assert ent("la primera pregunta: cuanto gana un enfermero?").ordinal is None
    assert ent("el ultimo puesto que tuve fue de cajero").ordinal is None
    assert ent("a second opinion would help").ordinal is None
    assert ent("last one sounds good").ordinal == LAST
    assert ent("last one I had was awful").ordinal is None
    assert ent("final option is to quit my job lol").ordinal is None
    assert ent("Last one for today - what about salary in Leeds?").ordinal is None
    # An item named by the initials of its label's words.
    st = showing(
        "courses",
        "Diesel Power Technology Diploma (Northeast Iowa Community College, Calmar)",
        "John Deere TECH Program",
    )
    st, _ = _turn(st, "That NICC one in Calmar is 15 minutes from us. Is it full time?")
    assert st.slots["course_ref"] == 1
    # ... only where no label has the word: "the law one" is not "Leadership and Wellbeing".
    st = showing("courses", "Law Foundation Course", "Leadership and Wellbeing")
    st, _ = _turn(st, "the law one, how long is it?")
    assert st.slots["course_ref"] == 1
    # Places after "outside of", French "à"; not after "at" (a firm or a person as often: "I work at
    # Qatar airways", "mad at Jordan"); a place is no tool.
    assert ent("I work at Qatar airways").location is None
    assert (
        ent("Getting out of the Air Force after 8 years, stationed at Little Rock.").location == "Little Rock"
    )
    assert ent("We have milked 120 cows outside of Decorah, Iowa for 23 years").location == "Decorah"
    assert ent("Bonjour, je suis pompier volontaire à Marseille and I work in a warehouse.").location == (
        "Marseille"
    )
    sorry = ent("Sorry I mean in Kraków, the company is in Kraków")
    assert sorry.location == "Kraków" and sorry.skills_said == []
    # "b" for "be"; "sir" is whom the user addresses, not a word of the title.
    aim = ent("i work as a cashier n i wanna b a pharmacy tech").target
    assert aim is not None and aim.label == "pharmacy technician"
    sir = ent("sir safety officer salary in dubai is more?").target
    assert sir is not None and sir.name == "safety officer"
    # Skills: "B.Ed" whole, "also" after an item, Patois "mi" (my).
    assert "b.ed" in ent("I did BA in Bengali and B.Ed, and basic child psychology.").skills_said
    assert ent("i know excel.also word").skills_said == ["excel"]
    assert ent("I know knitting, sewing line balancing, production planning also.").skills_said == [
        "knitting",
        "sewing line balancing",
        "production planning",
    ]
    assert ent("mi have mi food handler permit").skills_said == ["food handler permit"]


def test_a_long_message_about_a_career_is_no_out_of_scope_question() -> None:
    """The classifier's second choice where it puts out of scope first but the message lists the user's
    skills, or is long and names a career it asks about; short questions naming a job stay out of scope."""
    pred = IntentPrediction("out_of_scope", 0.6, "skill_gap", 0.3, True)
    long_text = (
        "g'day, sparky from Geelong here, 12 yrs on the tools. keen to get into solar. what would I need "
        "to become a solar designer?"
    )
    plan = plan_turn(ConversationState(), long_text, pred, extract(long_text, default_skill_finder()))
    assert plan.intent == "skill_gap"
    short = "give me a suggestion for roofers"
    pred = IntentPrediction("out_of_scope", 0.6, "career_advice", 0.3, True)
    assert plan_turn(ConversationState(), short, pred, extract(short, default_skill_finder())).intent == (
        "out_of_scope"
    )
    # The second choice only with some weight (over 0.2).
    weak = IntentPrediction("out_of_scope", 0.9, "skill_gap", 0.8, True)
    plan = plan_turn(ConversationState(), long_text, weak, extract(long_text, default_skill_finder()))
    assert plan.intent == "out_of_scope"
