"""The ladder search finds whole words and the starts of words, whatever their Unicode spelling.

The database tests run on whichever database DATABASE_URL names: FTS5 on SQLite, a tsvector on
PostgreSQL. Run them on both.
"""

import importlib
import json
import unicodedata
from types import SimpleNamespace

import jsonschema
import pytest
from django.apps import apps
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from ladder.frameworks.export import json_schema, ladder_to_dict
from ladder.frameworks.models import SearchLine
from ladder.frameworks.parse import parse
from ladder.frameworks.search import (
    MAX_QUERY_LENGTH,
    MAX_QUERY_WORDS,
    SEARCHED_SECTIONS,
    cap_query,
    read_query,
    search,
)
from ladder.frameworks.selectors import version_ladder
from ladder.frameworks.services import ladder_import
from ladder.frameworks.words import fold, word_spans, words
from ladder.frameworks.write import format_ladder
from tests.conftest import run_ladder
from tests.frameworks.test_format_errors import line_of, reported


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def ladder_source(*lines: str, next_actions=("Grow further.",), synonyms: str = "") -> str:
    """A one-level ladder whose Responsibilities are `lines`; `synonyms` is front matter YAML."""
    front = f"---\nsynonyms:\n{synonyms}\n---\n" if synonyms else ""
    bullets = "\n".join(f"- {line}" for line in lines)
    actions = "\n".join(f"- {line}" for line in next_actions)
    return (
        f"{front}# Search Ladder\n\n## Engineer (E1)\n\n### Responsibilities:\n{bullets}\n\n"
        "### Skills and Criteria:\n- Filler skill.\n\n"
        "### Soft Skills and Collaboration:\n- Filler collaboration.\n\n"
        "### Minimum Experience:\n- 1 year.\n\n"
        f"### Next Actions:\n{actions}\n\n"
        "### Scenario:\n- An engineer at level 1 searches.\n\n"
        "### Competency Ratings:\n| Craft | Impact | People |\n| - | - | - |\n| 1 | 2 | 3 |\n"
    )


def imported(*lines: str, slug="search", **kwargs):
    source = ladder_source(*lines, **kwargs)
    return ladder_import(source=source, source_name="search.md", slug=slug).version


def text_of(hit) -> str:
    return "".join(text for text, _ in hit.pieces)


def marked(hit) -> list[str]:
    return [text for text, is_marked in hit.pieces if is_marked]


def found(version, query) -> list[str]:
    return [text_of(hit) for hit in search(version, query)]


# -- words, folded ---------------------------------------------------------------------------

# (what kind of spelling, the word as a line writes it, the same word as typed)
SPELLINGS = [
    ("accents, composed (NFC)", "résumé", "resume"),
    ("accents, decomposed (NFD)", nfd("résumé"), "resume"),
    ("NFC line, NFD query", "résumé", nfd("résumé")),
    ("NFD line, NFC query", nfd("Résumé"), "résumé"),
    ("capitals and accents", "Resumé", "RÉSUMÉ"),
    ("sharp s, typed as ss", "Straße", "STRASSE"),
    ("ss, typed as sharp s", "STRASSE", "straße"),
    ("capital sharp s", "STRAẞE", "strasse"),
    ("final sigma", "ΟΔΟΣ", "οδος"),
    ("dotted capital I", "İstanbul", "istanbul"),
    ("full-width letters in the line", "ＥＦ", "ef"),
    ("full-width letters typed", "EF", "ＥＦ"),
    ("a ligature in the line", "ﬁle", "file"),
    ("a ligature typed", "file", "ﬁle"),
    ("letters with a stroke", "Łódź", "lodz"),
    ("a soft hyphen inside the word", "re\u00adsume", "resume"),
    ("a zero-width joiner inside the word", "data\u200dbase", "database"),
    ("a superscript digit", "m²", "m2"),
]


@pytest.mark.parametrize(
    ("written", "typed"), [s[1:] for s in SPELLINGS], ids=[s[0] for s in SPELLINGS]
)
def test_every_spelling_of_a_word_folds_to_the_same_words(written, typed):
    assert words(written) == words(typed)
    assert words(written)


TEXTS = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)


@settings(max_examples=500, deadline=None)
@given(TEXTS, st.sampled_from(["NFC", "NFD", "NFKC", "NFKD"]))
def test_a_text_in_any_normal_form_has_the_same_words(text, form):
    assert words(unicodedata.normalize(form, text)) == words(text)


