"""This tree against another commit on bench/flow.py and bench/webhook.py, side by side in one run.

A shared machine's speed drifts by more than the differences worth finding, so the two trees are
measured in turns: each round runs every benchmark once for each tree, one right after the other,
and the order within a round swaps every round (ours first, then the baseline first), so that a
drift over the run weighs on both alike. Each run is a fresh process of that tree's own benchmark
script with that tree's own virtualenv (the trees' modules need not be where they are here), with
the same arguments for both.

The baseline is a directory holding a checkout with its `.venv`, or a git revision: then it is
checked out once as a worktree (`--worktree`, a directory under the temporary directory by default)
and given its own `.venv` (`pip install -e '.[dev]'`), reused by later comparisons of that revision.

The table gives, per benchmark, configuration and measure: the median and range of the rounds for
each tree, the ratio of the medians (ours / baseline), the range of the rounds' own ratios (each
run against the other tree's run next to it), and a verdict: "worse" or "better" only when our median
lies outside the whole range of the baseline's runs and differs from the baseline's median by more
than --tolerance (a consistent 0.1% is real but no regression), "within noise" otherwise. With
fewer than 3 rounds a median is one disturbed run away from anything, and no verdict is given.

Run: `.venv/bin/python bench/compare.py --baseline 4bc445c [--rounds 5]` (about 2 minutes a round when the
machine is otherwise quiet; 5 rounds, the default, about 11 minutes).
"""

import argparse
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOW_ARGS = "--runs 1"
WEBHOOK_ARGS = "--configurations ours,ours-2 --owners 300 --seconds 10"
RUN_TIMEOUT_SECONDS = 30 * 60
MINIMUM_ROUNDS_FOR_A_VERDICT = 3


@dataclass(frozen=True)
class Measure:
    name: str
    unit_format: str
    higher_is_better: bool


MESSAGES_PER_SECOND = Measure("messages/s", "{:,.0f}", True)
RESIDENT_MB = Measure("resident MB after", "{:.1f}", False)
CLOSED_RATE = Measure("closed loop messages/s", "{:,.0f}", True)
OPEN_P99 = Measure("open loop p99 ms", "{:.1f}", False)

# The lines the two scripts print per result (the same text at 4bc445c and since).
FLOW_LINE = re.compile(r"^\s*(?P<configuration>[\d,]+ registered owners):\s+(?P<rate>[\d,]+) messages/s .*"
                       r"resident (?P<resident>[\d.]+) MB after", re.MULTILINE)
WEBHOOK_LINE = re.compile(r"^(?P<configuration>[\w-]+): (?P<rate>[\d,]+) messages/s closed loop, "
                          r"open loop p99 (?P<p99>[\d.]+) ms, (?P<failures>\d+) failures", re.MULTILINE)


def number(text: str) -> float:
    return float(text.replace(",", ""))


def parse_flow(output: str) -> dict[tuple[str, Measure], float]:
    found = {}
    for line in FLOW_LINE.finditer(output):
        found[line["configuration"], MESSAGES_PER_SECOND] = number(line["rate"])
        found[line["configuration"], RESIDENT_MB] = number(line["resident"])
    return found


def parse_webhook(output: str) -> dict[tuple[str, Measure], float]:
    if "INVALID" in output:  # a failed message makes the run no measurement at all
        raise RuntimeError("bench/webhook.py reported failures")
    found = {}
    for line in WEBHOOK_LINE.finditer(output):
        found[line["configuration"], CLOSED_RATE] = number(line["rate"])
        found[line["configuration"], OPEN_P99] = number(line["p99"])
    return found


BENCHMARKS = {"flow": parse_flow, "webhook": parse_webhook}


@dataclass(frozen=True)
class Tree:
    label: str
    path: Path

    @property
    def python(self) -> Path:
        return self.path / ".venv" / "bin" / "python"  # not resolved: webhook.py finds `tabe` beside it

    def run(self, benchmark: str, arguments: list[str]) -> dict[tuple[str, Measure], float]:
        """One run of the tree's own bench/<benchmark>.py in a fresh process; what it measured."""
        environment = {name: value for name, value in os.environ.items()
                       if name not in ("PYTHONPATH", "VIRTUAL_ENV")}  # the tree's venv alone says what is imported
        command = [str(self.python), str(self.path / "bench" / f"{benchmark}.py"), *arguments]
        finished = subprocess.run(command, cwd=self.path, env=environment, capture_output=True, text=True,
                                  timeout=RUN_TIMEOUT_SECONDS)
        output = finished.stdout + finished.stderr
        try:
            if finished.returncode != 0:
                raise RuntimeError(f"exit code {finished.returncode}")
            found = BENCHMARKS[benchmark](output)
            if not found:
                raise RuntimeError("no result line in its output")
        except RuntimeError as error:
            tail = "\n".join(output.splitlines()[-40:])
            raise SystemExit(f"{shlex.join(command)} in {self.path}: {error}\n{tail}") from None
        return found


def commit_of(path: Path, revision: str = "HEAD") -> str:
    return subprocess.run(["git", "-C", str(path), "rev-parse", "--verify", f"{revision}^{{commit}}"],
                          capture_output=True, text=True, check=True).stdout.strip()


def described(tree: Tree) -> str:
    """Where a tree is and which commit it holds, for the report's head."""
    try:
        commit = commit_of(tree.path)[:7]
    except subprocess.CalledProcessError:
        commit = "no git commit"
    working = " (and whatever its working tree changed)" if tree.label == "ours" else ""
    return f"{tree.label}: {tree.path} at {commit}{working}, with {tree.python}"


