"""A file cache that can hold many entries: the parts of printed contracts.

Django's FileBasedCache lists its whole folder at every write to decide whether to cull: at the
tens of thousands of parts an instance of many territories keeps, that listing costs more than
the write. This one culls (the same way) once every CULL_EVERY writes of a process.
"""

from __future__ import annotations

from django.core.cache.backends.filebased import FileBasedCache


class PartsCache(FileBasedCache):
    CULL_EVERY = 200

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._writes = 0

    def _cull(self) -> None:
        self._writes += 1
        if self._writes % self.CULL_EVERY == 0:
            super()._cull()
