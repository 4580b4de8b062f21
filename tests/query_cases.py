"""Generated collections, queries and pipelines for the differential tests against mongod.

Everything is drawn with a seeded ``random.Random``: ``collection(rng)`` makes the documents,
``QueryGen``/``PipelineGen`` draw queries and pipelines from the supported operators and stages,
taking paths and values mostly from the collection itself (so that conditions select some
documents and not others, and equalities with whole arrays and documents hit).

What they cover (issue 13): missing fields and nulls; 0, 1, other numbers and booleans
together; strings with non-ASCII letters, digits and spaces under ``$regex`` with ``\\w \\d \\s
\\b`` and ``$options``; sub-document keys in varying order; nested arrays (arrays of arrays,
arrays of documents holding arrays, empty arrays partway along paths); numeric path parts in
queries, ``$sort`` and ``$project``; one-field and many-field document ``_id``s with missing
values; collections typed like a dataset's columns (one scalar type per field plus nulls: the
vectorized fast paths).
"""

from __future__ import annotations

import random
import re

NUMBERS = [0, 1, -2, 2, 3, 2.5, -1.5, 0.0, 1.0, 3.0]
FLOATS = [2.5, -1.5, 0.0, 1.0, 3.0]
ASCII = ["x", "y", "ab", "B", "", "x_1", "a b", "1", "a\nb"]
UNICODE = ["é", "É", "éa", "٣", "x٣", "a\u00a0b", "ß", "Ωx", "a\tb", "Ü b", "x\n"]
SCALARS = [None, *NUMBERS, *ASCII, True, False]
POOL = [*SCALARS, *SCALARS, *UNICODE]  # unicode strings at about one draw in five
TOP = ["a", "b", "c"]
SUB = ["p", "q", "p", "q", "1"]  # a numeric field name now and then

QUERY_PATHS = [
    *["a", "b", "c", "a", "b", "c", "_id"],
    *["a.p", "a.q", "b.p", "c.q", "a.p.q", "b.q.p"],
    *["a.0", "a.1", "b.0", "a.0.p", "a.1.q", "a.p.0", "b.p.1", "c.0.0", "a.1.p"],
]
SORT_PATHS = ["a", "b", "c", "a.p", "b.q", "a.0", "a.1", "b.p.0", "a.1.p", "c.q.p"]
PROJECT_PATHS = ["a", "b", "c", "a.p", "c.q", "a.0", "a.1.p", "b.q.p"]
EXPR_PATHS = ["a", "b", "c", "a.p", "b.q", "c.p.q", "a.0", "b.1", "zz"]
REGEXES = [
    *["^a", "b", "x|y", "^$", "B$", "[xy]", "é", "^É", "ß", "a.b", "a b", "^b", "x$"],
    *[r"^\w+$", r"\w", r"\W", r"^\d$", r"\d", r"\D", r"\s", r"\S", r"\bx", r"\Bb", r"b\b"],
    *[r"[\w]$", r"[^\d\s]", r"^[a-zé]+$", r"(?:x|é)", r"^.$", r"\w\s\w", r"a.b", r"^x\Z"],
]
OPTIONS = ["i", "i", "m", "s", "x", "im", "", ""]
_RE_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}


# ------------------------------------------------------------------ collections
def _scalar(r: random.Random):
    return r.choice(POOL)


def _array(r: random.Random, depth: int) -> list:
    """0 to 3 elements: mostly scalars, now and then an array or a document."""
    out = []
    for _ in range(r.choice([0, 1, 2, 2, 3, 3])):
        kind = r.random()
        if depth and kind < 0.15:
            out.append(_array(r, depth - 1))
        elif depth and kind < 0.45:
            out.append(_subdoc(r, depth - 1))
        else:
            out.append(_scalar(r))
    return out


def _subdoc(r: random.Random, depth: int) -> dict:
    """Some of the sub-fields, in any order."""
    keys = r.sample(["p", "q", "1"], r.choice([0, 1, 1, 2, 2, 3]))
    if "1" in keys and r.random() < 0.6:
        keys.remove("1")
    return {k: _value(r, depth) for k in keys}


