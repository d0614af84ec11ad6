"""Locust users for the load test (bench/load/__main__.py starts gunicorn and runs them).

BENCH_LOAD_SESSIONS names a JSON file written by the runner: for each kind of user, signed-in
sessions (the cookies a browser sends back: session and CSRF) and the pages each may browse. No think time: the figures are the
server's throughput. FloorUser requests only the bare view (bench/floor.py), the floor.

MixUser draws, for each request, who asks (a coordinator three times in five, a read-only user
once, the ARS delegation once), one of their sessions and one of their pages. Each connection
thus carries the same mix: with a class per kind of user, gunicorn's workers took the
connections in the order locust opened them, kind after kind, and the last kind (the ARS
delegation) got a worker to itself; its pages answered faster, so it asked more of them, and the
mix measured was no longer the mix intended (35 % of ARS pages instead of 20 %).
"""

from __future__ import annotations

import json
import os
import random

from locust import HttpUser, constant, task

with open(os.environ["BENCH_LOAD_SESSIONS"], encoding="utf-8") as handle:
    PLAN = json.load(handle)

KINDS, WEIGHTS = ("coordinators", "viewers", "ars"), (3, 1, 1)


class Browsing(HttpUser):
    abstract = True
    wait_time = constant(0)

    def ask(self, session: dict) -> None:
        label, url = random.choice(session["pages"])
        # The cookies of this session only (the jar would keep the ones a response renewed).
        self.client.cookies.clear()
        for name, value in session["cookies"].items():
            self.client.cookies.set(name, value)
        with self.client.get(url, name=label, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")


class MixUser(Browsing):
    @task
    def browse(self) -> None:
        (kind,) = random.choices(KINDS, weights=WEIGHTS)
        self.ask(random.choice(PLAN[kind]))


class FloorUser(Browsing):
    @task
    def browse(self) -> None:
        self.ask(random.choice(PLAN["floor"]))
