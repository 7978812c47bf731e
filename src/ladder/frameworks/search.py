"""Searching a ladder version's lines by whole words and the starts of words.

The lines searched are every level's criteria, Next Actions and Scenario. When a version is
imported, `index_version` writes one SearchLine per line, holding its words as words.py folds
them (case, accents and Unicode spellings folded), and the database's full-text index covers
them: an FTS5 table on SQLite, a tsvector with a GIN index on PostgreSQL (migration 0004).

A search reads the query into terms, each a word or a phrase typed together ("sub-teams") with
the ladder's synonyms for it; asks the index for the lines with any term, best first; then ranks
and marks those lines in Python, with the same folding the index was made with, so that what is
found and what is marked agree on both databases:

- a line with more of the terms comes first; then one with more of them as whole words rather
  than as the start of a longer word; then the database's rank (bm25, ts_rank); then the
  ladder's order;
- a term of three letters or more also finds words it begins ("arch" finds "architecture");
  a shorter one only whole words, so that "EF" finds "EF Core" but not "effectively".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connections, router
from django.db.models import F, Func, TextField, Value

from .ladder_data import BULLET_SECTIONS, CRITERIA_SECTIONS
from .ladder_data import Ladder as LadderData
from .ladder_data import Level as LevelData
from .models import LadderVersion, Level, SearchLine
from .selectors import version_ladder
from .words import word_spans, words

# What one search takes: longer queries are cut, with a word on the page, never an error.
MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 20
# A word this long or longer also finds the words it begins.
MIN_PREFIX_LENGTH = 3
# The hits a page shows, and the lines the index hands over to be ranked.
MAX_HITS = 100
MAX_CANDIDATES = 1000
# The phrases one term may stand for: itself and the synonyms of every group it is in.
MAX_PHRASES_PER_TERM = 50

# The Level fields searched, with their section names: the criteria, then the guidance.
SEARCHED_SECTIONS = {
    **CRITERIA_SECTIONS,
    **{BULLET_SECTIONS[name]: name for name in ("Next Actions", "Scenario")},
}
_SECTION_ORDER = {field: order for order, field in enumerate(SEARCHED_SECTIONS)}
# Kept in step with frameworks_searchline by the triggers of migration 0004.
_FTS_TABLE = "frameworks_searchline_fts"


@dataclass(frozen=True)
class SearchHit:
    level: LevelData
    section: str
    # The line cut into (text, matched) pieces, so templates can mark the matches.
    pieces: tuple[tuple[str, bool], ...]
    # Whether the line has every term searched for, not only some.
    every_word: bool = True


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]  # folded
    # Whether its last word may also be the start of a longer word.
    prefix: bool


@dataclass(frozen=True)
class Term:
    """A word or phrase searched for with its synonyms: a line has the term if it has any."""

    phrases: tuple[Phrase, ...]


def cap_query(text: str) -> tuple[str, str]:
    """The query as it will be searched, and a sentence saying what was left out, if anything.

    At most MAX_QUERY_LENGTH characters (cut at a space where there is one) and MAX_QUERY_WORDS
    words; runs of spaces count as one.
    """
    query, notices = " ".join(text.split()), []
    if len(query) > MAX_QUERY_LENGTH:
        cut = query[: MAX_QUERY_LENGTH + 1]
        query = cut.rsplit(" ", 1)[0] if " " in cut else cut[:MAX_QUERY_LENGTH]
        notices.append(f"its first {MAX_QUERY_LENGTH} characters")
    typed = query.split()
    if len(typed) > MAX_QUERY_WORDS:
        query = " ".join(typed[:MAX_QUERY_WORDS])
        notices.append(f"its first {MAX_QUERY_WORDS} words")
    if notices:
        notice = f"The search is too long: only {' and '.join(notices)} were searched for."
    elif query and not words(query):
        notice = "There is nothing to search for: type a word, with letters or digits."
    else:
        notice = ""
    return query, notice


def read_query(query: str, synonyms: Mapping[str, Sequence[str]]) -> tuple[Term, ...]:
    """The terms of a query: each word typed (its parts, like sub-teams, one phrase), or words
    typed one after the other that the ladder lists as synonyms ("entity framework")."""
    typed = [phrase for phrase in (tuple(words(chunk)) for chunk in query.split()) if phrase]
    alike = _synonyms_by_phrase(synonyms)
    longest = max(map(len, alike), default=0)
    terms, start = [], 0
    while start < len(typed):
        end = start + 1
        # The longest run of whole typed words the synonyms know, else the one word.
        for stop in range(len(typed), start, -1):
            joined = sum(typed[start:stop], ())
            if len(joined) <= longest and joined in alike:
                end = stop
                break
        phrase = sum(typed[start:end], ())
        phrases = dict.fromkeys([phrase, *alike.get(phrase, ())])
        term = Term(tuple(_phrase(found) for found in list(phrases)[:MAX_PHRASES_PER_TERM]))
        if term not in terms:
            terms.append(term)
        start = end
    return tuple(terms)


def _synonyms_by_phrase(synonyms: Mapping[str, Sequence[str]]) -> dict[tuple, list[tuple]]:
    """Each synonym, folded, with every phrase of the groups it is in."""
    alike: dict[tuple, list[tuple]] = {}
    for term, others in synonyms.items():
        group = [phrase for phrase in (tuple(words(text)) for text in (term, *others)) if phrase]
        for phrase in group:
            alike.setdefault(phrase, []).extend(group)
    return alike


def _phrase(folded: tuple[str, ...]) -> Phrase:
    return Phrase(folded, prefix=len(folded[-1]) >= MIN_PREFIX_LENGTH)


def search(
    version: LadderVersion,
    query: str,
    *,
    ladder: LadderData | None = None,
    limit: int = MAX_HITS,
) -> list[SearchHit]:
    """The version's lines with any word of `query`, best first, at most `limit`.

    `ladder` is the version as the pure model, when the caller has read it already. A query
    longer than cap_query allows is cut, whoever calls.
    """
    query, _ = cap_query(query)
    terms = read_query(query, dict(version.synonyms))
    if not terms:
        return []
    candidates = _candidates(version, terms)
    if not candidates:
        return []
    ladder = ladder or version_ladder(version)
    levels = {level.code: (order, level) for order, level in enumerate(ladder.levels)}
    ranked = []
    for code, section, position, score in candidates:
        order, level = levels[code]
        text = getattr(level, section)[position]
        found = [_occurrences(word_spans(text), term) for term in terms]
        matched = sum(1 for spans in found if spans)
        if not matched:
            continue  # the index and the folding disagree; the folding decides
        whole = sum(1 for spans in found if any(exact for _, _, exact in spans))
        key = (-matched, -whole, -score, order, _SECTION_ORDER[section], position)
        hit = SearchHit(
            level, SEARCHED_SECTIONS[section], _pieces(text, found), matched == len(terms)
        )
        ranked.append((key, hit))
    ranked.sort(key=lambda pair: pair[0])
    return [hit for _, hit in ranked[:limit]]


def _occurrences(spans: list[tuple[int, int, str]], term: Term) -> list[tuple[int, int, bool]]:
    """Where the line has the term: (start, end, whether its last word is whole)."""
    found = []
    for phrase in term.phrases:
        *leading, last = phrase.words
        for index in range(len(spans) - len(leading)):
            if any(spans[index + k][2] != word for k, word in enumerate(leading)):
                continue
            written = spans[index + len(leading)][2]
            if written == last or (phrase.prefix and written.startswith(last)):
                found.append((spans[index][0], spans[index + len(leading)][1], written == last))
    return found


def _pieces(text: str, found: Iterable[list[tuple[int, int, bool]]]) -> tuple:
    marks = sorted((start, end) for spans in found for start, end, _ in spans)
    pieces, done = [], 0
    for start, end in marks:
        if end <= done:
            continue
        start = max(start, done)
        if start > done:
            pieces.append((text[done:start], False))
        if pieces and pieces[-1][1] and start == done:
            pieces[-1] = (pieces[-1][0] + text[start:end], True)
        else:
            pieces.append((text[start:end], True))
        done = end
    if done < len(text):
        pieces.append((text[done:], False))
    return tuple(pieces)


# -- the index ------------------------------------------------------------------------------


def index_version(version: LadderVersion, ladder: LadderData) -> None:
    """Write the search lines of a version just created from `ladder`."""
    level_ids = dict(Level.objects.filter(version=version).values_list("code", "pk"))
    SearchLine.objects.bulk_create(
        SearchLine(
            version=version,
            level_id=level_ids[level.code],
            section=section,
            position=position,
            words=" ".join(words(text)),
        )
        for level in ladder.levels
        for section in SEARCHED_SECTIONS
        for position, text in enumerate(getattr(level, section))
    )
    # On SQLite the FTS5 table's triggers have indexed the rows already.
    if _vendor(write=True) == "postgresql":
        SearchLine.objects.filter(version=version).update(
            vector=SearchVector(_unaccent(F("words")), config="simple")
        )


def index_rebuild() -> None:
    """Index every search line again from its words: after the rows were loaded by a restore,
    which copies the rows but not the index made of them."""
    if _vendor(write=True) == "postgresql":
        SearchLine.objects.update(vector=SearchVector(_unaccent(F("words")), config="simple"))
        return
    # FTS5's own command for an external-content table: read every row of the content again.
    with connections[router.db_for_write(SearchLine)].cursor() as cursor:
        cursor.execute(f"INSERT INTO {_FTS_TABLE}({_FTS_TABLE}) VALUES ('rebuild')")


def _candidates(version: LadderVersion, terms: tuple[Term, ...]) -> list[tuple]:
    """(level code, section, position, rank) of the lines with any term, best first."""
    if _vendor() == "postgresql":
        query = SearchQuery(_unaccent(Value(_tsquery(terms))), config="simple", search_type="raw")
        return list(
            SearchLine.objects.filter(version=version, vector=query)
            .annotate(rank=SearchRank(F("vector"), query))
            .order_by("-rank", "pk")
            .values_list("level__code", "section", "position", "rank")[:MAX_CANDIDATES]
        )
    # bm25() is lower for a better match.
    sql = f"""
        SELECT level.code, line.section, line.position, -bm25({_FTS_TABLE})
        FROM {_FTS_TABLE}
        JOIN {SearchLine._meta.db_table} line ON line.id = {_FTS_TABLE}.rowid
        JOIN {Level._meta.db_table} level ON level.id = line.level_id
        WHERE {_FTS_TABLE} MATCH %s AND line.version_id = %s
        ORDER BY bm25({_FTS_TABLE}), line.id
        LIMIT %s
    """  # noqa: S608 (names from the code; the query's text goes in as a parameter)
    with connections[router.db_for_read(SearchLine)].cursor() as cursor:
        cursor.execute(sql, [_fts_match(terms), version.pk, MAX_CANDIDATES])
        return cursor.fetchall()


def _vendor(*, write: bool = False) -> str:
    alias = router.db_for_write(SearchLine) if write else router.db_for_read(SearchLine)
    return connections[alias].vendor


def _unaccent(expression) -> Func:
    return Func(expression, function="unaccent", output_field=TextField())


def _fts_match(terms: tuple[Term, ...]) -> str:
    """An FTS5 query for lines with any of the phrases: each a quoted string, so that no word
    typed is read as FTS5 syntax (OR, NEAR, *, ^, column filters); "word"* for a prefix."""
    return " OR ".join(
        '"' + " ".join(phrase.words).replace('"', '""') + '"' + ("*" if phrase.prefix else "")
        for term in terms
        for phrase in term.phrases
    )


def _tsquery(terms: tuple[Term, ...]) -> str:
    """A to_tsquery text for lines with any of the phrases: each word a quoted lexeme, so that
    no word typed is read as tsquery syntax (&, |, !, <->, :*); 'word':* for a prefix."""
    return " | ".join(f"({_ts_phrase(phrase)})" for term in terms for phrase in term.phrases)


def _ts_phrase(phrase: Phrase) -> str:
    lexemes = [_lexeme(word) for word in phrase.words]
    if phrase.prefix:
        lexemes[-1] += ":*"
    return " <-> ".join(lexemes)


def _lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"