def _value(r: random.Random, depth: int):
    kind = r.random()
    if kind < 0.45 or not depth:
        return _scalar(r)
    if kind < 0.7:
        return _array(r, depth - 1)
    if kind < 0.85:
        return _subdoc(r, depth - 1)
    return [_subdoc(r, depth - 1) for _ in range(r.randint(0, 3))]  # an array of documents


def _typed_document(r: random.Random) -> dict:
    # every field, one scalar type per field (or null), as in a dataset frame
    def maybe(values):
        return None if r.random() < 0.2 else r.choice(values)

    return {
        "a": maybe(ASCII + UNICODE),  # str dtype, NaN for null
        "b": maybe(FLOATS),  # float64, NaN for null
        "c": maybe([True, False]),  # object column of bools and None
        "d": r.choice([0, 1, 2, -3]),  # int64
        "e": maybe([0, 1, 2, -3]),  # Int64 with NA
    }


def collection(r: random.Random) -> list[dict]:
    """A small collection; ``_id`` 10, 11, ... first. Top-level fields follow one order per
    collection (a frame has one column order, as a dataset has one field order); nested
    documents keep their own."""
    kind = r.random()
    if kind < 0.25:
        docs = [_typed_document(r) for _ in range(r.randint(1, 8))]
        order = r.sample("abcde", 5)
    else:
        n = r.randint(0, 2) if kind < 0.35 else r.randint(3, 8)
        order = r.sample(TOP, 3)
        docs = [{k: _value(r, 3) for k in order if r.random() < 0.75} for _ in range(n)]
    return [{"_id": 10 + i, **{k: d[k] for k in order if k in d}} for i, d in enumerate(docs)]