def baseline_tree(baseline: str, worktree: str | None) -> Tree:
    """The baseline's tree: the directory given, or the revision's worktree with its own venv, made once."""
    if Path(baseline).is_dir():
        tree = Tree("baseline", Path(baseline).resolve())
    else:
        commit = commit_of(ROOT, baseline)
        path = Path(worktree or Path(tempfile.gettempdir()) / f"tabe-baseline-{commit[:7]}")
        if not path.exists():
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(path), commit], check=True)
        elif commit_of(path) != commit:
            raise SystemExit(f"{path} holds {commit_of(path)[:7]}, not {commit[:7]}: give another --worktree")
        tree = Tree("baseline", path)
        if not tree.python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(path / ".venv")], check=True)
            subprocess.run([str(tree.python), "-m", "pip", "install", "--quiet", "-e", ".[dev]"], cwd=path,
                           check=True)
    return tree


Samples = dict[tuple[str, str, Measure], dict[str, list[float]]]  # (benchmark, configuration, measure) -> tree -> runs


def compare(trees: tuple[Tree, Tree], benchmarks: dict[str, list[str]], rounds: int) -> Samples:
    samples: Samples = {}
    for round_number in range(rounds):
        order = trees if round_number % 2 == 0 else trees[::-1]
        for benchmark, arguments in benchmarks.items():
            for tree in order:
                started = time.monotonic()
                found = tree.run(benchmark, arguments)
                for (configuration, measure), value in found.items():
                    samples.setdefault((benchmark, configuration, measure), {}).setdefault(tree.label, []).append(value)
                shown = ", ".join(f"{configuration} {measure.name} {measure.unit_format.format(value)}"
                                  for (configuration, measure), value in found.items())
                print(f"round {round_number + 1}/{rounds} {benchmark} {tree.label} ({time.monotonic() - started:.0f} s, "
                      f"load average {os.getloadavg()[0]:.2f}): {shown}", flush=True)
    return samples


def verdict(measure: Measure, ours: float, baseline: list[float], tolerance: float) -> str:
    """Worse or better only beyond every run of the baseline (the spread it showed is the noise) and the tolerance."""
    if len(baseline) < MINIMUM_ROUNDS_FOR_A_VERDICT:
        return "too few rounds"
    sign = 1 if measure.higher_is_better else -1
    scores = [sign * value for value in baseline]
    change = sign * (ours / statistics.median(baseline) - 1)
    if sign * ours < min(scores) and change < -tolerance:
        return "**worse**"
    if sign * ours > max(scores) and change > tolerance:
        return "better"
    return "within noise"


def report(samples: Samples, tolerance: float) -> None:
    print("\n| benchmark | configuration | measure | ours: median (min-max) | baseline: median (min-max) | "
          "ours / baseline | per round (min-max) | verdict |")
    print("|---|---|---|---:|---:|---:|---:|---|")
    for (benchmark, configuration, measure), runs in samples.items():
        ours, baseline = runs["ours"], runs["baseline"]
        shown = measure.unit_format.format
        ratios = [mine / theirs for mine, theirs in zip(ours, baseline, strict=True)]
        ours_median, baseline_median = statistics.median(ours), statistics.median(baseline)
        print(f"| {benchmark} | {configuration} | {measure.name} "
              f"({'higher' if measure.higher_is_better else 'lower'} is better) | "
              f"{shown(ours_median)} ({shown(min(ours))}-{shown(max(ours))}) | "
              f"{shown(baseline_median)} ({shown(min(baseline))}-{shown(max(baseline))}) | "
              f"{ours_median / baseline_median:.3f} | {min(ratios):.3f}-{max(ratios):.3f} | "
              f"{verdict(measure, ours_median, baseline, tolerance)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", required=True, help="a git revision, or a directory holding a tree with its .venv")
    parser.add_argument("--worktree", help="where a revision's worktree goes (default: tabe-baseline-<commit> "
                                           "in the temporary directory)")
    parser.add_argument("--ours", default=str(ROOT), help="the tree measured against it (default: this one)")
    parser.add_argument("--rounds", type=int, default=5, help="runs of each benchmark per tree, alternating trees")
    parser.add_argument("--benchmarks", default=",".join(BENCHMARKS), help="comma-separated, from: flow, webhook")
    parser.add_argument("--flow-args", default=FLOW_ARGS, help="arguments of every bench/flow.py run")
    parser.add_argument("--webhook-args", default=WEBHOOK_ARGS, help="arguments of every bench/webhook.py run")
    parser.add_argument("--tolerance", type=float, default=0.03,
                        help="a smaller change of the median, as a fraction, is never called worse or better")
    args = parser.parse_args()
    chosen = [name.strip() for name in args.benchmarks.split(",") if name.strip()]
    if unknown := set(chosen) - set(BENCHMARKS):
        parser.error(f"unknown benchmarks: {', '.join(sorted(unknown))}")
    arguments = {"flow": shlex.split(args.flow_args), "webhook": shlex.split(args.webhook_args)}
    trees = (Tree("ours", Path(args.ours).resolve()), baseline_tree(args.baseline, args.worktree))
    for tree in trees:
        if not tree.python.exists():
            raise SystemExit(f"{tree.python} does not exist: each tree is measured with its own .venv")
        print(described(tree))
    print(f"{len(os.sched_getaffinity(0))} cores, load average {os.getloadavg()[0]:.2f}; {args.rounds} rounds of "
          + "; ".join(f"bench/{name}.py {shlex.join(arguments[name])}" for name in chosen), flush=True)
    started = time.monotonic()
    samples = compare(trees, {name: arguments[name] for name in chosen}, args.rounds)
    report(samples, args.tolerance)
    print(f"\n{args.rounds} rounds in {(time.monotonic() - started) / 60:.1f} minutes; "
          f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
