"""The results workload: both rules of a participatory budget on generated elections, beside
pabutools.

    python -m bench.budgeting_results [--smoke] [--cap SECONDS] [--json OUT]

Elections are generated from a seed: voters approve about `approvals` projects each (at least
one), drawn without replacement with a skewed popularity (log-normal weights); costs are
log-normal, rounded to 100 lari, at least 1,000; the budget is 35% of the total cost. The
largest election has 100,000 voters and 150 projects; on the smaller ones pabutools computes
the same two rules in a child process, stopped after `cap` seconds:

- greedy: ``greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)``;
- equal shares: ``completion_by_rule_combination`` of ``method_of_equal_shares`` (Cost_Sat,
  ``voter_budget_increment=1``) and that greedy rule.

The table gives, per election, our seconds for each rule, pabutools' seconds for both (or
"> cap"), and whether the winners are the same. Target: both rules on the 100,000-voter
election in at most 60 s.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time

import numpy as np

TARGET_S = 60.0
LARGEST = (100_000, 150)
SMALLER = ((500, 30), (2_000, 60), (5_000, 100))
SMOKE_LARGEST = (20_000, 150)
SMOKE_SMALLER = ((300, 20), (1_000, 30))
CAP_S = 180.0
SMOKE_CAP_S = 20.0


def generate(voters: int, projects: int, approvals: int = 10, seed: int = 1):
    """A seeded election (budgeting.outcomes.Election)."""
    from budgeting.outcomes import Election

    rng = np.random.default_rng(seed)
    popularity = np.log(rng.lognormal(0.0, 0.9, projects))
    costs = (rng.lognormal(10.3, 0.8, projects) // 100 * 100 + 1000).astype(np.int64)
    names = [f"{i + 1}" for i in range(projects)]
    sizes = np.clip(rng.poisson(approvals - 1, voters) + 1, 1, projects)
    ballots: list[list[str]] = []
    chunk = 10_000
    for start in range(0, voters, chunk):
        n = min(chunk, voters - start)
        # Gumbel top-k: sampling without replacement, weighted by popularity
        keys = popularity + rng.gumbel(size=(n, projects))
        order = np.argsort(-keys, axis=1)
        for row, k in zip(order, sizes[start : start + n], strict=True):
            ballots.append([names[i] for i in row[:k]])
    budget = int(costs.sum() * 0.35)
    return Election(budget, {p: int(c) for p, c in zip(names, costs, strict=True)}, ballots)


def ours(election) -> dict:
    from budgeting.outcomes import equal_shares, greedy

    t = time.perf_counter()
    g = greedy(election)
    greedy_s = time.perf_counter() - t
    t = time.perf_counter()
    m = equal_shares(election)
    mes_s = time.perf_counter() - t
    return {
        "greedy_s": round(greedy_s, 3),
        "mes_s": round(mes_s, 3),
        "greedy": list(g.winners),
        "mes": list(m.winners),
        "mes_share": next(
            (r.params.get("voter_share") for r in m.reasons.values() if r.code == "mes_selected"),
            None,
        ),
    }


def _pabutools(election, queue) -> None:
    from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, Instance, Project
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )

    t = time.perf_counter()
    projects = {name: Project(name, cost) for name, cost in election.costs.items()}
    instance = Instance(projects.values(), budget_limit=election.budget)
    profile = ApprovalProfile(
        [ApprovalBallot([projects[p] for p in b]) for b in election.ballots], instance=instance
    )
    g = [p.name for p in greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)]
    queue.put({"greedy": g})
    m = completion_by_rule_combination(
        instance,
        profile,
        [method_of_equal_shares, greedy_utilitarian_welfare],
        [{"sat_class": Cost_Sat, "voter_budget_increment": 1}, {"sat_class": Cost_Sat}],
    )
    queue.put({"mes": [p.name for p in m], "seconds": round(time.perf_counter() - t, 2)})


def pabutools(election, cap: float) -> dict:
    """pabutools' winners and seconds for both rules, or what it had done when stopped."""
    try:
        import pabutools  # noqa: F401
    except ImportError:
        return {"error": "pabutools is not installed (pip install -e '.[dev]')"}
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_pabutools, args=(election, queue), daemon=True)
    started = time.perf_counter()
    proc.start()
    out: dict = {}
    while "seconds" not in out:
        left = cap - (time.perf_counter() - started)
        if left <= 0:
            break
        try:
            out.update(queue.get(timeout=min(left, 1.0)))
        except Exception:  # noqa: BLE001 (queue.Empty: keep waiting)
            if not proc.is_alive() and queue.empty():
                break
    if "seconds" not in out:
        out["timed_out"] = True
        out["cap_s"] = cap
    proc.terminate()
    proc.join(5)
    return out


