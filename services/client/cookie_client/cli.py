"""Command line: python -m cookie_client [SCENARIO] [--target URL] [--json];
python -m cookie_client progress | hint ID | board (the learner's challenges)."""

from __future__ import annotations

import argparse
import json
import sys

from rich.console import Console

from . import report, runner, scenarios
from .progress import cli as progress_cli

DEFAULT_TARGET = "http://proxy:8080"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m cookie_client",
        description="Run a cookie scenario through the lab's proxy and print what really happened.",
        epilog="Your own work: `progress [--json]` shows the challenges you solved, `hint ID [--level N]`"
        " a challenge's hints, `board` serves the progress page (each has --help).",
    )
    p.add_argument("scenario", nargs="?", default="seed", help="scenario to run (default: seed; --list shows all)")
    p.add_argument("--target", default=DEFAULT_TARGET, help=f"base URL to send requests to (default: {DEFAULT_TARGET})")
    p.add_argument("--json", action="store_true", help="print the steps, table and tracker as JSON")
    p.add_argument(
        "--wait",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="how long to wait for the target to accept connections (default: 30)",
    )
    p.add_argument("--list", action="store_true", help="list the scenarios and exit")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("progress", "hint", "board"):
        return progress_cli.learner(argv[0], argv[1:])
    p = parser()
    args = p.parse_args(argv)
    if args.list:
        for name in scenarios.names():
            print(f"{name:12} {scenarios.load(name)['summary']}")
        return 0
    try:
        scenario = scenarios.load(args.scenario)
    except KeyError:
        p.error(f"unknown scenario {args.scenario!r}; known scenarios: {', '.join(scenarios.names())}")

    try:
        runner.wait_for(args.target, args.wait)
        result = runner.run(scenario, args.target)
    except runner.TargetUnreachable as exc:
        print(f"cookie_client: {exc}. Is the lab running (docker compose up)?", file=sys.stderr)
        return 2
    except runner.StepFailed as exc:
        print(f"cookie_client: {exc}", file=sys.stderr)
        return 1

    if args.json:
        print(json.dumps(report.as_json(scenario, args.target, result), indent=2))
    else:
        terminal = sys.stdout.isatty()
        console = Console(width=None if terminal else report.PLAIN_WIDTH)
        # Plain text keeps rich's own layout, which the exercise sheets paste and the
        # stack tests compare line by line; a terminal of any width gets whole values.
        report.render(console, scenario, result, fold=not terminal)
    for problem in result.problems:
        print(f"cookie_client: {problem}", file=sys.stderr)
    return 1 if result.problems else 0
