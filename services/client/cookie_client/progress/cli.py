"""The commands about the learner's own work: `progress`, `hint ID` and `board`."""

from __future__ import annotations

import argparse
import json
import sys

from rich.console import Console

from ..report import PLAIN_WIDTH
from . import data, terminal


def progress_parser(command: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=f"python -m cookie_client {command}")
    p.add_argument(
        "--captures",
        default=data.DEFAULT_CAPTURES,
        help=f"the proxy's capture file (default: {data.DEFAULT_CAPTURES})",
    )
    p.add_argument(
        "--exercises",
        default=data.DEFAULT_EXERCISES,
        help=f"the lab's exercise index (default: {data.DEFAULT_EXERCISES})",
    )
    if command == "progress":
        p.description = "Show which challenges your own traffic has solved, and the next hint."
        p.add_argument("--json", action="store_true", help="print the same as JSON")
    elif command == "hint":
        p.description = "Show a challenge's hints, from vague to precise; never its solution."
        p.add_argument("challenge", help="a challenge id, as `progress` lists them")
        p.add_argument("--level", type=int, default=1, help="how many hints to show (default: 1)")
    else:
        p.description = "Serve the progress board, a page that refreshes itself."
        p.add_argument("--host", default="0.0.0.0", help="address to listen on (default: 0.0.0.0)")
        p.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    return p


def learner(command: str, argv: list[str]) -> int:
    """The commands about the learner's own work: progress, hint, board."""
    args = progress_parser(command).parse_args(argv)
    try:
        if command == "hint":
            shown = data.hints(args.exercises, args.challenge, args.level)
            for level, text in enumerate(shown, 1):
                print(f"hint {level}: {text}")
            if args.level > len(shown):
                print(f"(no more hints: {args.challenge} has {len(shown)}; its solution is in lab/solutions/)")
            return 0
        if command == "board":
            from . import board  # its server only when asked for

            board.serve(args.host, args.port, args.captures, args.exercises)
            return 0
        found = data.report(args.captures, args.exercises)
    except data.ProgressError as exc:
        print(f"cookie_client {command}: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(found, indent=2))
    else:
        console = Console(width=None if sys.stdout.isatty() else PLAIN_WIDTH)
        terminal.render_progress(console, found)
    return 0
