"""The load test: gunicorn as production runs it, on loopback with the scale data, locust headless.

    DATABASE_URL=postgres://... .venv/bin/python -m bench.load [seconds]

BENCH_TERRITORIES territories (10 by default, seeded if missing, as `make bench` does),
BENCH_LOAD_USERS connections (20), BENCH_LOAD_SECONDS per measure (60). Gunicorn reads the
production's settings (gunicorn.conf.py: workers of 4 threads, one access-log line per request,
written here to the run's log) with WEB_CONCURRENCY workers, 3 as in the image; GUNICORN_CMD_ARGS
tries another configuration. Two measures of the same length: the mix of main pages
(coordinators of up to ten territories, three requests in five; read-only users, one in five; the
ARS table of every territory and its chooser, one in five, drawn for each request on every
connection: locustfile.py), and the bare view alone, the floor. They take turns
in BENCH_LOAD_ROUNDS rounds (3) of a third of the time each, so that both see the same load of a
shared machine. Locust runs on the same machine and takes its share of the processors. Prints
requests per second, the 95th percentile and the errors of each, round by round and in all, and
their ratio (target: the mix at least a third of the floor's throughput, with no error).
"""

from __future__ import annotations

import csv
import json
import logging
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings
from pathlib import Path

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ["DJANGO_DEBUG"] = "0"  # as in production: no query log, no debug pages
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(40))  # shared with gunicorn
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")  # plain HTTP on loopback

import django

warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic
django.setup()

from django.conf import settings  # noqa: E402

from bench import scale  # noqa: E402
from bench.floor import URL as FLOOR_URL  # noqa: E402

BIN = Path(sys.executable).parent
BASE_DIR = Path(__file__).resolve().parents[2]
# The image's default (Dockerfile, ENV WEB_CONCURRENCY).
os.environ.setdefault("WEB_CONCURRENCY", "3")


def plan(territories: int) -> dict:
    """Signed-in sessions and their pages, written for the locust processes."""
    from cls_platform.models import Access, Role, Territory, User

    for name in ("django.request", "axes"):  # the viewer's refused pages, the sign-ins
        logging.getLogger(name).setLevel(logging.ERROR)
    scale.prepare(territories, quick=False)
    sessions: dict = {"coordinators": []}
    sessions["viewers"], sessions["floor"] = [], []
    slugs = Territory.objects.filter(slug__startswith="echelle-").order_by("slug")
    for territory in slugs[:10]:
        for role, kind in ((Role.COORDINATOR, "coordinators"), (Role.VIEWER, "viewers")):
            email = f"banc-charge-{role}@{territory.slug}.bench"
            user = User.objects.filter(email=email).first() or User.objects.create_user(email)
            Access.objects.get_or_create(user=user, territory=territory, defaults={"role": role})
            client = scale.signed_in(user, HTTP_HOST="127.0.0.1")
            suffix = " (lecture)" if kind == "viewers" else ""
            pages = [
                (label + suffix, url)
                for label, url in scale.pages(territory.slug)
                if client.get(url).status_code == 200  # the viewer's pages only
            ]
            assert pages, f"aucune page servie à {email}"
            sessions[kind].append({"cookies": cookies(client), "pages": pages})
            sessions["floor"].append(
                {"cookies": cookies(client), "pages": [("vue nue", FLOOR_URL)]}
            )
    ars = scale.signed_in(User.objects.get(email="banc-ars@bench.invalid"), HTTP_HOST="127.0.0.1")
    pages = [("tableau ARS /contrats/", "/contrats/"), ("accueil ARS", "/")]
    assert all(ars.get(url).status_code == 200 for _label, url in pages)
    sessions["ars"] = [{"cookies": cookies(ars), "pages": pages}]
    return sessions


def cookies(client) -> dict[str, str]:
    """What a browser sends back after its first pages: the session and the CSRF cookie
    (the sign-out form of every page carries a token; without the cookie each page would make
    a new secret and set the cookie again, which a browser's later pages do not)."""
    names = (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)
    return {name: client.cookies[name].value for name in names if name in client.cookies}


def serve(port: int, log: Path) -> subprocess.Popen:
    # Production's command (Dockerfile), run from the project's folder: gunicorn.conf.py.
    command = [
        str(BIN / "gunicorn"),
        f"--config={BASE_DIR / 'gunicorn.conf.py'}",
        "cls_platform.wsgi",
        f"--bind=127.0.0.1:{port}",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=os.environ.copy(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return process
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("gunicorn ne répond pas :\n" + log.read_text(errors="replace")[-3000:])


def swarm(port: int, users: list[str], seconds: int, workdir: Path, name: str) -> dict:
    prefix = workdir / name
    subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(Path(__file__).with_name("locustfile.py")),
            "--headless",
            "--only-summary",
            "--loglevel=WARNING",
            f"--users={os.environ.get('BENCH_LOAD_USERS', '20')}",
            f"--spawn-rate={os.environ.get('BENCH_LOAD_USERS', '20')}",
            f"--run-time={seconds}s",
            f"--host=http://127.0.0.1:{port}",
            f"--csv={prefix}",
            *users,
        ],
        env={**os.environ, "BENCH_LOAD_SESSIONS": str(workdir / "sessions.json")},
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=(workdir / f"{name}.log").open("wb"),
    )
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    return {
        "rps": float(total["Requests/s"]),
        "p95": float(total["95%"]),
        "requests": int(total["Request Count"]),
        "errors": int(total["Failure Count"]),
        "pages": [r for r in rows if r["Name"] != "Aggregated"],
    }


