"""Locust users for the load test (bench/load/__main__.py starts gunicorn and runs them).

BENCH_LOAD_SESSIONS names a JSON file written by the runner: for each kind of user, signed-in
sessions (cookie values) and the pages each may browse. No think time: the figures are the
server's throughput. FloorUser requests only the bare view (bench/floor.py), the floor.
"""

from __future__ import annotations

import json
import os
import random

from locust import HttpUser, constant, task

with open(os.environ["BENCH_LOAD_SESSIONS"], encoding="utf-8") as handle:
    PLAN = json.load(handle)


class Browsing(HttpUser):
    abstract = True
    wait_time = constant(0)
    kind = ""

    def on_start(self) -> None:
        session = random.choice(PLAN[self.kind])
        self.client.cookies.set(PLAN["cookie_name"], session["cookie"])
        self.pages = session["pages"]

    @task
    def browse(self) -> None:
        label, url = random.choice(self.pages)
        with self.client.get(url, name=label, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")


class CoordinatorUser(Browsing):
    weight = 3
    kind = "coordinators"


class ViewerUser(Browsing):
    weight = 1
    kind = "viewers"


class ArsUser(Browsing):
    weight = 1
    kind = "ars"


class FloorUser(Browsing):
    kind = "floor"