@settings(max_examples=500, deadline=None)
@given(TEXTS)
def test_folding_is_idempotent_and_keeps_the_words(text):
    assert fold(fold(text)) == fold(text)
    assert words(fold(text)) == words(text)


@settings(max_examples=500, deadline=None)
@given(TEXTS)
def test_each_word_is_where_the_text_writes_it(text):
    for start, end, word in word_spans(text):
        assert 0 <= start < end <= len(text)
        assert word in words(text[start:end])


def test_words_are_split_at_punctuation_and_keep_the_marks_of_other_scripts():
    assert words("Sub-teams' C#/.NET x_y") == ["sub", "teams", "c", "net", "x", "y"]
    assert words("हिन्दी") == ["हिन्दी"]


# -- whole words and their starts ------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("written", "typed"), [s[1:] for s in SPELLINGS], ids=[s[0] for s in SPELLINGS]
)
def test_a_search_finds_and_marks_a_word_in_any_spelling(written, typed):
    version = imported(f"Keeps the {written} current.", "Something else entirely.")

    (hit,) = search(version, typed)

    assert marked(hit) == [written]
    assert text_of(hit) == f"Keeps the {written} current."


@pytest.mark.django_db
def test_a_short_word_finds_only_whole_words_and_a_longer_one_their_starts_too():
    version = imported(
        "Uses EF Core with care.",
        "Works effectively with others.",
        "Designs the architecture.",
        "Writes an architectural decision record.",
        "Walks in the arch of the building.",
    )

    assert found(version, "EF") == ["Uses EF Core with care."]
    assert found(version, "ar") == []
    hits = search(version, "arch")
    assert [marked(hit) for hit in hits] == [["arch"], ["architecture"], ["architectural"]]


@pytest.mark.django_db
def test_a_word_inside_another_is_not_found():
    version = imported("Lets off steam.", "Plays as a team.")

    assert found(version, "team") == ["Plays as a team."]


@pytest.mark.django_db
def test_words_typed_together_are_a_phrase():
    version = imported("Leading several teams or sub-teams.", "A sub of the teams.")

    (hit,) = search(version, "sub-teams")

    assert marked(hit) == ["sub-teams"]


# -- ranking ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_lines_with_more_of_the_words_come_first():
    version = imported(
        "Mentors the team.",
        "Mentors the team on testing.",
        "Mentors the team on testing with care.",
        "Nothing to see here.",
    )

    hits = search(version, "mentors testing care")

    assert [text_of(hit) for hit in hits] == [
        "Mentors the team on testing with care.",
        "Mentors the team on testing.",
        "Mentors the team.",
    ]
    assert [hit.every_word for hit in hits] == [True, False, False]


@pytest.mark.django_db
def test_a_whole_word_comes_before_the_start_of_a_longer_word():
    version = imported("Keeps testsuites green.", "Runs the tests daily.")

    assert found(version, "tests") == ["Runs the tests daily.", "Keeps testsuites green."]


@pytest.mark.django_db
def test_each_version_finds_only_its_own_lines():
    first = imported("Alpha work.")
    second = imported("Beta work.")

    assert found(first, "alpha") == ["Alpha work."]
    assert found(second, "alpha") == []
    assert found(second, "beta") == ["Beta work."]


# -- what cannot be searched for -------------------------------------------------------------

# Query syntax of FTS5 and of tsquery, and regular expressions: each is read as its words only.
SYNTAX = [
    ('"alpha"', "alpha"),
    ('"alpha', "alpha"),
    ("alpha*", "alpha"),
    ("^alpha", "alpha"),
    ("alpha:*", "alpha"),
    ("'alpha'", "alpha"),
    ("alpha\\", "alpha"),
    ("!alpha", "alpha"),
    ("-alpha +beta", "alpha beta"),
    ("alpha & beta", "alpha beta"),
    ("alpha | beta", "alpha beta"),
    ("alpha <-> beta", "alpha beta"),
    ("(alpha) OR (beta)", "alpha or beta"),
    ("alpha AND NOT beta", "alpha and not beta"),
    ("NEAR( alpha beta )", "near alpha beta"),
    ("words: alpha", "words alpha"),
    ("{words}: alpha", "words alpha"),
    (".* alpha", "alpha"),
    ("[alpha]", "alpha"),
    ("alpha$ (?i)", "alpha i"),
    ("%alpha% _", "alpha"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("typed", "plain"), SYNTAX, ids=[typed for typed, _ in SYNTAX])
def test_query_syntax_and_regex_characters_are_read_as_plain_words(typed, plain):
    version = imported("Alpha and beta.", "NEAR the OR gate, not words.", "Gamma only.")

    hits = search(version, typed)

    assert [hit.pieces for hit in hits] == [hit.pieces for hit in search(version, plain)]
    assert "Gamma only." not in map(text_of, hits)
    assert hits


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["", "   ", "***", "'", '"', "\\", ":*", "&|!", "()", "—"])
def test_a_query_without_words_finds_nothing_without_an_error(typed):
    version = imported("Alpha and beta.")

    assert search(version, typed) == []