def _harvest(prefix: str, value, out: dict[str, list]) -> None:
    """Record ``value`` at ``prefix`` and what lies below it: fields of documents, the first
    elements of arrays by position, and through arrays of documents (as a query path walks)."""
    out.setdefault(prefix, []).append(value)
    if isinstance(value, dict):
        for k, v in value.items():
            _harvest(f"{prefix}.{k}", v, out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out[prefix].append(v)
            if i < 2:
                _harvest(f"{prefix}.{i}", v, out)
            if isinstance(v, dict):
                for k, w in v.items():
                    _harvest(f"{prefix}.{k}", w, out)


class QueryGen:
    """Random queries from the supported operators.

    Paths and values are often taken from the collection itself, so that conditions select
    some documents and not others."""

    def __init__(self, rng: random.Random, docs: list[dict]):
        self.r = rng
        self.at: dict[str, list] = {}
        for doc in docs:
            for k, v in doc.items():
                if k != "_id":
                    _harvest(k, v, self.at)
        self.paths = sorted(p for p in self.at if p.count(".") <= 3)
        self.here: list = []  # the values at the path being queried

    def path(self, static: list[str]) -> str:
        if self.paths and self.r.random() < 0.75:
            return self.r.choice(self.paths)
        return self.r.choice(static)

    # -- values
    def scalar(self):
        return self.r.choice(POOL)

    def non_null(self):
        v = self.value()
        return v if v is not None else self.r.choice(NUMBERS)

    def value(self):
        """Mostly a value found at the current path (maybe an array or document), else a scalar."""
        if self.here and self.r.random() < 0.7:
            return self.r.choice(self.here)
        return self.scalar()

    def values_list(self, lo=0, hi=3):
        return [self.value() for _ in range(self.r.randint(lo, hi))]

    def of_type(self, kind: type) -> list:
        return [v for v in self.here if type(v) is kind]

    def regex(self):
        strings = self.of_type(str)
        if strings and self.r.random() < 0.3:  # a prefix of a string at the path
            text = self.r.choice(strings)
            pattern = "^" + re.escape(text[: self.r.randint(1, 2)])
        else:
            pattern = self.r.choice(REGEXES)
        return pattern, self.r.choice(OPTIONS)

    def compiled(self):
        pattern, options = self.regex()
        flags = 0
        for letter in options:
            flags |= _RE_FLAGS[letter]
        return re.compile(pattern, flags)

    # -- conditions
    def operators(self) -> dict:
        r = self.r
        kind = r.randrange(22)
        if kind == 20:  # a regex as the operand of other operators
            op = r.choice(["$eq", "$ne", "$all", "$nin", "$gt"])
            return {op: [self.compiled()] if op in ("$all", "$nin") else self.compiled()}
        if kind == 21:
            spec = {"$regex": self.compiled()}
            return {**spec, "$options": "i"} if r.random() < 0.2 else spec
        if kind == 0:
            return {"$eq": self.value()}
        if kind == 1:
            return {"$ne": self.value()}
        if kind in (2, 3):
            return {r.choice(["$gt", "$gte", "$lt", "$lte"]): self.non_null()}
        if kind == 4:
            return {"$in": self.values_list()}
        if kind == 5:
            return {"$nin": self.values_list()}
        if kind == 6:
            return {"$in": [self.compiled(), self.value()]}
        if kind == 7:
            return {"$exists": r.random() < 0.5}
        if kind in (8, 9):
            pattern, options = self.regex()
            return {"$regex": pattern, "$options": options} if options else {"$regex": pattern}
        if kind == 10:
            arrays = self.of_type(list)
            if arrays and r.random() < 0.7:
                return {"$size": len(r.choice(arrays)) * r.choice([1, 1, 1.0])}
            return {"$size": r.choice([0, 1, 2, 3, 1.0, 2.0])}
        if kind == 11:
            return {"$all": self.values_list(1, 2)}
        if kind == 12:
            return {"$all": [{"$elemMatch": self.elem_match()} for _ in range(r.randint(1, 2))]}
        if kind in (13, 14):
            return {"$elemMatch": self.elem_match()}
        if kind == 15:
            return {"$not": self.compiled()}
        first, second = r.choice([("$gt", "$ne"), ("$gte", "$lte"), ("$gt", "$in"), ("$lt", "$ne")])
        return {
            first: self.non_null(),
            second: self.values_list(1, 2) if second == "$in" else self.non_null(),
        }

    def elem_match(self) -> dict:
        r = self.r
        docs = [e for v in self.of_type(list) for e in v if isinstance(e, dict) and e]
        if docs and r.random() < 0.4:  # a field of a document element, maybe with another
            doc = r.choice(docs)
            keys = r.sample(list(doc), r.randint(1, len(doc)))
            return {k: doc[k] if r.random() < 0.7 else self.operators() for k in keys}
        kind = r.randrange(7)
        if kind == 0:
            return {r.choice(["$gt", "$lt", "$eq", "$ne", "$gte"]): self.non_null()}
        if kind == 1:
            return {"$gt": self.non_null(), "$lt": self.non_null()}
        if kind == 2:
            return {r.choice(["p", "q", "0", "1"]): self.value()}
        if kind == 3:
            return {"p": self.operators(), "q": self.value()} if r.random() < 0.5 else {}
        if kind == 4:
            return {"$or": [{"p": self.value()}, {"q": self.operators()}]}
        if kind == 5:
            return {"$regex": self.r.choice(REGEXES)}
        return {"$in": self.values_list(1, 3)}

    def condition(self):
        r = self.r
        kind = r.randrange(12)
        if kind < 2:
            return self.value()
        if kind == 2:
            arrays = self.of_type(list)
            return r.choice(arrays) if arrays and r.random() < 0.6 else self.values_list(0, 2)
        if kind == 3:
            docs = [v for v in self.here if isinstance(v, dict)]
            if docs and r.random() < 0.6:
                return r.choice(docs)
            return {k: self.value() for k in r.sample(["p", "q", "1"], r.randint(0, 2))}
        if kind == 4:
            return self.compiled()
        if kind in (5, 6):
            return {"$not": self.operators()}
        return self.operators()

    def query(self, depth: int = 0) -> dict:
        r = self.r
        if depth < 2 and r.random() < 0.2:
            op = r.choice(["$and", "$or", "$nor"])
            return {op: [self.query(depth + 1) for _ in range(r.randint(1, 3))]}
        out = {}
        for _ in range(1 if r.random() < 0.75 else 2):
            path = self.path(QUERY_PATHS)
            self.here = self.at.get(path, [])
            out[path] = self.condition()
        return out


ACCUMULATORS = ["$sum", "$avg", "$min", "$max", "$first", "$last", "$push", "$addToSet"]


class PipelineGen(QueryGen):
    """Random pipelines from the supported stages and accumulators."""

    def expr(self) -> str:
        return "$" + self.path(EXPR_PATHS)

    def group_id(self):
        r = self.r
        kind = r.randrange(6)
        if kind == 0:
            return None
        if kind in (1, 2):
            return self.expr()
        if kind == 3:
            return {"k": self.expr()}
        names = r.sample(["x", "y", "z"], r.randint(2, 3))
        return {name: self.expr() for name in names}

    def group(self) -> dict:
        r = self.r
        spec = {"_id": self.group_id(), "n": {"$sum": 1}}
        for i in range(r.randint(1, 3)):
            arg = r.choice([1, 2.5, "$n"]) if r.random() < 0.1 else self.expr()
            spec[f"f{i}"] = {r.choice(ACCUMULATORS): arg}
        return {"$group": spec}

    def sort(self) -> dict:
        r = self.r
        spec = {self.path(SORT_PATHS): r.choice([1, -1]) for _ in range(r.choice([1, 1, 1, 2]))}
        spec["_id"] = r.choice([1, -1])
        return {"$sort": spec}

    def project(self) -> dict:
        r = self.r
        kind = r.randrange(7)
        if kind == 0:
            return {"$project": {self.path(PROJECT_PATHS): 1, self.path(PROJECT_PATHS): 1}}
        if kind == 1:
            return {"$project": {"_id": 0, self.path(PROJECT_PATHS): 1}}
        if kind == 2:
            return {"$project": {self.path(PROJECT_PATHS): 0}}
        if kind == 3:
            return {"$project": {"v": self.expr()}}
        if kind == 4:
            return {"$project": {"w.v": self.expr(), "w.u": self.expr()}}
        if kind == 5:
            return {"$project": {"w.v": self.expr(), self.path(PROJECT_PATHS): 1}}
        return {"$project": {"v": {"$literal": self.value()}, self.path(PROJECT_PATHS): 1}}

    def pipeline(self) -> list[dict]:
        r = self.r
        stages: list[dict] = []
        if r.random() < 0.3:
            stages.append({"$match": self.query(1)})
        kind = r.randrange(8)
        if kind in (0, 1):
            stages.append(self.group())
            if r.random() < 0.3:
                stages.append({"$match": {"n": {"$gt": 1}}})
        elif kind in (2, 3):
            stages.append(self.sort())
            if r.random() < 0.5:
                stages.append({"$skip": r.choice([0, 1, 2, 1.0])})
            stages.append({"$limit": r.choice([1, 2, 4, 2.0])})
        elif kind == 4:
            stages.append(self.project())
            if r.random() < 0.4:
                stages.append(
                    {"$group": {"_id": r.choice(["$w", "$v", "$a", "$w.v"]), "n": {"$sum": 1}}}
                )
        elif kind == 5:
            path = self.expr()
            if r.random() < 0.5:
                stages.append({"$unwind": path})
            else:
                stages.append(
                    {
                        "$unwind": {
                            "path": path,
                            "preserveNullAndEmptyArrays": r.random() < 0.7,
                            "includeArrayIndex": "i",
                        }
                    }
                )
        elif kind == 6:
            stages.append({"$count": "total"})
        else:
            stages.append({"$sortByCount": self.expr()})
        return stages
