"""`convenant serve`: check the configuration, then run the application with uvicorn."""

from __future__ import annotations

from pathlib import Path

import click

from convenant import words
from convenant.register.store import default_location, shown_location
from convenant.web.config import WebConfig, checked, read_token


def run(host: str, port: int, token_file: Path | None, register: str | None, lang: str) -> None:
    import uvicorn

    from convenant.web.app import create_app

    config = checked(
        WebConfig(host=host, port=port, token=read_token(token_file), register=register, lang=lang)
    )
    app = create_app(config)
    shown = f"[{host}]" if ":" in host else host
    click.echo(words.say("cli.serve.listening", lang, url=f"http://{shown}:{port}/"), err=True)
    place = shown_location(register or default_location())
    click.echo(words.say("cli.serve.register", lang, place=place), err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