# (what, typed, searched, a part of the notice)
CAPS = [
    ("one long word", "x" * 300, "x" * MAX_QUERY_LENGTH, "first 200 characters"),
    ("long words, cut at a space", "abcdefghi " * 30, ("abcdefghi " * 20).strip(), "200 char"),
    ("many words", " ".join(f"w{n}" for n in range(30)), " ".join(f"w{n}" for n in range(20)),
     "first 20 words"),
    ("runs of spaces", "  alpha \t\n beta  ", "alpha beta", None),
    ("nothing to search", "+++", "+++", "nothing to search for"),
    ("nothing typed", "", "", None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "searched", "notice"), [c[1:] for c in CAPS], ids=[c[0] for c in CAPS]
)
def test_a_long_query_is_cut_with_a_notice(typed, searched, notice):
    query, said = cap_query(typed)

    assert query == searched
    assert len(query) <= MAX_QUERY_LENGTH and len(query.split()) <= MAX_QUERY_WORDS
    assert (notice in said) if notice else said == ""


@pytest.mark.django_db
def test_a_search_reads_only_as_many_words_as_a_query_may_have_whoever_calls():
    version = imported("Alpha work.", "Omega work.")

    assert found(version, " ".join([*(f"zz{n}" for n in range(MAX_QUERY_WORDS)), "omega"])) == []
    assert found(version, "omega") == ["Omega work."]


# -- synonyms --------------------------------------------------------------------------------

EF = "  EF: [Entity Framework, EF Core]"


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["EF", "ef", "entity framework", "Entity-Framework", "EF Core"])
def test_a_synonym_finds_the_lines_of_every_word_of_its_group(typed):
    version = imported(
        "Uses Entity Framework for data.",
        "Tunes EF Core queries.",
        "Knows EF well.",
        "Works effectively.",
        synonyms=EF,
    )

    hits = search(version, typed)

    assert sorted(map(text_of, hits)) == [
        "Knows EF well.",
        "Tunes EF Core queries.",
        "Uses Entity Framework for data.",
    ]
    assert sorted(m for hit in hits for m in marked(hit)) == ["EF", "EF Core", "Entity Framework"]


@pytest.mark.django_db
def test_a_synonym_counts_as_one_word_of_the_query():
    version = imported("Tunes EF Core queries.", "Tunes the cache.", synonyms=EF)

    (first, second) = search(version, "entity framework tunes")

    assert text_of(first) == "Tunes EF Core queries." and first.every_word
    assert not second.every_word


def test_the_longest_run_of_typed_words_a_synonym_knows_is_one_term():
    terms = read_query("entity framework tuning", {"EF": ("Entity Framework", "EF Core")})

    assert [[p.words for p in term.phrases] for term in terms] == [
        [("entity", "framework"), ("ef",), ("ef", "core")],
        [("tuning",)],
    ]


@pytest.mark.django_db
def test_the_most_synonyms_a_query_can_reach_still_search():
    synonyms = "\n".join(
        f"  t{n}: [{', '.join(f'other{n} word{k}' for k in range(20))}]" for n in range(20)
    )
    version = imported("Has other7 word19 in it.", "Has t3 too.", synonyms=synonyms)

    hits = search(version, " ".join(f"t{n}" for n in range(20)))

    assert sorted(map(text_of, hits)) == ["Has other7 word19 in it.", "Has t3 too."]


# -- synonyms in the ladder file -------------------------------------------------------------


def test_synonyms_round_trip_through_the_formatter_and_the_json_export():
    ladder = parse(ladder_source("Uses EF.", synonyms=EF + "\n  CI: continuous integration"))

    text = format_ladder(ladder)
    exported = ladder_to_dict(ladder)

    assert ladder.synonyms == {
        "EF": ("Entity Framework", "EF Core"),
        "CI": ("continuous integration",),
    }
    assert "synonyms:\n  EF: [Entity Framework, EF Core]\n  CI: [continuous integration]\n" in text
    assert parse(text) == ladder and format_ladder(parse(text)) == text
    assert exported["synonyms"] == {
        "EF": ["Entity Framework", "EF Core"],
        "CI": ["continuous integration"],
    }
    jsonschema.validate(exported, json_schema())


