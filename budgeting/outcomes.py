"""The results of a participatory budget: the greedy rule and the Method of Equal Shares.

Both rules are those of pabulib and pabutools for approval ballots (knapsack ballots count as
approval ballots) with cost utilities:

- ``greedy``: projects by number of votes, most first, ties by project id (string order); a
  project that no longer fits the money left is skipped and the next one is tried.
- ``equal_shares``: the Method of Equal Shares with the "add1" exhaustion (every voter's share
  grows by one currency unit until the outcome exhausts the budget or would overspend it, in
  which case the last outcome that did not is kept), completed by the greedy rule on the money
  left.

The computation runs in floating point with a rigorous bound on its error; every decision that
the bound cannot settle (a near tie between two projects, a project whose supporters hold
almost exactly its cost) is settled again in exact rational arithmetic. The reasoning is in
docs/adr/0006-budgeting-results.md.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

__all__ = ["Election", "Outcome", "Reason", "equal_shares", "greedy"]

_U = 2.0**-52  # the float64 machine epsilon (twice the unit roundoff)

try:  # exact rationals: gmpy2's are much faster than the standard library's, and equal
    from gmpy2 import mpq as _Q
except ImportError:  # pragma: no cover
    _Q = Fraction


@dataclass(frozen=True)
class Election:
    budget: int  # whole currency units (lari)
    costs: dict[str, int]  # project id -> cost (> 0)
    ballots: Sequence[Collection[str]]  # one approval set per voter


@dataclass(frozen=True)
class Reason:
    code: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    rule: str  # "greedy" or "mes"
    winners: tuple[str, ...]  # in the order they were selected
    spent: int
    reasons: dict[str, Reason]  # one for every project of the election


# -- preparation ---------------------------------------------------------------------------


class _Prepared:
    """An election in index form: projects sorted by id, identical ballots merged."""

    def __init__(self, election: Election):
        budget = int(election.budget)
        if budget < 0:
            raise ValueError("The budget must not be negative.")
        names = sorted(election.costs)
        index = {name: i for i, name in enumerate(names)}
        costs = []
        for name in names:
            cost = election.costs[name]
            if int(cost) != cost or cost <= 0:
                raise ValueError(f"The cost of project {name!r} must be a positive integer.")
            costs.append(int(cost))
        groups: dict[tuple[int, ...], int] = {}
        for ballot in election.ballots:
            try:
                key = tuple(sorted({index[p] for p in ballot}))
            except KeyError as e:
                raise ValueError(f"A ballot names an unknown project {e.args[0]!r}.") from None
            if key:
                groups[key] = groups.get(key, 0) + 1
        self.budget = budget
        self.names = names
        self.costs = costs
        self.n = len(election.ballots)  # voters, empty ballots included
        self.weights_int = list(groups.values())
        self.weights = np.array(self.weights_int, dtype=np.float64)
        members: list[list[int]] = [[] for _ in names]
        for g, key in enumerate(groups):
            for j in key:
                members[j].append(g)
        self.supp = [np.array(m, dtype=np.int64) for m in members]
        self.supp_w = [self.weights[s] for s in self.supp]
        self.votes = [int(sum(self.weights_int[g] for g in m)) for m in members]


_last: tuple[weakref.ref, _Prepared] | None = None
_last_lock = threading.Lock()


def _prepare(election: Election) -> _Prepared:
    """The index form of an election, kept for the last election seen (both rules use it)."""
    global _last
    with _last_lock:
        if _last is not None and _last[0]() is election:
            return _last[1]
    prep = _Prepared(election)
    with _last_lock:
        _last = (weakref.ref(election), prep)
    return prep


# -- greedy --------------------------------------------------------------------------------


def _greedy_fill(prep: _Prepared, chosen: set[int], money: int):
    """Greedy by votes with skipping over the projects not in ``chosen``.

    Returns the selected indices in order and, per project considered, its rank, and the money
    left when it came up.
    """
    order = sorted(
        (j for j in range(len(prep.names)) if j not in chosen), key=lambda j: (-prep.votes[j], j)
    )
    selected = []
    seen = {}
    for rank, j in enumerate(order, start=1):
        before = money
        if prep.costs[j] <= money:
            money -= prep.costs[j]
            selected.append(j)
        seen[j] = (rank, before, money)
    return selected, seen, money


def greedy(election: Election, progress: Callable[[float], None] | None = None) -> Outcome:
    prep = _prepare(election)
    selected, seen, left = _greedy_fill(prep, set(), prep.budget)
    chosen = set(selected)
    reasons = {}
    for j, name in enumerate(prep.names):
        rank, before, after = seen[j]
        params = {"rank": rank, "votes": prep.votes[j], "cost": prep.costs[j]}
        if j in chosen:
            reasons[name] = Reason(
                "greedy_selected", params | {"money_before": before, "money_left": after}
            )
        elif prep.votes[j] == 0:
            reasons[name] = Reason("no_votes", params | {"money_left": before})
        else:
            reasons[name] = Reason("greedy_no_money", params | {"money_left": before})
    if progress:
        progress(1.0)
    return Outcome(
        rule="greedy",
        winners=tuple(prep.names[j] for j in selected),
        spent=prep.budget - left,
        reasons=reasons,
    )


# -- the Method of Equal Shares --------------------------------------------------------------


def _solve_exact(pairs: list[tuple], cost: int):
    """The equal payment q with sum(w * min(x, q)) == cost, or None if the supporters cannot pay.

    This is pabutools' computation: supporters by money, the poorest pay all they have while
    the equal split of what remains is more than their money.
    """
    pairs.sort(key=lambda p: (float(p[0]), p[0]))
    rest = _Q(cost)
    weight = sum(w for _, w in pairs)
    for x, w in pairs:
        q = rest / weight
        if q <= x:
            return q
        rest -= x * w
        weight -= w
    return None  # the supporters together hold less than the cost


class _Exact:
    """Exact money of every voter group during one run, computed only when a decision needs it.

    A voter's money is ``max(0, b - sum of the payments q_t of the selected projects it
    approves)``, so groups with the same approved selected projects hold the same money: a
    "class" (class 0 holds the starting share, class 1 nothing). Classes are replayed from
    the selections; their money and the payments are exact rationals.
    """

    def __init__(self, prep: _Prepared, b, selections: list):
        self.prep = prep
        self.selections = selections  # shared with the run: [(project, exact q or None)]
        self.cls = np.zeros(len(prep.weights_int), dtype=np.int64)
        self.money: list = [_Q(b.numerator, b.denominator), _Q(0)]
        self.as_float: list[float] = [float(self.money[0]), 0.0]
        self.upto = 0
        self.weights_int = np.array(prep.weights_int, dtype=np.int64)

    def _pairs(self, j: int) -> list[tuple]:
        supp = self.prep.supp[j]
        ids, inverse = np.unique(self.cls[supp], return_inverse=True)
        w = np.zeros(len(ids), dtype=np.int64)
        np.add.at(w, inverse, self.weights_int[supp])
        return [(self.money[int(i)], int(k)) for i, k in zip(ids, w, strict=True)]

    def catch_up(self) -> bool:
        """Replay the selections not replayed yet; True if there were any."""
        moved = self.upto < len(self.selections)
        while self.upto < len(self.selections):
            j, q = self.selections[self.upto]
            if q is None:
                q = _solve_exact(self._pairs(j), self.prep.costs[j])
                assert q is not None, "a selected project must be affordable"
                self.selections[self.upto] = (j, q)
            supp = self.prep.supp[j]
            ids, inverse = np.unique(self.cls[supp], return_inverse=True)
            new_ids = np.empty(len(ids), dtype=np.int64)
            for k, i in enumerate(ids):
                m = self.money[int(i)] - q
                if m > 0:
                    new_ids[k] = len(self.money)
                    self.money.append(m)
                    self.as_float.append(float(m))
                else:
                    new_ids[k] = 1
            self.cls[supp] = new_ids[inverse]
            self.upto += 1
        return moved

    def floats(self) -> np.ndarray:
        """Every group's exact money, correctly rounded to floating point."""
        return np.array(self.as_float)[self.cls]

    def rho(self, j: int):
        """Exact payment per unit of cost of project j now, None if unaffordable."""
        self.catch_up()
        q = _solve_exact(self._pairs(j), self.prep.costs[j])
        return None if q is None else q / self.prep.costs[j]


