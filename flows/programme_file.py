"""Officers' programme files: training programmes and their sessions, as CSV or YAML, checked whole.

Every problem in a file is collected with the line it is on, so one run of `tabe programs import`
tells the officer everything there is to fix; a file with any problem is not imported at all.

The dashboard's forms are checked by the same functions (`programme_of`, `session_of`): a form's
values are strings, as a CSV row's cells are. A problem is the house's one Invalid (domain/invalid.py),
a catalog msgid with its parameters, that knows its line: the command line prints it in English, the
dashboard shows it by its field in Bahasa Indonesia.
"""

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from dataclasses import fields as record_fields
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from domain.assessment import Dimension
from domain.classes import UMKM_CLASSES
from domain.invalid import Ambiguous, Invalid, Phrase, english
from domain.msgid import N_
from domain.places import names_exactly, parse_kabupaten
from domain.regions import region
from domain.sectors import SECTOR_KEYS
from domain.wib import WIB, in_wib
from flows.notices import tell_seat_given, tell_session_cancelled, tell_session_changed
from flows.parsing import parse_yes_no
from store.db import Database
from store.registry import Registry
from store.training import ImportCounts, ProgrammeRecord, SessionRecord

MAX_CODE = 40  # the columns' widths (store/models.py): longer values would fail on PostgreSQL
MAX_NAME = 200
MAX_ORGANISER = 200
MAX_PLACE = 300
MAX_CAPACITY = 10_000  # more seats than this is a typo, and would overflow the column sooner or later
DEADLINE_BEFORE_START = timedelta(days=1)  # when the file gives no signup_deadline
# Python's first and last days overflow once turned into UTC or moved a day back (the deadline); no session is near.
FIRST_YEAR, LAST_YEAR = 1900, 9998

DIMENSIONS = tuple(dimension.value for dimension in Dimension)

# The CSV's columns, and the names the YAML and the checks use for them.
CSV_PROGRAMME_COLUMNS = {"programme": "code", "name": "name", "description": "description", "organiser": "organiser",
                         "teaches": "teaches", "kabupaten": "kabupaten", "classes": "classes", "sectors": "sectors"}
CSV_SESSION_COLUMNS = {"session": "code", "starts": "starts", "ends": "ends", "place": "place",
                       "session_kabupaten": "kabupaten", "capacity": "capacity", "signup_deadline": "signup_deadline",
                       "cancelled": "cancelled"}
CSV_OPTIONAL_COLUMNS = frozenset({"signup_deadline", "cancelled"})
YAML_PROGRAMME_KEYS = (*CSV_PROGRAMME_COLUMNS.values(), "sessions")
YAML_SESSION_KEYS = tuple(CSV_SESSION_COLUMNS.values())
# A programme record's attributes under the names the file gives them, to say which ones disagree.
_RECORD_FIELDS = {"code": "code", "name": "name", "description": "description", "organiser": "organiser",
                  "dimensions": "teaches", "kabupaten_codes": "kabupaten", "business_classes": "classes",
                  "sectors": "sectors"}

_KABUPATEN_CODE = re.compile(r"\d{2}\.\d{2}")
_DATE_ONLY = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
_LIST_SEPARATORS = re.compile(r"[;,]")
_NOT_IN_CODE = re.compile(r"[^a-z0-9]+")
_NULL_TAG = "tag:yaml.org,2002:null"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"

T = TypeVar("T")
Value = str | datetime | date | list[str] | None  # what one CSV cell, YAML value or form field gave


class Problem(Invalid):
    """What is wrong in a programme file, or in a form checked as one: an Invalid that also knows the 1-based line
    it is on (0: the whole file, a form, or a value not yet placed) and the file's own name of its field
    ("session_kabupaten", where the checks and the forms say "kabupaten")."""

    line: int = 0
    label: str | None = None

    def placed(self, line: int, field: str | None = None, label: str | None = None) -> "Problem":
        """This problem on a line of the file, and in one of its fields (named as the file names it), if in one."""
        placed = Problem(self.reason, field=field, **self.params)
        placed.line, placed.label = line, label
        return placed

    def __str__(self) -> str:
        """In English, as `tabe programs import` prints it, after the file's name of its field."""
        said = self.in_(english)
        return f"{self.label}: {said}" if self.label else said


