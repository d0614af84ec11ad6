"""Fixtures for the real services: PostgreSQL, Redis and a Celery worker in its own process.

Tests that need them are marked `@pytest.mark.services`. Such a test is skipped, with the reason,
unless `DATABASE_URL` points at a PostgreSQL server and `CELERY_BROKER_URL` at a Redis server and
both answer; with `TRAME_REQUIRE_SERVICES=1` (set in CI) it fails instead, so that a missing
service can never turn the suite green by skipping.

A test that uses `celery_worker_process` must be marked `@pytest.mark.django_db(transaction=True)`:
the worker is another process and only sees committed rows (the fixture asks for
`transactional_db` anyway, so a plain `django_db` mark still gets a transactional test). The worker
uses the pytest-django test database and a task queue of its own; its log goes to a file that is
attached to the report of a failed test.

A test module changes the worker by overriding the `celery_worker_options` fixture: extra
environment (`env`, e.g. the EMAIL_HOST/EMAIL_PORT of an SMTP server the test started) and the
number of pool processes (`concurrency`). The worker shares the test's MEDIA_ROOT. A test may
`kill()` it (SIGKILL to its process group, as a crash would) and `restart()` it on the same queue.

For the tests of faults:

- `celery_beat_process`: Celery beat beside the worker, with its environment, sending the
  periodic tasks (the outbox's sweep every OUTBOX_SWEEP_SECONDS) to the worker's queue;
- `redis_server`: a redis-server of the test's own on a free port, that the test may `restart()`
  (never the machine's Redis, which other test runs share); the worker, beat and this process
  use it when the test asks for it before the worker;
- `TcpProxy`: a port that forwards to another (PostgreSQL), which the test may `cut()` (every
  connection dropped, new ones refused, as a restarting server does) and `restore()`;
  `database_url_for_test_db(port=...)` gives the worker a database address through it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/trame \
    CELERY_BROKER_URL=redis://127.0.0.1:6379/15 TRAME_REQUIRE_SERVICES=1 \
    .venv/bin/python -m pytest -m services --create-db
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pytest
from django.conf import settings

START_TIMEOUT = 30.0  # seconds for a new worker to answer a ping
STOP_TIMEOUT = 15.0  # seconds for a warm shutdown before SIGKILL
CHECK_TIMEOUT = 3.0  # seconds for PostgreSQL or Redis to answer the pre-flight check
POSTGRES_ENGINES = {"django.db.backends.postgresql", "django.contrib.gis.db.backends.postgis"}
REDIS_SCHEMES = {"redis", "rediss"}

_check_result: list[str | None] = []  # memo of _services_problem(): one check per session


def _services_required() -> bool:
    return os.environ.get("TRAME_REQUIRE_SERVICES", "").strip().lower() in {"1", "true", "yes"}


def _postgres_problem() -> str | None:
    db = settings.DATABASES["default"]
    if db["ENGINE"] not in POSTGRES_ENGINES:
        return f"DATABASE_URL ne désigne pas PostgreSQL (moteur {db['ENGINE']})"
    import psycopg

    params = {
        "host": db.get("HOST") or None,
        "port": str(db["PORT"]) if db.get("PORT") else None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "connect_timeout": int(CHECK_TIMEOUT),
    }
    errors = []
    # The configured database may not exist yet: Django creates the test database from the
    # server's maintenance database, so that one answering is enough.
    for dbname in dict.fromkeys([db["NAME"], "postgres"]):
        try:
            with psycopg.connect(dbname=dbname, **params) as conn:
                conn.execute("SELECT 1")
            return None
        except Exception as exc:
            errors.append(f"{dbname}: {exc.__class__.__name__}: {str(exc).strip()}")
    return "PostgreSQL ne répond pas (" + "; ".join(errors) + ")"


def _redis_problem() -> str | None:
    url = settings.CELERY_BROKER_URL
    if not url:
        return "CELERY_BROKER_URL n'est pas défini (les tâches s'exécutent dans le processus)"
    if urlsplit(url).scheme not in REDIS_SCHEMES:
        return f"CELERY_BROKER_URL ne désigne pas Redis ({urlsplit(url).scheme}://)"
    import redis

    client = redis.Redis.from_url(
        url, socket_connect_timeout=CHECK_TIMEOUT, socket_timeout=CHECK_TIMEOUT
    )
    try:
        client.ping()
    except Exception as exc:
        return f"Redis ne répond pas à {url}: {exc.__class__.__name__}: {exc}"
    finally:
        client.close()
    return None


def _services_problem() -> str | None:
    """Why the real services cannot be used, or None. Checked once per session."""
    if not _check_result:
        problems = [p for p in (_postgres_problem(), _redis_problem()) if p]
        _check_result.append("; ".join(problems) or None)
    return _check_result[0]


def _skip_or_fail_without_services() -> None:
    problem = _services_problem()
    if problem is None:
        return
    if _services_required():
        pytest.fail(f"services requis (TRAME_REQUIRE_SERVICES=1) mais indisponibles: {problem}")
    # Reported at the test's own line, as a skip marker would be.
    raise pytest.skip.Exception(f"services réels indisponibles: {problem}", _use_item_location=True)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # Before any fixture: a marked test must not reach pytest-django's database set-up (or a
    # worker) when the services are missing; it is skipped, or fails in CI.
    if item.get_closest_marker("services") is not None:
        _skip_or_fail_without_services()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    report = yield
    funcargs = getattr(item, "funcargs", {})
    worker = funcargs.get("celery_worker_process")
    if report.failed and isinstance(worker, CeleryWorker):
        report.sections.append((f"celery worker log ({worker.log_path})", worker.log_text()))
    beat = funcargs.get("celery_beat_process")
    if report.failed and isinstance(beat, CeleryBeat):
        report.sections.append((f"celery beat log ({beat.log_path})", beat.log_text()))
    return report


@pytest.fixture
def require_services(request: pytest.FixtureRequest) -> None:
    """Skips (fails under TRAME_REQUIRE_SERVICES=1) unless PostgreSQL and Redis answer."""
    _skip_or_fail_without_services()


def _database_url_for_test_db() -> str:
    """A DATABASE_URL for the database the tests use now (pytest-django's test database)."""
    return database_url_for_test_db()


def database_url_for_test_db(*, host: str | None = None, port: int | None = None) -> str:
    """A DATABASE_URL for the test database, optionally through another host and port (a
    `TcpProxy` in front of PostgreSQL)."""
    db = settings.DATABASES["default"]
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = host or db.get("HOST") or ""
    host = quote(host, safe="") if host.startswith("/") else host  # a Unix socket directory
    port = port or db.get("PORT")
    port = f":{port}" if port else ""
    options = {k: v for k, v in (db.get("OPTIONS") or {}).items() if isinstance(v, str | int)}
    query = f"?{urlencode(options)}" if options else ""
    return f"postgres://{credentials}{host}{port}/{quote(db['NAME'], safe='')}{query}"


def _celery_command() -> list[str]:
    script = Path(sys.executable).with_name("celery")
    return [str(script)] if script.exists() else [sys.executable, "-m", "celery"]


@dataclass
class CeleryWorker:
    """A running `celery worker` process, as the tests see it."""

    process: subprocess.Popen
    name: str  # node name as it answers pings, e.g. test-1a2b...@host
    queue: str  # the only queue it consumes; the test process routes tasks there
    log_path: Path
    database_url: str
    _stopped: bool = field(default=False, repr=False)
    # How it was started, so that it can be started again after a kill.
    command: list[str] = field(default_factory=list, repr=False)
    env: dict[str, str] = field(default_factory=dict, repr=False)
    concurrency: int = 1
    kills: int = 0  # how many times kill() took it down

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError as exc:
            return f"(journal illisible: {exc})"

    def wait_for_log(self, text: str, timeout: float = 20.0) -> str:
        """Waits until the worker's log contains `text`; returns the log."""
        return wait_until(
            lambda: text in (log := self.log_text()) and log,
            timeout=timeout,
            message=lambda: f"{text!r} absent du journal du worker:\n{self.log_text()}",
        )

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # warm shutdown
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                # The worker runs in its own process group: this takes its pool children too.
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=STOP_TIMEOUT)

    def kill(self) -> None:
        """SIGKILL the worker and its pool children at once, as a crash or the OOM killer would:
        no warm shutdown, nothing acknowledged or given back to the broker."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=STOP_TIMEOUT)
        self.kills += 1
        self._stopped = True

    def start(self) -> CeleryWorker:
        """Starts the process (again, after stop() or kill()) and waits until it answers a ping."""
        from cls_platform.celery import app

        if self.process is not None and self.process.poll() is None:
            raise RuntimeError("le worker tourne déjà")
        with self.log_path.open("ab") as log:
            if self.process is not None:
                log.write(b"\n----- worker restarted by the test -----\n")
                log.flush()
            self.process = subprocess.Popen(
                self.command,
                cwd=settings.BASE_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, for a SIGKILL of last resort
            )
        self._stopped = False
        process = self.process
        prefix = f"test-{self.queue.removeprefix('trame-test-')}@"
        with app.connection_for_read() as connection:
            lost = (*connection.connection_errors, OSError)

        def answering() -> str | None:
            if process.poll() is not None:
                pytest.fail(
                    f"le worker s'est arrêté (code {process.returncode}) avant de répondre:\n"
                    f"{self.log_text()}"
                )
            try:
                replies = app.control.ping(timeout=0.5) or []
            except lost:  # a pooled connection to a broker that restarted: asked again
                return None
            return next((n for r in replies for n in r if n.startswith(prefix)), None)

        self.name = wait_until(
            answering,
            timeout=START_TIMEOUT,
            interval=0.3,
            message=lambda: f"le worker {prefix}… ne répond pas au ping:\n{self.log_text()}",
        )
        return self

    def restart(self) -> CeleryWorker:
        """After kill() (or stop()): a new process on the same queue, database and settings."""
        if self.process.poll() is None:
            self.stop()
        return self.start()

    @contextlib.contextmanager
    def supervised(self, interval: float = 0.2) -> Iterator[list[int]]:
        """Starts the worker again whenever it exits by itself, as docker-compose does
        (`restart: unless-stopped`); yields the exit codes of the processes it replaced.

        A worker may die on a broker's restart (kombu 5.7 / Celery 5.7, restoring unacknowledged
        messages: "Unrecoverable error: AttributeError('NoneType' object has no attribute
        'hostname')"). In production its container is started again and the outbox's rows,
        which live in PostgreSQL, are swept to the new one; a test of that promise supervises
        its worker the same way instead of waiting on a process nobody restarts."""
        exits: list[int] = []
        failures: list[BaseException] = []
        done = threading.Event()

        def watch() -> None:
            while not done.wait(interval):
                code = self.process.poll()
                if code is not None and not self._stopped:
                    exits.append(code)
                    try:
                        self.start()
                    except BaseException as exc:  # pytest.fail's too: raised in the test below
                        failures.append(exc)
                        return

        watcher = threading.Thread(target=watch, name="worker-supervisor", daemon=True)
        watcher.start()
        try:
            yield exits
        finally:
            done.set()
            watcher.join(timeout=START_TIMEOUT + 5)
        if failures:
            raise failures[0]


def wait_until(
    predicate: Callable[[], object],
    *,
    timeout: float,
    interval: float = 0.2,
    message: str | Callable[[], str] = "condition non remplie",
) -> object:
    """Polls `predicate` until it returns something truthy (returned), or fails after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            pytest.fail(f"après {timeout:.0f} s: {message() if callable(message) else message}")
        time.sleep(interval)


