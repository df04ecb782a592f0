"""Worked example: deposit a package with client credentials and wait for the verdict.

    python -m repository.api.example_client package.zip \\
        --site http://127.0.0.1:8000 --client-id ID --client-secret SECRET [--resource ID]

Exits 0 when validation passed, 1 failed, 2 not run, 3 could not finish, 4 still running when it
stopped waiting, 5 when the deposit itself was refused (the message says why).

Uses `requests` (pip install requests). The client id and secret come from
POST /api/v1/institutions/<slug>/clients/ (an institution admin, admin scope).
"""

import argparse
import sys
import time

import requests


def get_token(site: str, client_id: str, client_secret: str) -> str:
    response = requests.post(
        f"{site}/o/token/",
        data={"grant_type": "client_credentials", "scope": "read deposit"},
        auth=(client_id, client_secret),
        timeout=30,
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


EXIT_CODES = {"passed": 0, "failed": 1, "not run": 2, "could not finish": 3, "pending": 4}
REFUSED = 5


def deposit(site: str, token: str, package: str, resource: int | None = None) -> dict:
    """POST the package (as a new version of `resource`, when given); exit 5 when refused."""
    data = {"resource": str(resource)} if resource is not None else {}
    with open(package, "rb") as handle:
        response = requests.post(
            f"{site}/api/v1/deposits/",
            files={"package": (package, handle, "application/zip")},
            data=data,
            headers={"Authorization": f"Bearer {token}"},
            timeout=300,
        )
    if response.status_code != 202:
        error = response.json()["error"]
        print(f"Refused ({error['code']}): {error['message']} {error['fields'] or ''}")
        sys.exit(REFUSED)
    return response.json()


def wait_for_verdict(status_url: str, token: str, *, every: float = 2, limit: float = 600) -> dict:
    deadline = time.monotonic() + limit
    while True:
        status = requests.get(
            status_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ).json()
        if status["finished"] or time.monotonic() > deadline:
            return status
        time.sleep(every)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package")
    parser.add_argument("--site", default="http://127.0.0.1:8000")
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument(
        "--resource", type=int, help="id of an existing resource to add this version to"
    )
    args = parser.parse_args()
    site = args.site.rstrip("/")
    token = get_token(site, args.client_id, args.client_secret)
    accepted = deposit(site, token, args.package, args.resource)
    version = accepted["version"]
    print(f"Deposited as version {version['number']} of {version['resource']['title']!r}")
    status = wait_for_verdict(accepted["status_url"], token)
    verdict = status["verdict"]
    print(f"Verdict: {verdict} ({status['state']})")
    for step in (status["run"] or {}).get("steps", []):
        print(f"  {step['name']}: {step['status']} {' '.join(step['messages'])}")
    print(f"Version: {version['web_url']}  (API: {version['url']})")
    sys.exit(EXIT_CODES[verdict])


if __name__ == "__main__":
    main()