def _problem(line: int, msgid: str, /, **params: object) -> Problem:
    """A problem with the file as a whole or with one of its lines, not with a field."""
    return Problem(msgid, **params).placed(line)


class ProgrammeFileError(Exception):
    """A file that cannot be imported, with every problem found in it, by line."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(problems, key=lambda problem: problem.line)  # stable: a line's problems keep their order
        super().__init__("; ".join(f"line {problem.line}: {problem}" for problem in self.problems))


@dataclass
class Fields:
    """The values of one CSV row, YAML mapping or form, with their lines; collects what is wrong with them."""

    line: int = 0
    problems: list[Problem] = field(default_factory=list)
    values: dict[str, Value] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)  # a YAML value's own line; a CSV row has one line
    labels: dict[str, str] = field(default_factory=dict)  # the CSV's column name, where it differs
    bad: set[str] = field(default_factory=set)

    def where(self, name: str) -> int:
        """The line a field is on: its own, else its row's or mapping's."""
        return self.lines.get(name, self.line)

    def complain(self, name: str, *problems: Problem) -> None:
        """Record what is wrong with one field, placed on its line and named as the file names it."""
        self.bad.add(name)
        self.problems += (problem.placed(self.where(name), name, self.labels.get(name, name)) for problem in problems)

    def take(self, name: str, parse: Callable[[Value], T]) -> T | None:
        """The field parsed, or None with the problem recorded."""
        if name in self.bad:
            return None
        try:
            return parse(self.values.get(name))
        except Problem as problem:
            # A YAML mapping may leave a key out; a CSV row always has the cell, maybe empty.
            self.complain(name, problem if name in self.values else Problem(N_("is missing")))
        except ExceptionGroup as wrong_items:  # a list's items, each wrong in its own way
            self.complain(name, *wrong_items.exceptions)
        return None


# -- values ------------------------------------------------------------------------------


def _one(value: Value) -> str | datetime | date | None:
    """A single value: a list where one value belongs is a mistake."""
    if isinstance(value, list):
        raise Problem(N_("one value, please, not a list"))
    return value.strip() if isinstance(value, str) else value


def _text(limit: int | None, *, required: bool = True) -> Callable[[Value], str]:
    """A parser of free text of at most `limit` characters."""
    def parse(value: Value) -> str:
        text = _one(value)
        if isinstance(text, date):  # a YAML timestamp where text was meant: written back as text
            text = text.isoformat(sep=" ") if isinstance(text, datetime) else text.isoformat()
        text = text or ""
        if required and not text:
            raise Problem(N_("is empty"))
        if limit is not None and len(text) > limit:
            raise Problem(N_("is %(length)s characters long, at most %(limit)s please"), length=len(text), limit=limit)
        return text
    return parse


def _code(value: Value) -> str:
    """A programme's or session's code: the name the next import matches it by."""
    return _text(MAX_CODE)(value)


def _items(value: Value) -> list[str]:
    """A list's items: a YAML list, or one cell separated by ';' or ','."""
    pieces = value if isinstance(value, list) else [_text(None, required=False)(value)]
    return [item.strip() for piece in pieces for item in _LIST_SEPARATORS.split(piece) if item.strip()]


def _choices(allowed: Sequence[str], *, required: bool = False) -> Callable[[Value], tuple[str, ...]]:
    """A parser of a list of codes out of `allowed`, given back in `allowed`'s order, each once."""
    def parse(value: Value) -> tuple[str, ...]:
        chosen = {item.casefold() for item in _items(value)}
        unknown = sorted(chosen.difference(allowed))
        if unknown:
            raise Problem(N_("%(values)s: not one of %(allowed)s"), values=", ".join(repr(item) for item in unknown),
                          allowed=", ".join(allowed))
        if required and not chosen:
            raise Problem(N_("give at least one of %(allowed)s"), allowed=", ".join(allowed))
        return tuple(item for item in allowed if item in chosen)
    return parse