def _delete_queue(app, queue: str) -> None:
    """Purges the queue and removes it (and its binding) from the broker."""
    from kombu import Exchange, Queue

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=2)
        channel = conn.default_channel
        bound = Queue(queue, Exchange(queue, "direct"), routing_key=queue)(channel)
        # Declared first: kombu's Redis transport deletes only the bindings this channel knows.
        bound.declare()
        bound.purge()
        bound.delete()


def _forget_unacked(app, queue: str) -> None:
    """Drops the broker's record of messages a killed worker had taken from `queue` and never
    acknowledged: Redis would give them back to that (deleted) queue an hour later."""
    import json

    import redis

    client = redis.Redis.from_url(app.conf.broker_url)
    try:
        for tag, raw in client.hgetall("unacked").items():
            try:
                _payload, _exchange, routing_key = json.loads(raw)
            except (ValueError, TypeError):
                continue
            if routing_key == queue:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)
    finally:
        client.close()


WORKER_OPTIONS = {"env", "concurrency"}


@pytest.fixture
def celery_worker_options() -> dict[str, object]:
    """Options of `celery_worker_process`; a test module overrides this fixture to change them:

    - `env`: extra environment of the worker (e.g. `EMAIL_HOST`/`EMAIL_PORT` of an SMTP server
      started by the test, `OUTBOX_LEASE_SECONDS`); settings read it at import;
    - `concurrency`: prefork children (1 by default).
    """
    return {}


