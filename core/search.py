"""The admin's search read through trigram indexes on PostgreSQL, with the results of Django's own search.

Django's search turns each word into an OR of ``UPPER(column::text) LIKE UPPER('%word%')`` over every search field,
here across a record and the person it belongs to. An OR across two tables cannot be answered from an index of
either, so PostgreSQL reads the list's ordering index and tests every row (and counts by testing every row again).
Here each table is asked on its own. First, in one query, the keys of the related records (the people, the
requirements) whose fields contain each word, through their trigram indexes. Then the records where each word is in
one of their own fields (through their own trigram index) or in a related record of those keys (through the foreign
key's index). A record is kept when every word matches it one way or the other: the same rows as Django's search,
word for word, with the same lookups, only asked table by table.

The indexes are expression indexes on ``UPPER(column::text)`` (``gin_trgm_ops``), the very expression of Django's
``icontains`` on PostgreSQL, so the planner can use them for the query as Django writes it. A word of fewer than
three characters has no trigram to look up: PostgreSQL then reads the table or the whole index, and the answer is
the same. On SQLite, or for a search field this cannot split (``^``, ``=``, ``@``, an explicit lookup, a path
through a many-valued relation), Django's search runs as it is; on SQLite a search that finds few rows then has its
page read in the table's own order and sorted (``SearchedChangeList``), not down the index of the list's order.
"""

from __future__ import annotations

from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, FieldError
from django.db import connections, models
from django.db.models import F, Func, OrderBy, Q, QuerySet, Value
from django.db.models.constants import LOOKUP_SEP
from django.utils.text import smart_split, unescape_string_literal

# Related records' keys put into the search as a list, at most, for each word; beyond that, a subquery.
INLINE = 1000
# Rows found by a search on SQLite, at most, for which the page is read in the table's own order and sorted, in pages
# of the list. Down the index a page costs about (page / rows found) of the table read out of order, some 6× a read
# in order: at 200,000 exchanges and 100 rows a page, 110 found took 706 ms down the index against 119 ms read and
# sorted; 1,110 found, 77 against 123 ms. A list showing more rows a page reads more of the index to fill one.
SORTED_BELOW_PAGES = 5


class IndexedSearchMixin:
    """For a ModelAdmin whose search fields have trigram indexes on PostgreSQL: set ``indexed_search = True``.

    Its changelist is ``SearchedChangeList`` (a search that finds few rows reads SQLite's table, not the index).
    """

    indexed_search = False

    def get_changelist(self, request, **kwargs):
        return SearchedChangeList

    def get_search_results(self, request, queryset, search_term):
        if self.indexed_search:
            found = search_by_index(queryset, self.get_search_fields(request), search_term)
            if found is not None:
                return found, False
        return super().get_search_results(request, queryset, search_term)


def search_by_index(queryset: QuerySet, search_fields, search_term: str) -> QuerySet | None:
    """``queryset`` narrowed to what Django's search finds, table by table; None where Django's search must run."""
    if connections[queryset.db].vendor != "postgresql":
        return None
    groups = by_table(queryset.model, search_fields)
    words = [
        unescape_string_literal(bit) if bit.startswith(('"', "'")) and bit[0] == bit[-1] else bit
        for bit in smart_split(search_term)
    ]
    if groups is None or not words or set(groups) == {""}:
        # One table: Django's own search is already one OR over it, which its trigram indexes serve.
        return None
    own = groups.pop("", (queryset.model, []))[1]
    found = related_matches(groups, words, queryset.db)
    for number, word in enumerate(words):
        matches = [(f"{field}__icontains", word) for field in own]
        for path, (related, fields) in groups.items():
            keys = found[path, number]
            if keys is None:
                keys = related._base_manager.using(queryset.db).filter(contains(fields, word)).values("pk")
            matches.append((f"{path}__in", keys))
        queryset = queryset.filter(Q.create(matches, connector=Q.OR))
    return queryset


def contains(fields: list[str], word: str) -> Q:
    return Q.create([(f"{field}__icontains", word) for field in fields], connector=Q.OR)