def exact_kabupaten(text: str) -> str:
    """A kabupaten/kota of Kalimantan Tengah by Kemendagri code ("62.02"), name or alias ("Kotim")."""
    if _KABUPATEN_CODE.fullmatch(text):
        try:
            place = region(text)
        except KeyError:
            raise Problem(N_("%(value)s: no kabupaten or kota of Kalimantan Tengah has this code"),
                          value=repr(text)) from None
        if not place.is_kabupaten_kota:
            raise Problem(N_("%(value)s: not the code of a kabupaten or kota"), value=repr(text))
        return place.code
    # parse_kabupaten takes a bare number as a position in the owners' menu: meaningless in a file.
    if re.search(r"\d", text):
        raise Problem(N_("%(value)s: write the kabupaten's code, like 62.02, or its name"), value=repr(text))
    try:
        place = parse_kabupaten(text)
    except Ambiguous as ambiguous:
        names: str | Phrase = ""
        for candidate in ambiguous.candidates:
            name = f"{candidate.short_name} ({candidate.code})"
            names = Phrase(N_("%(either)s or %(other)s"), {"either": names, "other": name}) if names else name
        raise Problem(N_("%(value)s could be %(names)s: write the code or the whole name"), value=repr(text),
                      names=names) from None
    except Invalid:
        raise Problem(N_("%(value)s: not a kabupaten or kota of Kalimantan Tengah"), value=repr(text)) from None
    # The owners' parser forgives typos; a file is read by nobody before owners see it, so a near miss
    # ("Kota Baru" is in Kalimantan Selatan, not Barito Utara) must be said, not guessed.
    if not names_exactly(text, place):
        raise Problem(N_("%(value)s: not a kabupaten or kota of Kalimantan Tengah (did you mean %(name)s, "
                         "%(code)s?)"), value=repr(text), name=place.short_name, code=place.code)
    return place.code


def _one_kabupaten(value: Value) -> str:
    """The one kabupaten a session is held in."""
    return exact_kabupaten(_text(None)(value))


def _kabupaten_list(value: Value) -> tuple[str, ...]:
    """Kabupaten codes in code order, each once; none means open to every kabupaten."""
    codes, wrong = set(), []
    for item in _items(value):
        try:
            codes.add(exact_kabupaten(item))
        except Problem as problem:
            wrong.append(problem)
    if wrong:
        raise ExceptionGroup("kabupaten", wrong)
    return tuple(sorted(codes))


def _moment(value: Value) -> datetime:
    """A time: "2027-02-03 09:00" or a form's "2027-02-03T09:00" in WIB, or ISO 8601 with an offset; YAML's own
    timestamps too."""
    moment = _one(value)
    if isinstance(moment, str) and moment and not _DATE_ONLY.fullmatch(moment):
        try:
            moment = datetime.fromisoformat(moment)
        except ValueError:
            raise Problem(N_("%(value)s: not a time like 2027-02-03 09:00 (WIB) or 2027-02-03T09:00+07:00"),
                          value=repr(moment)) from None
    if not isinstance(moment, datetime):  # nothing, or a date without a time
        raise Problem(N_("give the date and the time, like 2027-02-03 09:00 (WIB)"))
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise Problem(N_("give a date between the years 1900 and 9998"))
    return moment.replace(tzinfo=WIB) if moment.tzinfo is None else moment


def _optional_moment(value: Value) -> datetime | None:
    """A time, or None when none is given."""
    return None if _one(value) in (None, "") else _moment(value)


def _cancelled(value: Value) -> bool:
    """Whether the file cancels the session: "ya", "yes", true; left empty, or "tidak", it does not."""
    said = _one(value)
    if isinstance(said, bool) or said in (None, ""):
        return bool(said)
    try:
        return parse_yes_no(str(said))
    except Invalid:
        raise Problem(N_("write \"ya\" to cancel the session, or leave it empty")) from None