def test_a_ladder_without_synonyms_formats_as_before():
    text = format_ladder(parse(ladder_source("Uses EF.")))

    assert "synonyms" not in text


TOO_MANY_TERMS = "\n".join(f"  t{n}: [x]" for n in range(201))
TOO_MANY_SYNONYMS = f"  EF: [{', '.join(f'w{n}' for n in range(21))}]"
# (what, the synonyms YAML, text on the line the error is on, a part of the message)
BAD_SYNONYMS = [
    ("a list, not a mapping", None, "synonyms:", "synonyms must map each word"),
    ("an empty list", "  EF: []", "EF:", "synonyms of 'EF': synonyms must map"),
    ("a number for a list", "  EF: 5", "EF:", "synonyms of 'EF'"),
    ("a mapping for a list", "  EF: {a: b}", "EF:", "synonyms of 'EF'"),
    ("a number in the list", "  EF: [Entity Framework,\n    5]", "    5]", "must be text"),
    ("a list in the list", "  EF: [[a]]", "EF:", "must be text"),
    ("a term YAML reads as true", "  yes: [x]", "yes:", "True must be text: write it in quotes"),
    ("a number for a term", "  12: [x]", "12:", "12 must be text"),
    ("an empty term", "  '': [x]", "'':", "has no letter or digit"),
    ("a term of punctuation", "  '+++': [x]", "'+++':", "'+++' has no letter or digit"),
    ("a blank synonym", "  EF: ['   ']", "EF:", "synonym of 'EF' '' has no letter or digit"),
    ("a long synonym", f"  EF: [{'x' * 101}]", "EF:", "101 characters long, more than the 100"),
    ("a long term", f"  {'x' * 101}: [a]", "xxx", "101 characters long"),
    ("a term twice", "  EF: [a]\n  Ｅf: [b]", "Ｅf:", "'Ｅf' repeats 'EF' (line 3)"),
    ("too many synonyms", TOO_MANY_SYNONYMS, "EF:", "21 synonyms of 'EF': a term has at most 20"),
    ("too many terms", TOO_MANY_TERMS, "synonyms:", "201 synonym terms: a ladder has at most 200"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("yaml", "needle", "message"), [b[1:] for b in BAD_SYNONYMS], ids=[b[0] for b in BAD_SYNONYMS]
)
def test_a_bad_synonym_is_reported_on_its_line(yaml, needle, message):
    source = ladder_source("Uses EF.", synonyms=yaml or "  - EF")
    if yaml is None:
        source = source.replace("synonyms:\n  - EF", "synonyms: [EF]")

    reported(source, line_of(source, needle), message)


def test_the_unknown_key_error_names_synonyms_among_the_keys():
    source = "---\nsynonym: {EF: [x]}\n---\n" + ladder_source("Uses EF.")

    reported(source, 2, "expected dimensions, scale, levels, rules or synonyms")


# -- the index -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_import_indexes_every_searched_line_by_its_folded_words():
    version = imported("Keeps the Résumé current.", next_actions=("Grow ＥＦ skills.",))
    ladder = version_ladder(version)

    lines = {
        (line.section, line.position): line.words
        for line in SearchLine.objects.filter(version=version)
    }

    expected = {
        (section, position): " ".join(words(text))
        for level in ladder.levels
        for section in SEARCHED_SECTIONS
        for position, text in enumerate(getattr(level, section))
    }
    assert lines == expected
    assert lines["responsibilities", 0] == "keeps the resume current"
    assert lines["next_actions", 0] == "grow ef skills"


@pytest.mark.django_db
def test_the_migration_indexes_versions_imported_before_the_index():
    version = imported("Keeps the Résumé current.", synonyms=EF)
    before = sorted(
        SearchLine.objects.filter(version=version).values_list("section", "position", "words")
    )
    SearchLine.objects.all().delete()
    assert search(version, "resume") == []
    migration = importlib.import_module("ladder.frameworks.migrations.0005_index_ladder_versions")

    migration.index_versions(apps, SimpleNamespace(connection=connection, execute=_execute))

    after = sorted(
        SearchLine.objects.filter(version=version).values_list("section", "position", "words")
    )
    assert after == before
    assert found(version, "resume") == ["Keeps the Résumé current."]


def _execute(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)


@pytest.mark.django_db
def test_deleting_a_version_takes_its_lines_out_of_the_index():
    gone = imported("Alpha work.", slug="gone")
    kept = imported("Alpha work.", slug="kept")

    gone.delete()

    assert found(kept, "alpha") == ["Alpha work."]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM frameworks_searchline_fts "
                "WHERE frameworks_searchline_fts MATCH 'alpha'"
            )
            assert cursor.fetchone() == (1,)


