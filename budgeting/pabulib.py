"""Read and write participatory-budgeting elections in the pabulib ``.pb`` format.

A ``.pb`` file has three sections, in this order, each a marker line then a header line then
rows, fields separated by ``;`` (quoted with ``"`` when needed)::

    META
    key;value
    budget;500000
    vote_type;approval
    ...
    PROJECTS
    project_id;cost;votes;name;...
    1;120000;210;Playground;...
    VOTES
    voter_id;vote
    17;1,4,5

``parse`` refuses a malformed file with a ``PabulibError`` naming the 1-based line; ``write``
produces a file that the official checker (the ``pabulib`` package) accepts when the caller
gives the obligatory META fields; ``election_from`` turns an approval (or knapsack, which
pabulib stores as approval with ``max_sum_cost``) file into an ``outcomes.Election``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext

from budgeting.outcomes import Election

__all__ = ["PabulibError", "PabulibFile", "election_from", "parse", "write"]

SECTIONS = ("meta", "projects", "votes")

# The fields pabulib knows, in the order its checker expects them.
META_FIELDS = (
    "description",
    "country",
    "unit",
    "district",
    "subunit",
    "instance",
    "num_projects",
    "num_votes",
    "budget",
    "vote_type",
    "rule",
    "date_begin",
    "date_end",
    "min_length",
    "max_length",
    "min_sum_cost",
    "max_sum_cost",
    "min_points",
    "max_points",
    "min_sum_points",
    "max_sum_points",
    "default_score",
    "min_project_cost",
    "max_project_cost",
    "min_project_score_threshold",
    "neighborhoods",
    "subdistricts",
    "categories",
    "edition",
    "language",
    "currency",
    "fully_funded",
    "experimental",
    "comment",
    "acknowledgments",
    "leftover_budget",
    "budget_per_category",
    "budget_per_neighborhood",
    "min_length_per_category",
    "max_length_per_category",
    "min_sum_cost_per_category",
    "max_sum_cost_per_category",
)
PROJECT_FIELDS = (
    "project_id",
    "cost",
    "votes",
    "score",
    "name",
    "category",
    "beneficiaries",
    "selected",
    "neighborhood",
    "subunit",
    "district",
    "description",
    "proposer",
    "public_id",
    "latitude",
    "longitude",
)
VOTE_FIELDS = (
    "voter_id",
    "vote",
    "points",
    "age",
    "sex",
    "voting_method",
    "district",
    "neighborhood",
    "education",
)
APPROVAL_TYPES = ("approval", "choose-1")


class PabulibError(ValueError):
    """A malformed pabulib file: ``line`` is 1-based, ``message`` says what is wrong."""

    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message
        super().__init__(line, message)

    def __str__(self) -> str:
        return gettext("Line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class PabulibFile:
    meta: dict[str, str]
    projects: dict[str, dict[str, str]]  # project_id -> its columns (project_id included)
    votes: list[dict[str, str]]  # one dict of columns per voter (voter_id included)
    # where things are, for messages about what a file says
    meta_lines: dict[str, int] = field(default_factory=dict)
    project_lines: dict[str, int] = field(default_factory=dict)
    vote_lines: list[int] = field(default_factory=list)
    last_line: int = 0
    section_lines: dict[str, int] = field(default_factory=dict)  # where META, PROJECTS, VOTES start


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _whole(text: str) -> int | None:
    value = _number(text)
    if value is None or value != value.to_integral_value():
        return None
    return int(value)


def _ids(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


def parse(text: str) -> PabulibFile:
    """Parse a ``.pb`` file; a malformed one raises PabulibError naming its line."""
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text), delimiter=";", quotechar='"', strict=True)
    meta: dict[str, str] = {}
    meta_lines: dict[str, int] = {}
    projects: dict[str, dict[str, str]] = {}
    project_lines: dict[str, int] = {}
    votes: list[dict[str, str]] = []
    vote_lines: list[int] = []
    voter_ids: dict[str, int] = {}
    section = ""
    seen: list[str] = []
    section_lines: dict[str, int] = {}
    header: list[str] | None = None
    last = 0
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error:
            raise PabulibError(
                line, gettext("A quoted field is not closed, or a quote stands inside a field.")
            ) from None
        last = reader.line_num
        if not row or all(not cell.strip() for cell in row):
            continue
        first = row[0].strip()
        marker = first.lower()
        if marker in SECTIONS and len([c for c in row if c.strip()]) == 1:
            expected = SECTIONS[len(seen)] if len(seen) < len(SECTIONS) else None
            if marker in seen:
                raise PabulibError(
                    line,
                    gettext("The section %(section)s appears a second time.")
                    % {"section": marker.upper()},
                )
            if marker != expected:
                raise PabulibError(
                    line,
                    gettext("The section %(section)s must come after %(previous)s.")
                    % {"section": marker.upper(), "previous": expected.upper()},
                )
            seen.append(marker)
            section_lines[marker] = line
            section = marker
            header = None
            continue
        if not section:
            raise PabulibError(line, gettext("The file must start with the META section."))
        if header is None:
            header = [cell.strip() for cell in row]
            lowered = [h.lower() for h in header]
            if any(not h for h in header):
                raise PabulibError(
                    line,
                    gettext("The header of %(section)s has an empty column name.")
                    % {"section": section.upper()},
                )
            if len(set(lowered)) != len(lowered):
                raise PabulibError(
                    line,
                    gettext("The header of %(section)s names a column twice.")
                    % {"section": section.upper()},
                )
            first_column = {"meta": "key", "projects": "project_id", "votes": "voter_id"}[section]
            if lowered[0] != first_column:
                raise PabulibError(
                    line,
                    gettext("The header of %(section)s must start with %(column)s.")
                    % {"section": section.upper(), "column": first_column},
                )
            needed = {"meta": "value", "projects": "cost", "votes": "vote"}[section]
            if needed not in lowered:
                raise PabulibError(
                    line,
                    gettext("The header of %(section)s has no %(column)s column.")
                    % {"section": section.upper(), "column": needed},
                )
            header = lowered
            continue
        if len(row) != len(header):
            raise PabulibError(
                line,
                gettext("This row has %(found)s fields where the header has %(expected)s.")
                % {"found": len(row), "expected": len(header)},
            )
        values = {h: cell.strip() for h, cell in zip(header, row, strict=True)}
        if section == "meta":
            key = values["key"]
            if not key:
                raise PabulibError(line, gettext("A META row has no key."))
            if key in meta:
                raise PabulibError(
                    line, gettext("The META key %(key)s appears a second time.") % {"key": key}
                )
            meta[key] = values["value"]
            meta_lines[key] = line
        elif section == "projects":
            pid = values["project_id"]
            if not pid:
                raise PabulibError(line, gettext("A project has no project_id."))
            if "," in pid:
                raise PabulibError(line, gettext("A project_id must not contain a comma."))
            if pid in projects:
                raise PabulibError(
                    line,
                    gettext("The project %(project)s appears a second time.") % {"project": pid},
                )
            cost = _number(values["cost"])
            if cost is None:
                raise PabulibError(
                    line,
                    gettext("The cost of project %(project)s is not a number: %(value)s.")
                    % {"project": pid, "value": values["cost"]},
                )
            if cost <= 0 or cost != cost.to_integral_value():
                raise PabulibError(
                    line,
                    gettext(
                        "The cost of project %(project)s must be a positive whole amount: %(value)s."
                    )
                    % {"project": pid, "value": values["cost"]},
                )
            projects[pid] = values
            project_lines[pid] = line
        else:
            vid = values["voter_id"]
            if not vid:
                raise PabulibError(line, gettext("A vote has no voter_id."))
            if vid in voter_ids:
                raise PabulibError(
                    line,
                    gettext("The voter %(voter)s voted already, on line %(first)s.")
                    % {"voter": vid, "first": voter_ids[vid]},
                )
            chosen = _ids(values["vote"])
            for pid in chosen:
                if pid not in projects:
                    raise PabulibError(
                        line,
                        gettext("The vote names the project %(project)s, which is not in PROJECTS.")
                        % {"project": pid},
                    )
            if len(set(chosen)) != len(chosen):
                raise PabulibError(line, gettext("The vote names a project twice."))
            voter_ids[vid] = line
            votes.append(values)
            vote_lines.append(line)
    for name in SECTIONS:
        if name not in seen:
            raise PabulibError(
                last + 1, gettext("The section %(section)s is missing.") % {"section": name.upper()}
            )
    if header is None:
        raise PabulibError(
            last + 1, gettext("The header of %(section)s is missing.") % {"section": "VOTES"}
        )
    parsed = PabulibFile(meta, projects, votes, meta_lines, project_lines, vote_lines, last)
    parsed.section_lines = section_lines
    _check_meta(parsed)
    return parsed


def _check_meta(f: PabulibFile) -> None:
    meta, lines = f.meta, f.meta_lines
    end_of_meta = f.section_lines.get("projects", f.last_line + 1)
    if "budget" not in meta:
        raise PabulibError(end_of_meta, gettext("META has no budget."))
    budget = _number(meta["budget"])
    if budget is None or budget < 0:
        raise PabulibError(
            lines["budget"],
            gettext("The budget is not a number: %(value)s.") % {"value": meta["budget"]},
        )
    if budget != budget.to_integral_value():
        raise PabulibError(
            lines["budget"],
            gettext("The budget must be a whole amount: %(value)s.") % {"value": meta["budget"]},
        )
    if "vote_type" not in meta:
        raise PabulibError(end_of_meta, gettext("META has no vote_type."))
    for key, found in (("num_projects", len(f.projects)), ("num_votes", len(f.votes))):
        if key in meta:
            declared = _whole(meta[key])
            if declared is None:
                raise PabulibError(
                    lines[key],
                    gettext("%(key)s is not a whole number: %(value)s.")
                    % {"key": key, "value": meta[key]},
                )
            if declared != found:
                raise PabulibError(
                    lines[key],
                    gettext("META says %(key)s is %(declared)s but the file has %(found)s.")
                    % {"key": key, "declared": declared, "found": found},
                )
    limits = {}
    for key in ("min_length", "max_length", "min_sum_cost", "max_sum_cost"):
        if meta.get(key, "") not in ("",):
            value = _number(meta[key])
            if value is None:
                raise PabulibError(
                    lines[key],
                    gettext("%(key)s is not a number: %(value)s.")
                    % {"key": key, "value": meta[key]},
                )
            limits[key] = value
    if meta["vote_type"] not in APPROVAL_TYPES or not limits:
        return
    costs = {pid: Decimal(p["cost"]) for pid, p in f.projects.items()}
    for vote, line in zip(f.votes, f.vote_lines, strict=True):
        chosen = _ids(vote["vote"])
        total = sum((costs[p] for p in chosen), Decimal(0))
        if "max_sum_cost" in limits and total > limits["max_sum_cost"]:
            raise PabulibError(
                line,
                gettext(
                    "The vote costs %(total)s, more than the %(limit)s a voter may spend (max_sum_cost)."
                )
                % {"total": total, "limit": limits["max_sum_cost"]},
            )
        if "min_sum_cost" in limits and chosen and total < limits["min_sum_cost"]:
            raise PabulibError(
                line,
                gettext(
                    "The vote costs %(total)s, less than the %(limit)s a voter must spend (min_sum_cost)."
                )
                % {"total": total, "limit": limits["min_sum_cost"]},
            )
        if "max_length" in limits and len(chosen) > limits["max_length"]:
            raise PabulibError(
                line,
                gettext(
                    "The vote names %(count)s projects, more than the %(limit)s allowed (max_length)."
                )
                % {"count": len(chosen), "limit": limits["max_length"]},
            )
        if "min_length" in limits and chosen and len(chosen) < limits["min_length"]:
            raise PabulibError(
                line,
                gettext(
                    "The vote names %(count)s projects, fewer than the %(limit)s required (min_length)."
                )
                % {"count": len(chosen), "limit": limits["min_length"]},
            )


def election_from(f: PabulibFile) -> Election:
    """The election of an approval (or knapsack) file; other vote types are refused."""
    vote_type = f.meta.get("vote_type", "")
    if vote_type not in APPROVAL_TYPES:
        raise PabulibError(
            f.meta_lines.get("vote_type", 1),
            gettext(
                "Only approval ballots (knapsack ballots are stored as approval) can be counted; "
                "this file has vote_type %(type)s."
            )
            % {"type": vote_type},
        )
    return Election(
        budget=int(Decimal(f.meta["budget"])),
        costs={pid: int(Decimal(p["cost"])) for pid, p in f.projects.items()},
        ballots=[frozenset(_ids(v["vote"])) for v in f.votes],
    )


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple | set | frozenset):
        return ",".join(str(v).strip() for v in value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())  # no line breaks, no surrounding spaces


def _columns(rows: list[dict], known: tuple[str, ...], what: str) -> list[str]:
    present: set[str] = set()
    for row in rows:
        present.update(row)
    unknown = present - set(known)
    if unknown:
        raise ValueError(f"pabulib has no {what} field(s) {sorted(unknown)}")
    return [k for k in known if k in present]


def write(meta: dict, projects: list[dict], votes: list[dict]) -> str:
    """A ``.pb`` file of this election.

    ``num_projects`` and ``num_votes`` are counted here. Fields go in pabulib's order; a field
    pabulib does not know is a ValueError. Projects and votes keep the order given (pabulib's
    checker breaks greedy ties by the order of PROJECTS, so give them by votes, then id).
    """
    meta = dict(meta)
    meta["num_projects"] = len(projects)
    meta["num_votes"] = len(votes)
    out = io.StringIO()
    w = csv.writer(
        out, delimiter=";", quotechar='"', lineterminator="\n", quoting=csv.QUOTE_MINIMAL
    )
    w.writerow(["META"])
    w.writerow(["key", "value"])
    meta_keys = _columns([meta], META_FIELDS, "META")
    for key in meta_keys:
        if meta[key] is not None and _cell(meta[key]) != "":
            w.writerow([key, _cell(meta[key])])
    w.writerow(["PROJECTS"])
    columns = _columns(projects, PROJECT_FIELDS, "PROJECTS") or ["project_id", "cost"]
    for needed in ("cost", "project_id"):
        if needed not in columns:
            raise ValueError(f"every project needs {needed}")
    w.writerow(columns)
    for p in projects:
        w.writerow([_cell(p.get(c)) for c in columns])
    w.writerow(["VOTES"])
    columns = _columns(votes, VOTE_FIELDS, "VOTES")
    columns = ["voter_id", "vote"] + [c for c in columns if c not in ("voter_id", "vote")]
    w.writerow(columns)
    for v in votes:
        w.writerow([_cell(v.get(c)) for c in columns])
    return out.getvalue()