def _capacity(value: Value) -> int:
    """The seats a session offers: a whole number, at least one."""
    text = _text(None)(value)
    if not text.isdecimal() or not 1 <= int(text) <= MAX_CAPACITY:
        raise Problem(N_("%(value)s: a whole number of seats from 1 to %(most)s, please"), value=repr(text),
                      most=MAX_CAPACITY)
    return int(text)


# -- records -----------------------------------------------------------------------------


def programme_of(fields: Fields) -> ProgrammeRecord | None:
    """The programme these fields describe, or None when any of them is wrong (and recorded)."""
    record = ProgrammeRecord(
        code=fields.take("code", _code), name=fields.take("name", _text(MAX_NAME)),
        description=fields.take("description", _text(None, required=False)),
        organiser=fields.take("organiser", _text(MAX_ORGANISER)),
        dimensions=fields.take("teaches", _choices(DIMENSIONS, required=True)),
        kabupaten_codes=fields.take("kabupaten", _kabupaten_list),
        business_classes=fields.take("classes", _choices(UMKM_CLASSES)), sectors=fields.take("sectors", _choices(SECTOR_KEYS)))
    return None if fields.bad else record


def session_of(fields: Fields, programme_code: str | None) -> SessionRecord | None:
    """The session these fields describe, or None when any of them is wrong (and recorded)."""
    code = fields.take("code", _code)
    starts, ends = fields.take("starts", _moment), fields.take("ends", _moment)
    place = fields.take("place", _text(MAX_PLACE))
    kabupaten = fields.take("kabupaten", _one_kabupaten)
    capacity = fields.take("capacity", _capacity)
    deadline = fields.take("signup_deadline", _optional_moment)
    cancelled = fields.take("cancelled", _cancelled)
    if starts is not None and ends is not None and ends <= starts:
        fields.complain("ends", Problem(N_("must be after starts")))
    if starts is not None and deadline is not None and deadline > starts:
        fields.complain("signup_deadline", Problem(N_("must not be after starts")))
    if fields.bad or programme_code is None:
        return None
    return SessionRecord(programme_code, code, starts, ends, place, kabupaten, capacity,
                         deadline or starts - DEADLINE_BEFORE_START, bool(cancelled))


@dataclass
class _Collected:
    """What a file holds so far, and the lines where each programme and session first appeared."""

    problems: list[Problem] = field(default_factory=list)
    programmes: dict[str, tuple[ProgrammeRecord, int]] = field(default_factory=dict)
    sessions: dict[tuple[str, str], tuple[SessionRecord, int]] = field(default_factory=dict)
    code_lines: dict[str, int] = field(default_factory=dict)  # a YAML file's programme codes, valid or not

    def add_session(self, fields: Fields, programme_code: str | None) -> None:
        """Check a session and keep it, unless its programme already has one with its code."""
        record = session_of(fields, programme_code)
        if record is None:
            return
        key = (record.programme_code, record.code)
        if key in self.sessions:
            fields.complain("code", Problem(N_("session %(session)s of programme %(programme)s is already on line "
                                               "%(line)s"), session=repr(record.code),
                                            programme=repr(record.programme_code), line=self.sessions[key][1]))
        else:
            self.sessions[key] = (record, fields.where("code"))

    def result(self) -> tuple[list[ProgrammeRecord], list[SessionRecord]]:
        """The records, in the file's order; raises with every problem when there is any."""
        if not self.problems and not self.programmes:
            self.problems.append(_problem(0, N_("the file holds no programme")))
        if self.problems:
            raise ProgrammeFileError(self.problems)
        return ([record for record, _line in self.programmes.values()],
                [record for record, _line in self.sessions.values()])


# -- CSV ---------------------------------------------------------------------------------