@pytest.mark.django_db
def test_the_database_has_its_full_text_index():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'frameworks_searchline_vector'"
            )
            assert "USING gin (vector)" in cursor.fetchone()[0]
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'")
            assert cursor.fetchone() == (1,)
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'frameworks_searchline_fts'")
            assert "unicode61 remove_diacritics 2" in cursor.fetchone()[0]


# -- the bundled ladder and the page ---------------------------------------------------------


def test_the_bundled_ladder_lists_its_synonyms_and_passes_ladder_check(dotnet_text):
    ladder = parse(dotnet_text)

    assert ladder.synonyms["EF"] == ("Entity Framework", "EF Core")
    assert run_ladder("check", "ladders/dotnet.md").returncode == 0
    assert run_ladder("fmt", "--check", "ladders/dotnet.md").returncode == 0
    for term, alike in ladder.synonyms.items():
        lines = [
            text for level in ladder.levels for f in SEARCHED_SECTIONS for text in getattr(level, f)
        ]
        group = [tuple(words(t)) for t in (term, *alike)]
        assert any(
            " ".join(phrase) in " ".join(words(line)) for line in lines for phrase in group
        ), f"the ladder never uses {term} or its synonyms"


@pytest.mark.django_db
def test_the_bundled_ladder_finds_ef_core_for_entity_framework(dotnet_version):
    hits = search(dotnet_version, "entity framework")

    assert len(hits) >= 5
    assert all(marked(hit) == ["EF Core"] for hit in hits)
    assert not any("effectively" in m for hit in search(dotnet_version, "EF") for m in marked(hit))


@pytest.mark.django_db
def test_the_search_page_marks_whole_words_and_says_which_lines_have_only_some(
    client, dotnet_version
):
    html = client.get("/ladders/dotnet/search/", {"q": "EF effectively"}).content.decode()

    assert "Uses <mark>EF Core</mark> <mark>effectively</mark>:" in html
    assert "with every word, the rest with some" in html
    assert "· some of the words" in html


@pytest.mark.django_db
def test_the_search_page_cuts_a_long_query_with_a_notice(client, dotnet_version):
    typed = " ".join(["team"] * 30)

    response = client.get("/ladders/dotnet/search/", {"q": typed})
    html = response.content.decode()

    assert response.status_code == 200
    assert "only its first 20 words were searched for" in html
    assert f'value="{" ".join(["team"] * 20)}"' in html


@pytest.mark.django_db
def test_the_search_page_says_when_there_are_more_lines_than_it_shows(client, dotnet_version):
    html = client.get("/ladders/dotnet/search/", {"q": "the a and"}).content.decode()

    assert "The best 100 results" in html
    assert "More lines match" in html
    assert html.count("<li>") >= 100


@pytest.mark.django_db
def test_a_version_keeps_its_synonyms_in_the_order_written():
    version = imported("Uses EF.", synonyms="  Zeta: [z]\n  EF: [Entity Framework]\n  CI: [c i]")

    assert list(version_ladder(version).synonyms) == ["Zeta", "EF", "CI"]
    assert version_ladder(version) == parse(version.source)


@pytest.mark.django_db
def test_a_version_with_synonyms_exports_them(client):
    imported("Uses EF.", synonyms=EF, slug="synonyms")

    exported = json.loads(client.get("/ladders/synonyms/download.json").content)
    markdown = client.get("/ladders/synonyms/download.md").content.decode()

    assert exported["synonyms"] == {"EF": ["Entity Framework", "EF Core"]}
    assert "synonyms:\n  EF: [Entity Framework, EF Core]\n" in markdown


@pytest.mark.django_db
def test_a_change_of_synonyms_alone_is_a_new_version_and_the_diff_names_it():
    imported("Uses EF.", slug="changing")
    result = ladder_import(
        source=ladder_source("Uses EF.", synonyms=EF), source_name="search.md", slug="changing"
    )

    assert result.created and result.version.number == 2
    assert [what for what, _, _ in result.diff.facts] == ["synonyms"]
    assert found(result.version, "entity framework") == ["Uses EF."]
