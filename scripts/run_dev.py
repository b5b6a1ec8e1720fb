"""`make run`: migrations, then the sandbox, the API and a worker, and a demo account connected to
the sandbox. Ctrl-C stops every process it started.

PostgreSQL and Redis are the configured ones (`.env`), or embedded ones when those do not answer
(scripts/local_services.py). `API_PORT` (8000) and `SANDBOX_PORT` (8010) move the two servers
(the API and worker then call the sandbox there, unless `INTERCOM_BASE_URL` is set too), and
`WORKER_METRICS_PORT` (9101) the worker's metrics."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import local_services  # beside this script, on its path

from app.config import get_settings

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
API_PORT = int(os.environ.get("API_PORT", "8000"))
SANDBOX_PORT = int(os.environ.get("SANDBOX_PORT", "8010"))
WORKER_METRICS_PORT = int(os.environ.get("WORKER_METRICS_PORT", "9101"))
API = f"http://127.0.0.1:{API_PORT}"
SANDBOX = f"http://127.0.0.1:{SANDBOX_PORT}"
WORKER = [str(BIN / "intercom-sync"), "worker"]


def wait_for(url: str, name: str, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"{name} did not become ready at {url}")


def main() -> None:
    os.chdir(ROOT)
    # `kill` (a supervisor, a script) stops the children too: SystemExit runs the cleanup below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    settings = get_settings()
    data_dir = Path(os.environ.get("LOCAL_SERVICES_DIR", str(local_services.DATA_DIR)))
    with local_services.services(settings.database_url, settings.redis_url, data_dir) as urls:
        # The children read these before .env.
        os.environ["DATABASE_URL"], os.environ["REDIS_URL"] = urls
        if "SANDBOX_PORT" in os.environ:  # .env names the default port
            os.environ.setdefault("INTERCOM_BASE_URL", SANDBOX)
        run()


def run() -> None:
    subprocess.run([BIN / "intercom-sync", "migrate"], check=True)
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "intercom_sandbox",
                "--port",
                str(SANDBOX_PORT),
                "--seed",
                "1",
                "--contacts",
                "2000",
            ]
        ),
        subprocess.Popen(
            [
                BIN / "uvicorn",
                "app.main:create_app",
                "--factory",
                "--port",
                str(API_PORT),
                "--log-level",
                "warning",
            ]
        ),
        subprocess.Popen(WORKER),
    ]
    try:
        wait_for(f"{SANDBOX}/_sandbox/health", "The Intercom sandbox")
        wait_for(f"{API}/readyz", "The API")
        created = subprocess.run(
            [BIN / "intercom-sync", "accounts", "create", "Demo account", "--nps-campaigns", "3"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        api_key = next(
            line.split(": ", 1)[1] for line in created.splitlines() if line.startswith("API key")
        )
        workspace = httpx.get(f"{SANDBOX}/_sandbox/workspaces").json()[0]
        headers = {"Authorization": f"Bearer {api_key}"}
        integration = (
            httpx.post(
                f"{API}/v1/integrations",
                json={"access_token": workspace["access_token"]},
                headers=headers,
                timeout=30,
            )
            .raise_for_status()
            .json()
        )
        segments = httpx.get(
            f"{API}/v1/integrations/{integration['id']}/segments", headers=headers
        ).json()["data"]
        users = next(segment for segment in segments if segment["kind"] == "users")
        # The sandbox posts its notifications to the API, as Intercom would to a deployment.
        httpx.put(
            f"{SANDBOX}/_sandbox/webhooks",
            json={"url": f"{API}/v1/webhooks/intercom", "enabled": True},
        ).raise_for_status()
        second = httpx.get(f"{SANDBOX}/_sandbox/workspaces").json()[1]
        auth = f'-H "Authorization: Bearer {api_key}"'
        json_body = '-H "Content-Type: application/json" -d'
        redirect = (get_settings().oauth_redirect_uris or ["<a URL in OAUTH_REDIRECT_URIS>"])[0]
        integration_url = f"{API}/v1/integrations/{integration['id']}"
        french = '{"groups": [[{"property": "country", "operator": "is", "value": "France"}]]}'
        either = (
            '{"combine": "any", "groups": ['
            '[{"property": "country", "operator": "is", "value": "France"}], '
            '[{"property": "country", "operator": "is", "value": "United States"}]]}'
        )
        settings = (
            '{"on_deleted_in_intercom": "delete", "on_unsubscribed_in_intercom": "unsubscribe", '
            '"event_on_survey_unsubscribe": {"enabled": true, "event_name": "left-nps"}}'
        )
        mutations = f"{SANDBOX}/_sandbox/workspaces/{workspace['app_id']}/mutations"
        print(
            f"""
intercom-sync is running: API {API} (docs: {API}/docs), Intercom sandbox {SANDBOX}.
Demo account connected to sandbox workspace "{workspace["name"]}".

Demo API key: {api_key}