def _csv_columns(header: list[str], problems: list[Problem]) -> list[str]:
    """The header's column names, checked: every column known, once, and none required missing."""
    columns = [cell.strip().casefold() for cell in header]
    known = {**CSV_PROGRAMME_COLUMNS, **CSV_SESSION_COLUMNS}
    for column in columns:
        if column not in known:
            problems.append(_problem(1, N_("unknown column %(column)s: the columns are %(columns)s"),
                                     column=repr(column), columns=", ".join(known)))
        elif columns.count(column) > 1:
            problems.append(_problem(1, N_("column %(column)s is there %(count)s times"), column=repr(column),
                                     count=columns.count(column)))
    missing = [column for column in known if column not in columns and column not in CSV_OPTIONAL_COLUMNS]
    if missing:
        problems.append(_problem(1, N_("missing columns: %(columns)s") if len(missing) > 1 else
                                 N_("missing column: %(columns)s"), columns=", ".join(missing)))
    return columns


def _csv_fields(cells: dict[str, str], columns: dict[str, str], line: int, problems: list[Problem]) -> Fields:
    """One row's programme or session part, under the names the checks use."""
    return Fields(line, problems, values={name: cells.get(column, "") for column, name in columns.items()},
                   labels={name: column for column, name in columns.items() if column != name})


def _csv_row(cells: dict[str, str], line: int, collected: _Collected) -> None:
    """Check one row: its programme part must agree with the programme's first row; its session is new."""
    programme_fields = _csv_fields(cells, CSV_PROGRAMME_COLUMNS, line, collected.problems)
    programme = programme_of(programme_fields)
    if programme is not None:
        first = collected.programmes.setdefault(programme.code, (programme, line))
        differing = [_RECORD_FIELDS[item.name] for item in record_fields(ProgrammeRecord)
                     if getattr(first[0], item.name) != getattr(programme, item.name)]
        if differing:
            collected.problems.append(_problem(
                line, N_("programme %(code)s: not the same %(fields)s as on line %(line)s, its first row"),
                code=repr(programme.code), fields=", ".join(differing), line=first[1]))
    code = programme_fields.take("code", _code)  # the session belongs to it even when the rest is wrong
    collected.add_session(_csv_fields(cells, CSV_SESSION_COLUMNS, line, collected.problems), code)


def _read_csv(text: str) -> tuple[list[ProgrammeRecord], list[SessionRecord]]:
    """A CSV file, one row per session; ';' separates the cells where ',' is the decimal comma (Excel)."""
    first_line = text.partition("\n")[0]
    reader = csv.reader(io.StringIO(text), delimiter=";" if first_line.count(";") > first_line.count(",") else ",")
    collected = _Collected()
    try:
        header = next(reader, None)
        if header is None:
            raise ProgrammeFileError([_problem(0, N_("the file is empty"))])
        columns = _csv_columns(header, collected.problems)
        if collected.problems:
            raise ProgrammeFileError(collected.problems)
        row_end = reader.line_num
        for cells in reader:
            # A quoted cell may hold line breaks: a row starts on the line after the last one ended.
            line, row_end = row_end + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(columns):
                collected.problems.append(_problem(line, N_("%(cells)s cells where the header has %(columns)s"),
                                                   cells=len(cells), columns=len(columns)))
                continue
            _csv_row(dict(zip(columns, cells, strict=False)), line, collected)
    except csv.Error as error:
        collected.problems.append(_problem(reader.line_num, N_("not readable as CSV: %(error)s"), error=str(error)))
    return collected.result()


# -- YAML --------------------------------------------------------------------------------

# What a YAML mapping is, in its problems ("each session is a mapping ...").
_A_PROGRAMME = Phrase(N_("programme"))
_A_SESSION = Phrase(N_("session"))
_A_FILE = Phrase(N_("file"))


def _line(node: Node) -> int:
    """The 1-based line a YAML node starts on."""
    return node.start_mark.line + 1


