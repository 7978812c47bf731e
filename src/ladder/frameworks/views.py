"""The ladder's pages: overview, level, compare, versions and diff, search, downloads."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from .charts import MIN_DIMENSIONS, Shape, radar_svg
from .diff import diff_ladders
from .export import ladder_to_json
from .ladder_data import BULLET_SECTIONS
from .ladder_data import Ladder as LadderData
from .ladder_data import Level as LevelData
from .models import Ladder, LadderVersion
from .page_cache import WHOLE, answer_from_cache, revalidated, unchanged_page, version_page
from .search import MAX_HITS, cap_query, search
from .selectors import get_ladder, get_level, get_version
from .version_cache import current_version, from_version, version_data
from .write import format_ladder


def site_context(request):
    return {"require_sign_in": settings.LADDER_REQUIRE_SIGN_IN}


def reader(view):
    """Reading the ladder is open to all unless LADDER_REQUIRE_SIGN_IN is set."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if settings.LADDER_REQUIRE_SIGN_IN and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


Found = TypeVar("Found")


def _found(select: Callable[..., Found], *args) -> Found:
    """What a selector finds; the 404 page where it raises DoesNotExist."""
    try:
        return select(*args)
    except ObjectDoesNotExist as error:
        raise Http404(str(error)) from None


def _latest(slug: str) -> tuple[Ladder, LadderVersion, LadderData]:
    """A ladder on the pages, its latest version and that version as the pure model: one query,
    and the model from the version's cache."""
    version = _found(current_version, slug)
    return version.ladder, version, version_data(version)


def _sections(level: LevelData) -> list[tuple[str, tuple[str, ...]]]:
    return [(name, level.bullets(name)) for name in BULLET_SECTIONS]


def _chart(data: LadderData, shapes: list[Shape], title: str, *, compact: bool = False) -> str:
    if len(data.dimensions) < MIN_DIMENSIONS:
        return ""  # a radar needs three axes; the ratings table beside it says it all
    svg = radar_svg(
        data.dimensions,
        shapes,
        scale_min=data.scale.min,
        scale_max=data.scale.max,
        title=title,
        size=160 if compact else 320,
        compact=compact,
    )
    return mark_safe(svg)  # built by charts.py, which escapes every text it draws


def _experience(level: LevelData) -> str:
    """Minimum Experience in words: "Minimum 1 year", "Minimum 18 months", "No minimum"."""
    months = level.minimum_experience.months
    if months is None:
        return "No minimum"
    if months % 12 == 0:
        years = months // 12
        return f"Minimum {years} year{'s' if years != 1 else ''}"
    return f"Minimum {months} months"


@require_safe
@reader
def home(request):
    ladders = list(Ladder.objects.active()[:2])
    if len(ladders) == 1:
        return overview(request, ladders[0].slug)
    return render(request, "frameworks/home.html", {"ladders": Ladder.objects.active()})


@require_safe
@reader
def overview(request, slug):
    ladder, version, data = _latest(slug)
    page = ("overview",)
    # Never kept whole, as its <style> carries the request's CSP nonce: only its content is.
    unchanged = unchanged_page(request, version, page)
    if unchanged is not None:
        return unchanged
    context = {"ladder": ladder, "version": version, "data": data, "tracks": data.tracks()}
    return version_page(
        request,
        version,
        page,
        "frameworks/overview.html",
        context,
        content="frameworks/_overview.html",
        make_context=lambda: {**context, "rows": _overview_rows(data)},
    )


def _overview_rows(data: LadderData) -> list[dict]:
    promotions = data.promotions()
    tracks = data.tracks()
    rows = []
    for number in sorted({level.number for level in data.levels}):
        cards = []
        for column, track in enumerate(tracks, start=1):
            for level in data.levels:
                if level.number == number and level.track == track:
                    previous, following = promotions[level.code]
                    joins = len({p.track for p in previous}) > 1
                    branches = [p for p in previous if p.track != level.track]
                    cards.append(
                        {
                            "level": level,
                            "column": column,
                            "span": joins,
                            "previous": previous,
                            "next": following,
                            "branch_from": branches if not joins else [],
                            "experience": _experience(level),
                            "chart": _chart(
                                data,
                                [Shape(f"{level.code} expected", level.ratings)],
                                f"{level.code} expected ratings",
                                compact=True,
                            ),
                        }
                    )
        rows.append({"number": number, "cards": cards})
    return rows


@require_safe
@reader
def level_detail(request, slug, code):
    # Only a level's own code has ever been given an ETag or kept, so this needs no check of
    # the code.
    page = ("level", code)
    version = _found(current_version, slug, (WHOLE, *page))
    answered = answer_from_cache(request, version, page)
    if answered is not None:
        return answered
    data = version_data(version)
    level = _found(get_level, data, code)
    if level.code != code:
        return redirect("frameworks:level", slug=slug, code=level.code)
    context = {"ladder": version.ladder, "version": version, "data": data, "level": level}

    def make_context():
        previous, following = data.promotions()[level.code]
        return {
            **context,
            **_level_page(data, level),
            "previous": previous,
            "next": following,
            "lateral": data.lateral_levels(level),
        }

    return version_page(
        request,
        version,
        page,
        "frameworks/level.html",
        context,
        content="frameworks/_level.html",
        make_context=make_context,
    )


def _level_page(data: LadderData, level: LevelData) -> dict:
    """What the level page and the printed ladder show of one level."""
    return {
        "level": level,
        "sections": _sections(level),
        "experience": _experience(level),
        "ratings": [(d, level.ratings.get(d)) for d in data.dimensions],
        "chart": _chart(data, [Shape(f"{level.code} expected", level.ratings)], level.title),
    }


