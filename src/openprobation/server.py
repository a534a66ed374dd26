"""Running the WSGI application under gunicorn from the ``openprobation serve`` command."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from openprobation.wsgi import application  # noqa: PLC0415 (each gunicorn worker loads the app itself)

        return application


def run_gunicorn(*, host: str, port: int, workers: int, threads: int) -> None:
    _Server(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "accesslog": "-",
            "errorlog": "-",
            "timeout": 120,
        }
    ).run()