def _yaml_value(node: Node) -> Value:
    """A scalar or a list of scalars as the file spells it: "62.10" stays text, not the number 62.1."""
    if isinstance(node, ScalarNode):
        if node.tag == _NULL_TAG:
            return None
        if node.tag == _TIMESTAMP_TAG:
            try:
                return SafeConstructor().construct_object(node)
            except ValueError:
                raise Problem(N_("%(value)s: not a real date and time"), value=repr(node.value)) from None
        return node.value
    if isinstance(node, SequenceNode) and all(isinstance(item, ScalarNode) for item in node.value):
        return [item.value for item in node.value if item.tag != _NULL_TAG]
    raise Problem(N_("a value or a list of values, please"))


def _yaml_mapping(node: Node, keys: Sequence[str], what: Phrase, problems: list[Problem]) -> dict[str, Node] | None:
    """A mapping's values by key, each key known and given once; None (recorded) when it is no mapping."""
    if not isinstance(node, MappingNode):
        problems.append(_problem(_line(node), N_("each %(what)s is a mapping with the keys %(keys)s"), what=what,
                                 keys=", ".join(keys)))
        return None
    try:
        SafeConstructor().flatten_mapping(node)  # `<<: *defaults` merges, as every YAML reader does
    except yaml.YAMLError as error:
        problems.append(_problem(_line(node), N_("cannot merge: %(error)s"),
                                 error=str(getattr(error, "problem", error))))
        return None
    found: dict[str, Node] = {}
    for key, value in node.value:
        name = key.value if isinstance(key, ScalarNode) else ""
        if name not in keys:
            problems.append(_problem(_line(key), N_("unknown key %(key)s in a %(what)s: the keys are %(keys)s"),
                                     key=repr(name), what=what, keys=", ".join(keys)))
        elif name in found:
            problems.append(_problem(_line(key), N_("%(key)s is given twice in this %(what)s (also on line %(line)s)"),
                                     key=name, what=what, line=_line(found[name])))
        else:
            found[name] = value
    return found


def _yaml_fields(node: MappingNode, found: dict[str, Node], problems: list[Problem]) -> Fields:
    """A mapping's values with their lines, ready for the checks."""
    found_fields = Fields(_line(node), problems, lines={name: _line(value) for name, value in found.items()})
    for name, value in found.items():
        try:
            found_fields.values[name] = _yaml_value(value)
        except Problem as problem:
            found_fields.complain(name, problem)
    return found_fields


def _yaml_programme(node: Node, collected: _Collected) -> None:
    """Check one programme and its sessions; its code must be new to the file."""
    found = _yaml_mapping(node, YAML_PROGRAMME_KEYS, _A_PROGRAMME, collected.problems)
    if found is None:
        return
    sessions = found.pop("sessions", None)
    programme_fields = _yaml_fields(node, found, collected.problems)
    code = programme_fields.take("code", _code)
    if code is not None and code in collected.code_lines:
        programme_fields.complain("code", Problem(N_("programme %(code)s is already on line %(line)s"),
                                                  code=repr(code), line=collected.code_lines[code]))
    elif code is not None:
        collected.code_lines[code] = programme_fields.where("code")
    programme = programme_of(programme_fields)
    if programme is not None:
        collected.programmes[programme.code] = (programme, programme_fields.where("code"))
    if sessions is None or (isinstance(sessions, ScalarNode) and sessions.tag == _NULL_TAG):
        return  # a programme whose sessions are not planned yet
    if not isinstance(sessions, SequenceNode):
        collected.problems.append(_problem(_line(sessions), N_("sessions: a list of sessions, please")))
        return
    for session in sessions.value:
        session_found = _yaml_mapping(session, YAML_SESSION_KEYS, _A_SESSION, collected.problems)
        if session_found is not None:
            collected.add_session(_yaml_fields(session, session_found, collected.problems), code)