@require_safe
@reader
def print_ladder(request, slug):
    page = ("print",)
    version = _found(current_version, slug, (WHOLE, *page))
    answered = answer_from_cache(request, version, page)
    if answered is not None:
        return answered
    data = version_data(version)
    context = {"ladder": version.ladder, "version": version, "data": data}
    return version_page(
        request,
        version,
        page,
        "frameworks/print.html",
        context,
        content="frameworks/_print.html",
        make_context=lambda: {
            **context,
            "pages": [_level_page(data, level) for level in data.levels],
        },
    )


@require_safe
@reader
def compare_form(request, slug):
    a, b = request.GET.get("a", ""), request.GET.get("b", "")
    _, _, data = _latest(slug)
    if a and b:
        # Only codes of this ladder reach the URL; anything else is a 404, not a broken redirect.
        a, b = _found(get_level, data, a).code, _found(get_level, data, b).code
        return redirect("frameworks:compare", slug=slug, a=a, b=b)
    first = data.levels[0]
    following = data.next_levels(first) or [first]
    return redirect("frameworks:compare", slug=slug, a=first.code, b=following[0].code)


@require_safe
@reader
def compare(request, slug, a, b):
    page = ("compare", a, b)
    version = _found(current_version, slug, (WHOLE, *page))
    answered = answer_from_cache(request, version, page)
    if answered is not None:
        return answered
    data = version_data(version)
    left, right = _found(get_level, data, a), _found(get_level, data, b)
    page = ("compare", left.code, right.code)
    context = {"ladder": version.ladder, "version": version, "data": data, "a": left, "b": right}
    return version_page(
        request,
        version,
        page,
        "frameworks/compare.html",
        context,
        content="frameworks/_compare.html",
        make_context=lambda: {**context, **_comparison(data, left, right)},
    )


def _comparison(data: LadderData, left: LevelData, right: LevelData) -> dict:
    ratings = []
    for dimension in data.dimensions:
        before, after = left.ratings.get(dimension), right.ratings.get(dimension)
        change = after - before if before is not None and after is not None else None
        ratings.append({"dimension": dimension, "a": before, "b": after, "change": change})
    sections = [
        {"name": name, "a": a_items, "b": b_items}
        for (name, a_items), (_, b_items) in zip(_sections(left), _sections(right), strict=True)
    ]
    shapes = [
        Shape(f"{left.code} {left.title}", left.ratings, "a"),
        Shape(f"{right.code} {right.title}", right.ratings, "b"),
    ]
    return {
        "ratings": ratings,
        "sections": sections,
        "experience": (_experience(left), _experience(right)),
        "chart": _chart(data, shapes, f"{left.code} compared with {right.code}"),
        "is_promotion": right in data.next_levels(left),
    }


@require_safe
@reader
def versions(request, slug):
    ladder = _found(get_ladder, slug)
    history = list(ladder.versions.latest_first().select_related("imported_by"))
    context = {"ladder": ladder, "history": history, "version": history[0] if history else None}
    return render(request, "frameworks/versions.html", context)


@require_safe
@reader
def version_detail(request, slug, number):
    """One version: when and why it was made, and what changed since the one before."""
    ladder = _found(get_ladder, slug)
    if number < 1:
        raise Http404("Versions are numbered from 1")
    shown = _found(get_version, ladder, number)
    before = ladder.versions.filter(number=number - 1).first()
    context = {
        "ladder": ladder,
        "version": _found(get_version, ladder),
        "shown": shown,
        "before": before,
        "diff": diff_ladders(version_data(before), version_data(shown)) if before else None,
    }
    response = render(request, "frameworks/version.html", context)
    # The page lists, to whoever may see them, the people whose readiness the version changed
    # (a panel of the assessments layer): no cache may keep a copy, as on every people page.
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_safe
@reader
def version_diff(request, slug, old, new):
    ladder = _found(get_ladder, slug)
    before, after = _found(get_version, ladder, old), _found(get_version, ladder, new)
    change = diff_ladders(version_data(before), version_data(after))
    context = {
        "ladder": ladder,
        "version": _found(get_version, ladder),
        "before": before,
        "after": after,
        "diff": change,
        "others": ladder.versions.latest_first(),
    }
    return render(request, "frameworks/diff.html", context)


@require_safe
@reader
def search_view(request, slug):
    ladder, version, data = _latest(slug)
    query, notice = cap_query(request.GET.get("q", ""))
    hits = search(version, query, ladder=data, limit=MAX_HITS + 1)
    context = {
        "ladder": ladder,
        "version": version,
        "data": data,
        "query": query,
        "notice": notice,
        "hits": hits[:MAX_HITS],
        "more": len(hits) > MAX_HITS,
        "every_word": sum(hit.every_word for hit in hits[:MAX_HITS]),
    }
    return render(request, "frameworks/search.html", context)


@require_safe
@reader
def download(request, slug, fmt):
    number = request.GET.get("version", "")
    number = int(number) if number.isascii() and number.isdigit() else None
    if number is None:
        version = _found(current_version, slug)
    else:
        version = _found(get_version, _found(get_ladder, slug), number)
    page = ("download", fmt)
    unchanged = unchanged_page(request, version, page)
    if unchanged is not None:
        return unchanged
    if fmt == "json":
        make, content_type = ladder_to_json, "application/json"
    else:
        make, content_type = format_ladder, "text/markdown; charset=utf-8"
    body = from_version(version, *page, make=lambda: make(version_data(version)))
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{version.ladder.slug}-v{version.number}.{fmt}"'
    )
    revalidated(response, request, version, page)
    return response
