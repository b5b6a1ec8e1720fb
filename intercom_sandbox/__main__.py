"""python -m intercom_sandbox --port 8010 --seed 1 --contacts 2000"""

from __future__ import annotations

import argparse

import uvicorn

from intercom_sandbox.server import build
from intercom_sandbox.state import SandboxConfig


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m intercom_sandbox",
        description="A local Intercom REST API 2.14 with deterministic demo data.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8010, help="port to listen on")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated data")
    parser.add_argument("--contacts", type=int, default=2000, help="contacts per workspace")
    parser.add_argument("--workspaces", type=int, default=2, help="number of workspaces")
    parser.add_argument(
        "--rate-limit", type=int, default=1667, help="requests per workspace per 10-second window"
    )
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added latency per request")
    parser.add_argument(
        "--jitter-ms", type=float, default=0.0, help="random extra latency, 0..N ms"
    )
    args = parser.parse_args(argv)
    config = SandboxConfig(
        seed=args.seed,
        contacts=args.contacts,
        workspaces=args.workspaces,
        rate_limit=args.rate_limit,
        latency_ms=args.latency_ms,
        jitter_ms=args.jitter_ms,
    )
    uvicorn.run(
        build(config), host=args.host, port=args.port, log_level="warning", access_log=False
    )


if __name__ == "__main__":
    main()