def _read_yaml(text: str) -> tuple[list[ProgrammeRecord], list[SessionRecord]]:
    """A YAML file: a list of programmes, or a mapping whose one key `programmes` holds that list."""
    try:
        # Composed, not loaded: nodes know their lines, and scalars keep their spelling.
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise ProgrammeFileError([_problem(mark.line + 1 if mark else 0, N_("not valid YAML: %(error)s"),
                                           error=str(error.problem))]) from None
    except yaml.YAMLError as error:
        raise ProgrammeFileError([_problem(0, N_("not valid YAML: %(error)s"), error=str(error))]) from None
    collected = _Collected()
    if isinstance(root, MappingNode):
        found = _yaml_mapping(root, ("programmes",), _A_FILE, collected.problems)
        root = (found or {}).get("programmes")
    if isinstance(root, SequenceNode):
        for programme in root.value:
            _yaml_programme(programme, collected)
    elif root is not None or not collected.problems:
        collected.problems.append(_problem(_line(root) if root is not None else 0,
                                           N_("the file is a list of programmes, or `programmes:` with that list")))
    return collected.result()


# -- the file ----------------------------------------------------------------------------

_READERS = {".csv": _read_csv, ".yaml": _read_yaml, ".yml": _read_yaml}


def read_programme_file(path: Path) -> tuple[list[ProgrammeRecord], list[SessionRecord]]:
    """The programmes and sessions of a .csv, .yaml or .yml file; ProgrammeFileError lists all that is wrong."""
    reader = _READERS.get(path.suffix.casefold())
    if reader is None:
        raise ProgrammeFileError([_problem(0, N_("a programme file ends in .csv, .yaml or .yml"))])
    try:
        text = path.read_text(encoding="utf-8-sig")  # Excel starts its UTF-8 files with a byte-order mark
    except UnicodeDecodeError:
        raise ProgrammeFileError([_problem(0, N_("not UTF-8 text: save the file as UTF-8"))]) from None
    except OSError as error:
        raise ProgrammeFileError([_problem(0, N_("cannot be read: %(error)s"), error=str(error.strerror))]) from None
    return reader(text)


def save_programmes(registry: Registry, programmes: Sequence[ProgrammeRecord],
                    sessions: Sequence[SessionRecord]) -> ImportCounts:
    """Create or update programmes and sessions in this unit of work, telling each owner a grown session gave a
    seat to, and every owner with a place in a session whose time or place changed: what a file and the
    dashboard's forms both do."""
    counts = registry.training.import_programmes(programmes, sessions)
    for session_id, owner_id in counts.promoted:
        tell_seat_given(registry, session_id, owner_id)
    for session_id in counts.moved:
        tell_session_changed(registry, session_id)
    for session_id, owner_ids in counts.cancelled:
        tell_session_cancelled(registry, session_id, owner_ids)
    return counts


def apply_programmes(database: Database, programmes: Sequence[ProgrammeRecord],
                     sessions: Sequence[SessionRecord]) -> ImportCounts:
    """Import everything in one transaction, telling each owner a grown session gave a seat to."""
    with database.transaction() as registry:
        return save_programmes(registry, programmes, sessions)


# -- forms -------------------------------------------------------------------------------


def programme_values(record: ProgrammeRecord) -> dict[str, Value]:
    """A programme as the fields the checks read: what a form shows to be edited."""
    return {name: list(value) if isinstance(value, tuple) else value
            for name, value in ((_RECORD_FIELDS[item.name], getattr(record, item.name))
                                for item in record_fields(ProgrammeRecord))}


def session_values(record: SessionRecord) -> dict[str, Value]:
    """A session as the fields the checks read, its times in WIB as a form's date and time inputs give them."""
    def moment(value: datetime) -> str:
        return in_wib(value).strftime("%Y-%m-%dT%H:%M")
    return {"code": record.code, "starts": moment(record.starts_at), "ends": moment(record.ends_at),
            "place": record.place, "kabupaten": record.kabupaten_code, "capacity": str(record.capacity),
            "signup_deadline": moment(record.signup_deadline)}


def propose_code(name: str) -> str:
    """A code made of a name, as a form proposes one: "Pelatihan Kemasan & Label" gives "pelatihan-kemasan-label"."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return _NOT_IN_CODE.sub("-", plain).strip("-")[:MAX_CODE].strip("-")
