"""MkDocs hooks (mkdocs.yml ``hooks:``): publish the examples the guides link to.

The guides link to the runnable examples as repository files
(``[examples/worker.py](../examples/worker.py)`` from ``docs/worker.md``), which
is right on GitHub but outside ``docs/`` for MkDocs. These hooks copy
``examples/*.py`` into the site and point such links at the copies, so the
links work in the built site and ``--strict`` still fails on any other broken
link.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = ("examples",)  # repository folders copied into the site as they are
LINK = re.compile(r"\]\((?P<url>(?:\.\./)+[^)\s#]+)(?P<rest>[^)]*)\)")


def on_files(files: Files, config: Any) -> Files:
    """Add the published repository files to the site."""
    for folder in PUBLISHED:
        for path in sorted((ROOT / folder).glob("*.py")):
            uri = f"{folder}/{path.name}"
            files.append(File.generated(config, uri, abs_src_path=str(path)))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """Point links to published repository files at their copies in the site."""
    page_dir = posixpath.dirname(page.file.src_uri)
    docs = Path(config["docs_dir"]).resolve().relative_to(ROOT).as_posix()

    def rewrite(match: re.Match[str]) -> str:
        # Where the link points in the repository, seen from the page's source file.
        target = posixpath.normpath(posixpath.join(docs, page_dir, match["url"]))
        if target.split("/")[0] not in PUBLISHED or files.get_file_from_path(target) is None:
            return match.group(0)  # left alone: MkDocs reports it if it is broken
        return f"]({posixpath.relpath(target, page_dir or '.')}{match['rest']})"

    return LINK.sub(rewrite, markdown)
