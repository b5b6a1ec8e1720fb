"""python -m intercom_sandbox --port 8010 --seed 1 --contacts 2000"""

from __future__ import annotations

import argparse

import uvicorn

from intercom_sandbox.server import build
from intercom_sandbox.state import Faults, SandboxConfig

DESCRIPTION = """\
A local Intercom REST API 2.14 with deterministic demo data, faults, mutations and signed
webhooks. Intercom's endpoints are served at the root (/me, /contacts, /contacts/search, ...);
the control API lives under /_sandbox/ (workspaces and their tokens, faults, mutations, webhook
deliveries, recorded events, request statistics). Every fault and rate can also be changed while
it runs: PUT /_sandbox/faults, /_sandbox/rate-limit, /_sandbox/mutation-rate, /_sandbox/webhooks.
"""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m intercom_sandbox",
        description=DESCRIPTION,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    server = p.add_argument_group("server")
    server.add_argument("--host", default="127.0.0.1", help="address to listen on")
    server.add_argument("--port", type=int, default=8010, help="port to listen on")
    server.add_argument("--log-level", default="warning", help="uvicorn log level")

    data = p.add_argument_group("data")
    data.add_argument("--seed", type=int, default=1, help="seed of the generated data")
    data.add_argument("--contacts", type=int, default=2000, help="contacts per workspace")
    data.add_argument(
        "--workspaces", type=int, default=2, help="number of workspaces (US, EU, AU, ...)"
    )

    limits = p.add_argument_group("rate limit")
    limits.add_argument(
        "--rate-limit",
        type=int,
        default=1667,
        help="requests per workspace per window (1667 per 10 s = 10,000/min)",
    )
    limits.add_argument(
        "--rate-window-s", type=int, default=10, help="length of a rate-limit window (Intercom: 10)"
    )

    faults = p.add_argument_group("faults")
    faults.add_argument("--latency-ms", type=float, default=0.0, help="added latency per request")
    faults.add_argument(
        "--jitter-ms", type=float, default=0.0, help="random extra latency, 0..N ms"
    )
    faults.add_argument(
        "--error-rate",
        type=float,
        default=0.0,
        help="share of requests answered 500/502/503 (half with an HTML body)",
    )
    faults.add_argument(
        "--error-status",
        type=int,
        choices=[0, 500, 502, 503],
        default=0,
        help="status of those errors (0: any of the three)",
    )
    faults.add_argument(
        "--fail-next", type=int, default=0, help="answer the first N requests with an error"
    )
    faults.add_argument(
        "--retry-after-s",
        type=float,
        default=0.0,
        help="send Retry-After: N (seconds) with injected 503s (0: no header)",
    )
    faults.add_argument(
        "--stall-rate", type=float, default=0.0, help="share of requests that stall for --stall-s"
    )
    faults.add_argument("--stall-s", type=float, default=30.0, help="how long a stall lasts")
    faults.add_argument(
        "--drop-rate", type=float, default=0.0, help="share of connections closed mid-response"
    )
    faults.add_argument(
        "--revoked", action="store_true", help="answer 401 token_revoked to every call"
    )
    faults.add_argument(
        "--search-index-lag-s",
        type=float,
        default=0.0,
        help="contacts created less than N seconds ago are not searchable yet",
    )
    faults.add_argument("--fault-seed", type=int, default=0, help="seed of the fault dice")

    changes = p.add_argument_group("mutations and webhooks")
    changes.add_argument(
        "--mutation-rate",
        type=float,
        default=0.0,
        help="random create/update/delete/archive/merge/unsubscribe per second and workspace",
    )
    changes.add_argument("--webhook-url", default=None, help="where notification_events are posted")
    changes.add_argument(
        "--webhook-timeout-s", type=float, default=5.0, help="a slower answer fails the delivery"
    )
    changes.add_argument(
        "--webhook-retry-delay-s", type=float, default=60.0, help="delay of the one retry"
    )

    oauth = p.add_argument_group("oauth")
    oauth.add_argument("--oauth-client-id", default="sandbox-oauth-client")
    oauth.add_argument("--oauth-client-secret", default="sandbox-oauth-secret")

    testing = p.add_argument_group("testing")
    testing.add_argument(
        "--record-responses",
        metavar="PATH",
        default=None,
        help="append every Intercom response to this JSON-lines file (to check against the spec)",
    )
    return p


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    config = SandboxConfig(
        seed=args.seed,
        contacts=args.contacts,
        workspaces=args.workspaces,
        rate_limit=args.rate_limit,
        rate_window_s=args.rate_window_s,
        faults=Faults(
            latency_ms=args.latency_ms,
            jitter_ms=args.jitter_ms,
            error_rate=args.error_rate,
            error_status=args.error_status,
            fail_next=args.fail_next,
            retry_after_s=args.retry_after_s,
            stall_rate=args.stall_rate,
            stall_s=args.stall_s,
            drop_rate=args.drop_rate,
            revoked=args.revoked,
            search_index_lag_s=args.search_index_lag_s,
        ),
        fault_seed=args.fault_seed,
        mutation_rate=args.mutation_rate,
        webhook_url=args.webhook_url,
        webhook_timeout_s=args.webhook_timeout_s,
        webhook_retry_delay_s=args.webhook_retry_delay_s,
        oauth_client_id=args.oauth_client_id,
        oauth_client_secret=args.oauth_client_secret,
        record_responses=args.record_responses,
    )
    uvicorn.run(
        build(config), host=args.host, port=args.port, log_level=args.log_level, access_log=False
    )


if __name__ == "__main__":
    main()
