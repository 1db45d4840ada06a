"""A throwaway PostgreSQL server for tests: Debian's `postgresql` binaries, a cluster in
a temp dir, trust auth on a free loopback port. Run as the `postgres` user when the
tests run as root (initdb refuses root)."""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from service.local_server import free_port


def pg_bin() -> Path | None:
    """The folder of initdb/pg_ctl: PATH first, then Debian's versioned folders."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(versions[-1]).parent if versions else None


class PgServer:
    def __init__(self) -> None:
        binary = pg_bin()
        if binary is None:
            raise RuntimeError("PostgreSQL is not installed (Debian: apt-get install postgresql)")
        self.bin = binary
        self.root = Path(tempfile.mkdtemp(prefix="recs-pg-"))
        self.port = free_port()
        self._as = []
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        self._names = itertools.count()

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> "PgServer":
        data = self.root / "data"
        self._run(str(self.bin / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--no-sync")
        opts = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=on "
                "-c max_connections=200 -c shared_buffers=64MB")
        self._run(str(self.bin / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(self.root / "log"), "-w", "start")
        return self

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, db: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"

    def new_database(self) -> str:
        """A fresh, empty database; its URL."""
        import psycopg

        name = f"t{os.getpid()}_{next(self._names)}_{int(time.time() * 1000) % 100000}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        return self.url(name)


def admin_from_env() -> str | None:
    """A server another process started (the cluster test, a parent pytest): its URL."""
    return os.environ.get("RECS_TEST_PG_ADMIN")


class ExistingPg(PgServer):
    """A server someone else runs: only new databases are made on it."""

    def __init__(self, admin_url: str) -> None:  # noqa: super not called: nothing to start
        self._admin = admin_url
        self._names = itertools.count()

    def url(self, db: str = "postgres") -> str:
        base, _, _ = self._admin.rpartition("/")
        return f"{base}/{db}"

    def start(self) -> "ExistingPg":
        return self

    def stop(self) -> None:
        pass
