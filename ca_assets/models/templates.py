"""Prompt templates from prompts/templates/<name>.v<version>.<lang>.txt, with a content hash for lineage."""

import hashlib
from dataclasses import dataclass
from functools import cache

from ca_assets.core.paths import PROMPTS_DIR, project_file


@dataclass(frozen=True)
class Template:
    name: str
    version: int
    lang: str
    text: str

    @property
    def sha(self) -> str:
        """Hash of the exact wording: two runs with the same sha sent the same instructions."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:12]

    def render(self, **values: object) -> str:
        """Fill `{name}` placeholders. Not str.format: templates hold literal JSON braces."""
        text = self.text
        for key, value in values.items():
            placeholder = "{" + key + "}"
            if placeholder not in text:
                raise KeyError(f"template {self.name}.v{self.version}.{self.lang} has no {placeholder}")
            text = text.replace(placeholder, str(value))
        return text.strip()


def template_file(name: str, version: int, lang: str) -> str:
    return f"templates/{name}.v{version}.{lang}.txt"


def has_template(name: str, version: int, lang: str) -> bool:
    return PROMPTS_DIR.joinpath(*template_file(name, version, lang).split("/")).is_file()


@cache
def load_template(name: str, version: int, lang: str) -> Template:
    path = project_file(PROMPTS_DIR, template_file(name, version, lang))
    return Template(name=name, version=version, lang=lang, text=path.read_text(encoding="utf-8"))


def template_or_english(name: str, version: int, lang: str) -> Template:
    """The language's own wording, else the English one: for instructions that ask for answers in the language of
    the user's message (the samplers'), English instructions serve a language the project has no wording for."""
    return load_template(name, version, lang if has_template(name, version, lang) else "en")