@pytest.fixture
def celery_worker_process(
    request: pytest.FixtureRequest,
    require_services: None,
    django_db_setup: None,
    transactional_db: None,
    tmp_path_factory: pytest.TempPathFactory,
    celery_worker_options: dict[str, object],
) -> Iterator[CeleryWorker]:
    """A real `celery worker` (prefork, one child unless `celery_worker_options` says otherwise)
    on the test database, the test's MEDIA_ROOT and a queue of its own.

    While it runs, tasks sent from the test process (`.delay()`) go to its queue. The test may
    `kill()` it (SIGKILL) and `restart()` it on the same queue.
    """
    from cls_platform.celery import app

    if request.node.get_closest_marker("services") is None:
        pytest.fail("celery_worker_process est réservé aux tests marqués @pytest.mark.services")
    options = dict(celery_worker_options or {})
    if unknown := set(options) - WORKER_OPTIONS:
        pytest.fail(f"options inconnues pour celery_worker_process : {sorted(unknown)}")
    concurrency = int(options.get("concurrency", 1))

    token = uuid.uuid4().hex[:12]
    queue = f"trame-test-{token}"
    log_path = tmp_path_factory.mktemp("celery-worker") / f"worker-{token}.log"
    database_url = _database_url_for_test_db()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "DJANGO_SETTINGS_MODULE": "cls_platform.settings",
        # What the worker sends (a retry, the sweep's hand-overs) goes to its own queue too.
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "PYTHONUNBUFFERED": "1",
        # The files the test process writes (a compte-rendu's PDF...) are the worker's too.
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **{k: str(v) for k, v in dict(options.get("env") or {}).items()},
    }
    command = [
        *_celery_command(),
        "-A",
        "cls_platform",
        "worker",
        f"--concurrency={concurrency}",
        "--pool=prefork",
        "--loglevel=INFO",
        "-n",
        f"test-{token}@%h",
        "--without-gossip",
        "--without-mingle",
        f"--queues={queue}",
    ]
    _delete_queue(app, queue)  # nothing left from an earlier run
    previous_queue = app.conf.task_default_queue
    worker = CeleryWorker(
        None,  # type: ignore[arg-type]  # started just below
        "",
        queue,
        log_path,
        database_url,
        command=command,
        env=env,
        concurrency=concurrency,
    )
    try:
        worker.start()
        app.conf.task_default_queue = queue
        yield worker
    finally:
        app.conf.task_default_queue = previous_queue
        if worker.process is not None:
            worker.stop()
        _delete_queue(app, queue)
        if worker.kills:
            _forget_unacked(app, queue)


