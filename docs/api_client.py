"""List the readiness of everyone below you in the manager tree, through Ladder's JSON API.

    pip install httpx
    LADDER_URL=https://ladder.example.com LADDER_TOKEN=ladder_pat_... python docs/api_client.py

One line per person: name, level, and the verdict for each next level. The token needs the
`read` scope. Lists come a page at a time (LADDER_PAGE_SIZE people, 100 unless set): this
follows each page's `next` link, which keeps the query it was given.
"""

import os
import sys

import httpx


def results(client: httpx.Client, url: str, params: dict | None = None):
    while url:
        page = client.get(url, params=params).raise_for_status().json()
        yield from page["results"]
        url, params = page["next"], None


def verdict(next_level: dict) -> str:
    """ "TL2 ready", "TL2 not yet", "TL2 eligible from 2027-03-01"..."""
    words = next_level["verdict"].replace("_", " ")
    if next_level["verdict"] == "eligible_from":
        words += f" {next_level['eligible_from']}"
    return f"{next_level['target']['code']} {words}"


def main() -> None:
    api = os.environ["LADDER_URL"].rstrip("/") + "/api/v1"
    auth = {"Authorization": f"Bearer {os.environ['LADDER_TOKEN']}"}
    with httpx.Client(base_url=api, headers=auth, timeout=30) as client:
        try:
            me = client.get("/me").raise_for_status().json()
            query = {"page_size": os.environ.get("LADDER_PAGE_SIZE", "100")}
            if me["person"] is not None:  # else a service account: everyone it may see
                query["under"] = me["person"]
            for row in results(client, "/readiness/", query):
                level = row["level"]["code"] if row["level"] else "-"
                verdicts = ", ".join(map(verdict, row["next_levels"])) or "no next level"
                print(f"{row['person']['name']}\t{level}\t{verdicts}")
        except httpx.HTTPStatusError as error:  # a problem document (RFC 9457) says why
            answer = error.response
            problem = answer.json() if "json" in answer.headers.get("content-type", "") else {}
            sys.exit(f"{answer.status_code} from {error.request.url}: {problem.get('detail')}")


if __name__ == "__main__":
    main()