def combined(runs: list[dict]) -> dict:
    """The rounds of one measure as one: requests over the time they took, the slowest p95."""
    requests = sum(run["requests"] for run in runs)
    spent = sum(run["requests"] / run["rps"] for run in runs if run["rps"])
    pages: dict[str, dict] = {}
    for run in runs:
        for row in run["pages"]:
            page = pages.setdefault(row["Name"], {"medians": [], "p95": [], "requests": 0})
            page["medians"].append(float(row["Median Response Time"]))
            page["p95"].append(float(row["95%"]))
            page["requests"] += int(row["Request Count"])
    return {
        "rps": requests / spent if spent else 0.0,
        "p95": max(run["p95"] for run in runs),
        "requests": requests,
        "errors": sum(run["errors"] for run in runs),
        "pages": pages,
    }


def main() -> None:
    territories = int(os.environ.get("BENCH_TERRITORIES") or 10)
    seconds = int(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("BENCH_LOAD_SECONDS", 60))
    rounds = max(1, int(os.environ.get("BENCH_LOAD_ROUNDS", "3")))
    users = os.environ.get("BENCH_LOAD_USERS", "20")
    workdir = Path(tempfile.mkdtemp(prefix="trame-bench-charge-"))
    (workdir / "sessions.json").write_text(json.dumps(plan(territories)))
    from django.db import connections

    connections.close_all()
    port = int(os.environ.get("BENCH_LOAD_PORT", "8765"))
    server = serve(port, workdir / "gunicorn.log")
    mixes: list[dict] = []
    floors: list[dict] = []
    warmup = int(os.environ.get("BENCH_LOAD_WARMUP", "10"))
    try:
        if warmup > 0:  # steady state before measuring: see the docstring
            swarm(port, ["MixUser"], warmup, workdir, "echauffement-melange")
            swarm(port, ["FloorUser"], warmup, workdir, "echauffement-plancher")
        for number in range(1, rounds + 1):
            length = max(5, seconds // rounds)
            mix_users = ["MixUser"]
            mixes.append(swarm(port, mix_users, length, workdir, f"melange-{number}"))
            floors.append(swarm(port, ["FloorUser"], length, workdir, f"plancher-{number}"))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    mix, floor = combined(mixes), combined(floors)
    ratio = mix["rps"] / floor["rps"] if floor["rps"] else 0.0
    met = ratio >= 1 / 3 and mix["errors"] == 0
    load = os.getloadavg()[0]
    other = os.environ.get("GUNICORN_CMD_ARGS", "")
    print(
        f"Charge : gunicorn {os.environ['WEB_CONCURRENCY']} workers (gunicorn.conf.py"
        f"{', ' + other if other else ''}) sur 127.0.0.1, {users} connexions sans pause, "
        f"{seconds} s par mesure en {rounds} tours alternés après {warmup} s d'échauffement "
        f"de chacune (non compté), {territories} territoires, "
        f"{os.cpu_count()} cœurs, charge de la machine {load:.1f} à la fin"
    )
    print(f"{'mesure':34} {'req/s':>7} {'p95':>8} {'requêtes':>9} {'erreurs':>8}")
    lines = [(f"mélange de pages, tour {n}", run) for n, run in enumerate(mixes, 1)]
    lines += [(f"plancher : vue nue, tour {n}", run) for n, run in enumerate(floors, 1)]
    if rounds > 1:
        lines += [("mélange de pages", mix), ("plancher : vue nue", floor)]
    for label, figures in lines:
        print(
            f"{label:34} {figures['rps']:7.1f} {figures['p95']:6.0f} ms {figures['requests']:9d} "
            f"{figures['errors']:8d}"
        )
    by_round = " ; ".join(
        f"{m['rps'] / f['rps']:.2f}" for m, f in zip(mixes, floors, strict=True) if f["rps"]
    ).replace(".", ",")
    print(
        f"rapport de débit (mélange / vue nue) : {ratio:.2f}".replace(".", ",")
        + f" (par tour : {by_round}) · cible ≥ 0,33 sans erreur · "
        f"atteinte : {'oui' if met else 'non'}"
    )
    print("détail du mélange (médiane des tours, p95 le plus lent, requêtes) :")
    for name, page in sorted(mix["pages"].items()):
        print(
            f"  {name:32} {statistics.median(page['medians']):6.0f} ms "
            f"{max(page['p95']):6.0f} ms {page['requests']:7d}"
        )
    print(f"journaux : {workdir}")


if __name__ == "__main__":
    main()
