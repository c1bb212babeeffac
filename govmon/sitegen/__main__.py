"""``python -m govmon.sitegen``: serve a scenario on loopback, or write it for nginx.

python -m govmon.sitegen serve standard --as-of 2026-11-25 --port 8080 --truth t.json
python -m govmon.sitegen write big /tmp/site --as-of 2026-11-25 --truth t.json
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
from datetime import date
from pathlib import Path

from govmon.sitegen.build import build_portal
from govmon.sitegen.scenarios import SCENARIOS
from govmon.sitegen.server import serve, write_portal


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m govmon.sitegen", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("serve", "write"):
        cmd = sub.add_parser(name)
        cmd.add_argument("scenario", choices=sorted(SCENARIOS))
        if name == "write":
            cmd.add_argument("directory", type=Path)
        cmd.add_argument("--as-of", type=date.fromisoformat, required=True)
        cmd.add_argument("--seed", type=int, default=0)
        cmd.add_argument("--truth", type=Path, help="write the ground truth JSON here")
        if name == "serve":
            cmd.add_argument("--port", type=int, default=0)
            cmd.add_argument("--external-port", type=int, default=0)
    args = parser.parse_args(argv)

    if args.command == "write":
        portal = build_portal(SCENARIOS[args.scenario](args.as_of, seed=args.seed))
        root = write_portal(portal, args.directory)
        if args.truth:
            args.truth.write_text(portal.truth.to_json(indent=1), "utf-8")
        print(f"wrote {len(portal.truth.pages)} pages to {root}")
        return 0

    with serve(None, port=args.external_port) as external:
        spec = SCENARIOS[args.scenario](args.as_of, seed=args.seed, external_base=external)
        portal = build_portal(spec)
        with serve(portal, port=args.port) as base:
            if args.truth:
                args.truth.write_text(portal.truth.to_json(base, indent=1), "utf-8")
            print(f"serving {args.scenario} at {base}/ (external {external}); Ctrl-C stops")
            sys.stdout.flush()
            with contextlib.suppress(KeyboardInterrupt):
                threading.Event().wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