def measure(voters: int, projects: int, cap: float | None, seed: int = 1) -> dict:
    election = generate(voters, projects, seed=seed)
    row = {"voters": voters, "projects": projects, "budget": election.budget}
    row.update(ours(election))
    if cap:
        ref = pabutools(election, cap)
        row["pabutools_s"] = ref.get("seconds")
        row["pabutools_timed_out"] = bool(ref.get("timed_out"))
        row["pabutools_error"] = ref.get("error")
        row["same_greedy"] = ref["greedy"] == row["greedy"] if "greedy" in ref else None
        row["same_mes"] = ref["mes"] == row["mes"] if "mes" in ref else None
    return row


def table(rows: list[dict]) -> str:
    head = f"{'voters':>8} {'projects':>8} {'greedy s':>9} {'MES s':>8} {'pabutools s':>12} {'same winners':>13}"
    lines = [head]
    for r in rows:
        if "pabutools_s" not in r:
            ref, same = "-", "-"
        elif r.get("pabutools_error"):
            ref, same = "missing", "-"
        elif r["pabutools_timed_out"]:
            ref = f"> {r.get('cap_s', 0) or 0:.0f}" if r.get("cap_s") else "> cap"
            same = {True: "greedy yes", False: "greedy NO", None: "-"}[r["same_greedy"]]
        else:
            ref = f"{r['pabutools_s']:.2f}"
            same = "yes" if r["same_greedy"] and r["same_mes"] else "NO"
        lines.append(
            f"{r['voters']:>8,} {r['projects']:>8} {r['greedy_s']:>9.2f} {r['mes_s']:>8.2f} {ref:>12} {same:>13}"
        )
    return "\n".join(lines)


def run(smoke: bool, cap: float | None = None) -> dict:
    cap = cap if cap is not None else (SMOKE_CAP_S if smoke else CAP_S)
    largest = SMOKE_LARGEST if smoke else LARGEST
    rows = []
    for voters, projects in SMOKE_SMALLER if smoke else SMALLER:
        row = measure(voters, projects, cap)
        row["cap_s"] = cap
        rows.append(row)
        print(
            f"   {voters:,} voters: ours {row['greedy_s'] + row['mes_s']:.2f} s, pabutools {row.get('pabutools_s')}",
            flush=True,
        )
    big = measure(*largest, cap=None)
    rows.append(big)
    both = round(big["greedy_s"] + big["mes_s"], 2)
    same = [r for r in rows if r.get("same_greedy") is not None]
    return {
        "rows": [{k: v for k, v in r.items() if k not in ("greedy", "mes")} for r in rows],
        "table": table(rows),
        "largest": {"voters": largest[0], "projects": largest[1], "both_rules_s": both},
        "targets": [
            {
                "target": f"both rules on {largest[0]:,} voters <= {TARGET_S:.0f} s",
                "value": both,
                "met": both <= TARGET_S,
            }
        ],
        "checks": [
            {
                "name": f"results: same winners as pabutools on {r['voters']:,} voters",
                "ok": bool(r["same_greedy"]) and r.get("same_mes") is not False,
                "detail": "greedy and equal shares"
                if r.get("same_mes") is not None
                else "greedy (pabutools' equal shares did not finish in the cap)",
            }
            for r in same
        ],
    }


def stage(run_) -> None:
    """The results workload inside `python -m bench.run` (group "results")."""
    if not run_.wants("results"):
        return
    smoke = run_.args.smoke
    with run_.stage("budgeting results: greedy and equal shares, ours beside pabutools"):
        figures = run(smoke)
        print(figures["table"])
        largest = figures["largest"]
        print(
            f"   both rules on {largest['voters']:,} voters: {largest['both_rules_s']} s (target <= {TARGET_S:.0f} s)",
            flush=True,
        )
        run_.results["budgeting_results"] = figures
        run_.results["checks"].extend(figures["checks"])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m bench.budgeting_results", description=__doc__.split("\n\n")[0]
    )
    p.add_argument("--smoke", action="store_true", help="smaller elections and a 20 s cap")
    p.add_argument(
        "--cap", type=float, default=None, help="seconds pabutools may take per election"
    )
    p.add_argument("--json", default=None, help="write the figures here")
    args = p.parse_args(argv)
    figures = run(args.smoke, args.cap)
    print(figures["table"])
    largest = figures["largest"]
    print(
        f"both rules on {largest['voters']:,} voters: {largest['both_rules_s']} s (target <= {TARGET_S:.0f} s)"
    )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(figures, f, indent=2)
    return 0 if all(c["ok"] for c in figures["checks"]) else 1


if __name__ == "__main__":
    sys.exit(main())