# --- beat, a Redis of the test's own, a cuttable path to PostgreSQL ---------------------------


@dataclass
class CeleryBeat:
    """A running `celery beat` process, sending the periodic tasks to the worker's queue."""

    process: subprocess.Popen
    log_path: Path

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError as exc:
            return f"(journal illisible: {exc})"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=STOP_TIMEOUT)


@pytest.fixture
def celery_beat_process(
    celery_worker_process: CeleryWorker, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CeleryBeat]:
    """Celery beat with the worker's environment (database, broker, queue, OUTBOX_* settings):
    the schedule of settings.CELERY_BEAT_SCHEDULE, each task sent to the worker's queue."""
    folder = tmp_path_factory.mktemp("celery-beat")
    log_path = folder / "beat.log"
    command = [
        *_celery_command(),
        "-A",
        "cls_platform",
        "beat",
        "--loglevel=INFO",
        f"--schedule={folder / 'schedule'}",
        f"--pidfile={folder / 'beat.pid'}",
    ]
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=celery_worker_process.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    beat = CeleryBeat(process, log_path)
    # Not waited for: its first sweep comes OUTBOX_SWEEP_SECONDS after it starts anyway, and the
    # test has a meeting to prepare meanwhile. Its log goes with a failed test's report.
    try:
        yield beat
        if process.poll() is not None:
            pytest.fail(f"beat s'est arrêté (code {process.returncode}):\n{beat.log_text()}")
    finally:
        beat.stop()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RedisServer:
    """A redis-server of the test's own, on 127.0.0.1 and a free port, keeping nothing on disk:
    a restart loses whatever it held, as a crashed Redis without persistence does."""

    folder: Path
    port: int = 0
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def answers(self) -> bool:
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server")
        if binary is None:
            problem = "redis-server est introuvable (paquet Debian redis-server)"
            if _services_required():
                pytest.fail(problem)
            pytest.skip(problem)
        self.port = self.port or _free_port()
        with (self.folder / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(
                [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", str(self.folder)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        wait_until(self.answers, timeout=START_TIMEOUT, message="redis-server ne répond pas")
        return self

    def kill(self) -> None:
        """SIGKILL, as a crash would: the queues it held are gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT)

    def restart(self, *, down_for: float = 0.0) -> float:
        """Kills it, waits `down_for` seconds, starts it again on the same port; returns the
        time.monotonic() at which it answered again."""
        self.kill()
        time.sleep(down_for)
        self.start()
        return time.monotonic()


BROKER_URL_KEYS = ("broker_url", "broker_write_url", "broker_read_url")


def use_broker(app, url: str) -> None:
    """Points this process's Celery app at `url`, dropping the connections made for the former
    broker (what Celery does after a fork)."""
    app.conf.update(dict.fromkeys(BROKER_URL_KEYS, url))
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture
def redis_server(
    require_services: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RedisServer]:
    """A Redis of the test's own, used as the broker by this process (and by a worker or beat
    started after it, when `celery_worker_options` passes them `CELERY_BROKER_URL=.url`)."""
    from cls_platform.celery import app

    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    saved = {key: app.conf[key] for key in BROKER_URL_KEYS}
    use_broker(app, server.url)
    try:
        yield server
    finally:
        app.conf.update(saved)
        use_broker(app, saved["broker_url"])
        server.kill()


class TcpProxy:
    """127.0.0.1:`port` forwarded to `target`, in threads of the test process.

    `cut()` drops every connection and refuses new ones, as a server that restarts does;
    `restore()` accepts again on the same port."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = _free_port()
        self._lock = threading.Lock()
        self._sockets: set = set()
        self._listener = None
        self.connections = 0  # accepted so far

    def start(self) -> TcpProxy:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        with self._lock:
            self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def _accept(self, listener) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return  # closed by cut() or stop()
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                if self._listener is not listener:  # cut meanwhile
                    client.close()
                    upstream.close()
                    continue
                self._sockets.update((client, upstream))
                self.connections += 1
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source, sink) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            self._drop(source, sink)

    def _drop(self, *sockets) -> None:
        for sock in sockets:
            with self._lock:
                self._sockets.discard(sock)
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def cut(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._sockets = set(self._sockets), set()
        if listener is not None:
            listener.close()
        self._drop(*sockets)

    def restore(self) -> float:
        """Accepts again; returns the time.monotonic() from which it does."""
        self.start()
        return time.monotonic()

    stop = cut
