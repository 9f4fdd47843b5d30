"""Indonesian by default, English on request: the choice lives in the session."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, session
from flask_babel import Babel

LANGUAGES = ("id", "en")
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def current_lang() -> str:
    lang = session.get("lang")
    return lang if lang in LANGUAGES else "id"


def init_babel(app: Flask) -> Babel:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "id")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    return Babel(app, locale_selector=current_lang)


__all__ = ["LANGUAGES", "current_lang", "init_babel", "TRANSLATIONS", "compile_catalogs"]


def compile_catalogs(directory: Path = TRANSLATIONS) -> list[Path]:
    """Compile every `messages.po` whose `.mo` is missing or older (what `pybabel compile` does)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(Path(directory).glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source)
        with mo.open("wb") as target:
            write_mo(target, catalog)
        written.append(mo)
    return written