def related_matches(groups: dict, words: list[str], using: str) -> dict[tuple[str, int], list | None]:
    """The keys of the related records that contain each word (through their trigram indexes), in one query: at most
    INLINE of them for a word, None where there are more.

    A handful of keys goes into the search as a list, so PostgreSQL reads the records' rows by those keys and
    by their own trigram indexes, and knows how many rows to expect; a word found in more related records than that
    (one in every name) goes in as a subquery, which PostgreSQL hashes once and tests each row against.
    """
    slots = list(enumerate((path, number) for path in groups for number in range(len(words))))
    parts = [
        groups[path][0]
        ._base_manager.using(using)
        .filter(contains(groups[path][1], words[number]))
        .order_by()
        .annotate(slot=Value(slot))
        .values_list("pk", "slot")[: INLINE + 1]
        for slot, (path, number) in slots
    ]
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    keys: dict[int, list] = {slot: [] for slot, _where in slots}
    for key, slot in rows:
        keys[slot].append(key)
    return {where: (keys[slot] if len(keys[slot]) <= INLINE else None) for slot, where in slots}


def by_table(model: type[models.Model], search_fields) -> dict[str, tuple[type[models.Model], list[str]]] | None:
    """The search fields by the path to their table: ``{"": (model, own fields), "person": (Person, [...])}``.

    None when a field is not a plain text field reached through one-valued relations (a foreign key to a primary key,
    followed forwards), searched as Django searches by default (``icontains``): then Django's own search runs.
    """
    groups: dict[str, tuple[type[models.Model], list[str]]] = {}
    for name in map(str, search_fields):
        if name[:1] in "^=@":
            return None
        *path, last = name.split(LOOKUP_SEP)
        opts = model._meta
        try:
            for part in path:
                field = opts.get_field(part)
                # One related record per row, found by its key (the keys are what the first query gives).
                if not (field.many_to_one or (field.one_to_one and field.concrete)):
                    return None
                if not field.target_field.primary_key:
                    return None
                opts = field.related_model._meta
            field = opts.get_field(last)
        except FieldDoesNotExist:
            return None
        if field.is_relation or not isinstance(field, (models.CharField, models.TextField)):
            return None
        groups.setdefault(LOOKUP_SEP.join(path), (opts.model, []))[1].append(last)
    return groups


class SearchedChangeList(ChangeList):
    """A changelist whose narrow search on SQLite reads the table in its own order and sorts what it finds.

    SQLite cannot tell how many rows a ``LIKE '%word%'`` keeps, so it reads a list's page down the index of the
    list's order (``exchange_planned_start``), fetching each row and its person out of order to test it, until the
    page is full. For a word in every row that is a page's worth; for a word in a few rows it is every row of the
    table, read out of order: 3–4× the time of Django's stock list, which reads the table in order. The count, asked
    first, says how many rows the search keeps: up to SORTED_BELOW_PAGES pages of them, the page's ORDER BY is put
    out of the index's reach (``+column``, SQLite's no-op that no index serves) and SQLite reads the table in order and
    sorts the few rows it finds. Same rows, same order: the values compared are the same.
    """

    def get_results(self, request):
        super().get_results(request)
        page = self.list_max_show_all if self.show_all and self.can_show_all else self.list_per_page
        few = self.result_count <= SORTED_BELOW_PAGES * page
        if self.query and few and connections[self.queryset.db].vendor == "sqlite":
            self.result_list = sorted_after_reading(self.result_list)


class Unindexed(Func):
    """``+column``: on SQLite the same value, of the same type, and no index's order."""

    template = "+%(expressions)s"


def sorted_after_reading(queryset: QuerySet) -> QuerySet:
    """``queryset`` (a page of it, perhaps) with its ORDER BY on plain columns out of any index's reach.

    A term naming a related record (ordered by that model's own ordering) or an expression stays as it is.
    """
    query = queryset.query
    terms = []
    for term in query.order_by:
        if isinstance(term, str) and term != "?":
            name = term.removeprefix("-")
            try:
                field = query.names_to_path(name.split(LOOKUP_SEP), query.get_meta(), fail_on_missing=True)[1]
            except (FieldDoesNotExist, FieldError):
                field = None
            if field is not None and not field.is_relation:
                term = OrderBy(Unindexed(F(name)), descending=term.startswith("-"))
        terms.append(term)
    low, high = query.low_mark, query.high_mark
    reordered = queryset._chain()
    reordered.query.clear_limits()
    reordered = reordered.order_by(*terms)
    reordered.query.set_limits(low, high)
    return reordered