Sync a list:
  curl -s {auth} {API}/v1/integrations
  curl -s {auth} "{integration_url}/segments?sort=-count"
  curl -s {auth} {API}/v1/segments/{users["id"]}/mapping/suggestions
  curl -s {auth} {json_body} '{{"use_default_mapping": true}}' \\
    {API}/v1/segments/{users["id"]}/syncs
  curl -s {auth} {API}/v1/syncs/<id from the previous answer>
  # follow it live (progress, then the report), its failures, the list's history, cancel:
  curl -N {auth} {API}/v1/syncs/<the same id>/events
  curl -s {auth} {API}/v1/syncs/<the same id>/failures
  curl -s {auth} {API}/v1/segments/{users["id"]}/syncs
  curl -s -X POST {auth} {API}/v1/syncs/<the same id>/cancel
  curl -s {auth} "{API}/v1/customers?limit=5"
  # only French users, from the next sync on (preview first, then save):
  curl -s {auth} {json_body} '{french}' {API}/v1/segments/{users["id"]}/filters/preview
  curl -s -X PUT {auth} {json_body} '{french}' {API}/v1/segments/{users["id"]}/filters

Connect the second workspace ("{second["name"]}"), by access token...
  curl -s {auth} {json_body} '{{"access_token": "{second["access_token"]}"}}' \\
    {API}/v1/integrations
...or, instead, by OAuth (the sandbox stands in for Intercom's consent screen and redirects at
once; the Location it answers carries the code and state to send back):
  curl -s {auth} {json_body} '{{"redirect_uri": "{redirect}"}}' {API}/v1/integrations/oauth
  curl -si "<authorize_url from the answer>&app_id={second["app_id"]}" | grep -i '^location'
  curl -s {auth} {json_body} '{{"code": "<code>", "state": "<state>"}}' \\
    {API}/v1/integrations/oauth/callback

Webhooks (the sandbox posts Intercom's signed notifications to the API) and events back:
  # what a delete or an unsubscribe in Intercom does here, and the event sent on ours:
  curl -s -X PUT {auth} {json_body} '{settings}' \
    {integration_url}/settings
  # change contacts in the sandbox (create, update, delete, archive, merge, unsubscribe, email,
  # signup): an auto-synced list's customers follow within seconds
  curl -s -X PATCH {auth} {json_body} '{{"auto_sync": true, "use_default_mapping": true}}' \
    {API}/v1/segments/{users["id"]}
  curl -s {json_body} '{{"kind": "update"}}' {mutations}
  curl -s {SANDBOX}/_sandbox/webhooks/deliveries
  # unsubscribe a customer from surveys: the event reaches the sandbox's record once
  curl -s -X POST {auth} {API}/v1/customers/<a customer id>/unsubscribe
  curl -s {SANDBOX}/_sandbox/workspaces/{workspace["app_id"]}/events

Metrics (Prometheus): the API's and the worker's own:
  curl -s {API}/metrics | grep ^intercom_sync
  curl -s http://127.0.0.1:{WORKER_METRICS_PORT}/metrics | grep ^intercom_sync

Manage the integration and its lists:
  curl -s -X PATCH {auth} {json_body} '{{"name": "Support workspace"}}' {integration_url}
  curl -s -X POST {auth} {integration_url}/refresh
  curl -s -X PATCH {auth} {json_body} '{{"auto_sync": true}}' {API}/v1/segments/{users["id"]}
  curl -s {auth} {json_body} '{{"name": "My leads", "source": "leads"}}' {integration_url}/segments
  # a custom segment of users in France or the USA; a refresh counts it once its filters are saved:
  curl -s {auth} {json_body} '{{"name": "France or USA", "source": "users"}}' \\
    {integration_url}/segments
  curl -s -X PUT {auth} {json_body} '{either}' \\
    {API}/v1/segments/<id from the previous answer>/filters
  curl -s {auth} {API}/v1/segments/<the same id>
  curl -s {auth} "{integration_url}/segments?last_sync_status=never&kind=intercom&sort=-count"
  curl -s {auth} {API}/v1/account
  # disconnect; connecting its token again revives it, lists and history included:
  curl -s -X DELETE {auth} {integration_url}
  curl -s {auth} {json_body} '{{"access_token": "{workspace["access_token"]}"}}' \\
    {API}/v1/integrations

Ctrl-C stops everything.""",
            flush=True,
        )
        while True:
            time.sleep(0.5)
            if processes[-1].poll() is not None:
                time.sleep(0.5)  # Ctrl-C reaches every child: then the others stop too
            if any(process.poll() is not None for process in processes[:-1]):
                break
            if processes[-1].poll() is not None:
                # A worker may die (kill -9 one to watch its sync resume): start another, as a
                # deployment's supervisor would. The API or the sandbox stopping ends the demo.
                print(
                    "The worker stopped; starting another. Its syncs resume once their lease "
                    "lapses (SYNC_LEASE_S, 60 s) and the sweeper runs (SWEEP_INTERVAL_S).",
                    file=sys.stderr,
                    flush=True,
                )
                processes[-1] = subprocess.Popen(WORKER)
        # Ctrl-C reaches the children too; only an unexpected exit deserves a word.
        time.sleep(0.2)
        print("A process stopped; shutting down everything else.", file=sys.stderr)
    except KeyboardInterrupt:
        print("\nStopping.", file=sys.stderr)
        # Ctrl-C already sent SIGINT to every child (one process group): a second SIGINT makes
        # uvicorn abort its shutdown with a traceback, so give them time to stop on their own.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(p.poll() is None for p in processes):
            time.sleep(0.1)
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    main()