@dataclass
class _Run:
    selected: list[int]
    payments: list[float]  # per supporter, per selected project
    money: np.ndarray  # what each voter group holds at the end
    exact_checks: int


@dataclass
class _Candidate:
    j: int
    cost: int
    q: float  # the payment per supporter, in floating point
    err: float  # a bound on |q - exact q|
    exact: Fraction | None  # the exact rho (q / cost) when known cheaply
    ambiguous: bool  # the supporters hold about exactly the cost

    @property
    def lo(self) -> float:
        return (self.q - self.err) / self.cost

    @property
    def hi(self) -> float:
        return (self.q + self.err) / self.cost


def _below(terms: np.ndarray, c: float) -> bool | None:
    """Whether the exact sum of these products is below ``c``: True, False, or None (unsure).

    Each product (money times a whole number of voters) is rounded once, a relative error of
    at most half a unit roundoff. A sum of n non-negative terms in any order of addition is
    within (n - 1) units roundoff of the exact sum; when that bound is too loose, rows of 64
    summed by numpy and their sums added by math.fsum (correctly rounded) decide, then fsum of
    all the terms.
    """
    g = (len(terms) + 4) * _U
    total = float(terms.sum())
    if total * (1 + g) * (1 + _U) < c:
        return True
    if total * (1 - g) * (1 - _U) >= c:
        return False
    # rows of 64 summed by numpy (within 64 units roundoff each), the rows' sums by fsum
    rows = np.zeros((len(terms) + 63) // 64 * 64)
    rows[: len(terms)] = terms
    total = math.fsum(rows.reshape(-1, 64).sum(axis=1))
    if total * (1 + 70 * _U) < c:
        return True
    if total * (1 - 70 * _U) >= c:
        return False
    total = math.fsum(terms)
    if total * (1 + 2 * _U) < c:
        return True
    if total * (1 - 2 * _U) >= c:
        return False
    return None


def _equal_payment(xs: np.ndarray, ws: np.ndarray, c: int, W: int) -> float | None:
    """The payment q with sum(w * min(x, q)) == c, in floating point (None: not affordable).

    The poor (whose money is below the current equal split) pay all they have and the split of
    the rest is recomputed until no one else turns poor; q only grows, so this ends.
    """
    q = c / W
    poor = np.zeros(len(xs), dtype=bool)
    for _ in range(8):
        now = xs < q
        if not (now & ~poor).any():
            return q
        poor = now
        left = W - float(ws[poor].sum())
        if left <= 0:
            return None
        q = (c - float(np.dot(xs[poor], ws[poor]))) / left
    order = np.argsort(xs, kind="stable")
    xs = xs[order]
    wo = ws[order]
    paid = np.concatenate(([0.0], np.cumsum(xs * wo)[:-1]))
    left_w = W - np.concatenate(([0.0], np.cumsum(wo)[:-1]))
    qs = (c - paid) / left_w
    fits = qs <= xs
    return float(qs[int(np.argmax(fits))]) if fits.any() else None


def _mes_run(prep: _Prepared, b: Fraction) -> _Run:
    """One run of the Method of Equal Shares with every voter starting at ``b``.

    Every voter group's money is kept as an interval [lo, hi] that holds the exact amount; a
    payment is kept as an interval too, proved by evaluating the supporters' money at both
    ends. Decisions the intervals settle are taken in floating point; the others are taken
    in exact arithmetic.
    """
    bf = float(b)
    x_lo = np.full(len(prep.weights), bf * (1 - 2 * _U))
    x_hi = np.full(len(prep.weights), bf * (1 + 2 * _U))
    alive = {j for j in range(len(prep.names)) if prep.votes[j] > 0}
    # rho = q / cost >= 1 / votes: a lower bound that only grows as money is spent
    stale = {j: (1.0 / prep.votes[j]) * (1 - 4 * _U) for j in alive}
    selections: list = []  # [(j, exact q or None)]
    payments: list[float] = []
    exact: _Exact | None = None
    checks = 0

    def evaluate(j: int) -> _Candidate | None:
        c = prep.costs[j]
        W = prep.votes[j]
        supp = prep.supp[j]
        ws = prep.supp_w[j]
        lo = x_lo[supp]
        hi = x_hi[supp]
        if _below(hi * ws, c):
            return None
        if _below(lo * ws, c) is not False:
            return _Candidate(j, c, 0.0, math.inf, None, True)
        q_all = c / W
        if float(lo.min()) >= q_all * (1 + 4 * _U):
            # every supporter pays the equal split: q = c / W exactly, rho = 1 / W
            return _Candidate(j, c, q_all, q_all * 2 * _U, _Q(1, W), False)
        q = _equal_payment(hi, ws, c, W)
        if q is None:
            return _Candidate(j, c, 0.0, math.inf, None, False)
        for delta in (1e-13, 1e-12, 1e-11, 1e-10, 1e-9, 1e-8, 1e-7, 1e-6):
            q1 = q * (1 - delta)
            q2 = q * (1 + delta)
            # F(q) = sum(w * min(x, q)) grows with q and equals c at the exact payment:
            # F(q1) < c <= F(q2) puts the exact payment in [q1, q2].
            if _below(np.minimum(hi, q1) * ws, c) and _below(np.minimum(lo, q2) * ws, c) is False:
                mid = (q1 + q2) / 2
                return _Candidate(
                    j, c, mid, (q2 - q1) / 2 * (1 + 4 * _U) + mid * 2 * _U, None, False
                )
        return _Candidate(j, c, q, math.inf, None, False)

    while alive:
        order = sorted(alive, key=lambda j: (stale[j], j))
        best_hi = math.inf
        cands: list[_Candidate] = []
        for j in order:
            if stale[j] > best_hi:
                break
            cand = evaluate(j)
            if cand is None:
                alive.discard(j)
                continue
            stale[j] = (
                max(stale[j], cand.lo * (1 - 4 * _U)) if math.isfinite(cand.err) else stale[j]
            )
            cands.append(cand)
            best_hi = min(best_hi, cand.hi * (1 + 4 * _U))
        if not cands:
            break
        near = [c for c in cands if c.lo * (1 - 4 * _U) <= best_hi]
        chosen: _Candidate | None = None
        q_exact: Fraction | None = None
        if len(near) == 1 and not near[0].ambiguous and math.isfinite(near[0].err):
            chosen = near[0]
            if chosen.exact is not None:
                q_exact = chosen.exact * chosen.cost
        elif all(c.exact is not None and not c.ambiguous for c in near):
            chosen = min(near, key=lambda c: (c.exact, c.j))
            q_exact = chosen.exact * chosen.cost
        else:
            checks += 1
            if exact is None:
                exact = _Exact(prep, b, selections)
            ranked = []
            for c in near:
                rho = c.exact if c.exact is not None else exact.rho(c.j)
                if rho is None:
                    alive.discard(c.j)
                else:
                    ranked.append((rho, c.j, c))
            if len(ranked) < len(near):
                continue  # a project turned out unaffordable: look at the round again
            rho, _, chosen = min(ranked, key=lambda r: (r[0], r[1]))
            q_exact = rho * chosen.cost
            # the replay made every payment so far exact: start the intervals afresh from it
            money = exact.floats()
            x_lo[:] = money * (1 - 2 * _U)
            x_hi[:] = money * (1 + 2 * _U)
        j = chosen.j
        if q_exact is not None:
            q = float(q_exact)
            q_lo, q_hi = q * (1 - 2 * _U), q * (1 + 2 * _U)
        else:
            q = chosen.q
            # rounded outwards: the bounds themselves are computed in floating point
            q_lo, q_hi = (
                (chosen.q - chosen.err) * (1 - 2 * _U),
                (chosen.q + chosen.err) * (1 + 2 * _U),
            )
        supp = prep.supp[j]
        x_lo[supp] = np.maximum(x_lo[supp] - q_hi, 0.0) * (1 - 2 * _U)
        x_hi[supp] = np.maximum(x_hi[supp] - q_lo, 0.0) * (1 + 2 * _U)
        selections.append((j, q_exact))
        payments.append(q)
        alive.discard(j)
    return _Run([j for j, _ in selections], payments, (x_lo + x_hi) / 2, checks)


def _is_exhaustive(prep: _Prepared, run: _Run, spent: int) -> bool:
    chosen = set(run.selected)
    return not any(
        prep.votes[j] > 0 and j not in chosen and spent + prep.costs[j] <= prep.budget
        for j in range(len(prep.names))
    )


def equal_shares(election: Election, progress: Callable[[float], None] | None = None) -> Outcome:
    prep = _prepare(election)
    budget = prep.budget
    supported = [j for j in range(len(prep.names)) if prep.votes[j] > 0]
    run: _Run | None = None
    share = Fraction(budget, prep.n) if prep.n else Fraction(0)
    final_share = share
    if prep.n and supported:
        previous: _Run | None = None
        previous_share = share
        k = 0
        while True:
            current = _mes_run(prep, share)
            spent = sum(prep.costs[j] for j in current.selected)
            if spent > budget:
                run, final_share = previous, previous_share
                break
            if _is_exhaustive(prep, current, spent):
                run, final_share = current, share
                break
            previous, previous_share = current, share
            share += 1
            k += 1
            if progress:
                # The number of steps is not known in advance (it ends at the latest when
                # one voter's share pays for every supported project): an estimate that
                # grows with every step and reaches 1 when the count is done.
                progress(min(0.99, k / (k + 8)))
    mes_selected = run.selected if run else []
    mes_spent = sum(prep.costs[j] for j in mes_selected)
    completion, seen, left = _greedy_fill(prep, set(mes_selected), budget - mes_spent)

    reasons: dict[str, Reason] = {}
    round_of = {j: r for r, j in enumerate(mes_selected, start=1)}
    completed = set(completion)
    for j, name in enumerate(prep.names):
        cost = prep.costs[j]
        votes = prep.votes[j]
        base = {"votes": votes, "cost": cost}
        if j in round_of:
            r = round_of[j]
            payment = run.payments[r - 1]
            reasons[name] = Reason(
                "mes_selected",
                base
                | {
                    "round": r,
                    "max_payment": round(payment, 2),
                    "voter_share": round(float(final_share), 2),
                },
            )
            continue
        rank, before, after = seen[j]
        if j in completed:
            reasons[name] = Reason(
                "greedy_completion",
                base | {"rank": rank, "money_before": before, "money_left": after},
            )
        elif votes == 0:
            reasons[name] = Reason("no_votes", base | {"money_left": before})
        else:
            money = float(np.dot(run.money[prep.supp[j]], prep.supp_w[j])) if run else 0.0
            reasons[name] = Reason(
                "mes_unaffordable",
                base
                | {
                    "supporters_money": round(money, 2),
                    "voter_share": round(float(final_share), 2),
                    "money_left": before,
                },
            )
    if progress:
        progress(1.0)
    winners = [prep.names[j] for j in mes_selected] + [prep.names[j] for j in completion]
    return Outcome(rule="mes", winners=tuple(winners), spent=budget - left, reasons=reasons)
