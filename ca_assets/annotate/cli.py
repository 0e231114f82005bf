"""`ca-assets annotate ...`: start the app, create a study, export, revoke or re-issue a link.

    ca-assets annotate serve [--host 127.0.0.1] [--port 8080] [--config RUN_CONFIG] [--example]
    ca-assets annotate new-study RECRUITMENT.csv --name NAME [--annotators-per-set 10] [--max-turns 4]
                                [--completion-code CODE] [--redirect-url URL] [--base-url URL]
                                [--written-share 0.31] [--conversations-per-annotator 3] [--panel-param PROLIFIC_PID]
    ca-assets annotate export              write new openings to <data>/openings/ and the completed choices the
                                           pipeline can take to <data>/inbox/
    ca-assets annotate revoke ANNOTATOR_ID | reissue ANNOTATOR_ID
"""

import argparse
import csv
import sys
from pathlib import Path
from urllib.parse import urlsplit

from ca_assets.annotate.export import export
from ca_assets.annotate.store import Store
from ca_assets.annotate.study import WRITTEN_SHARE, create_study, read_recruitment, reissue_link, revoke_link
from ca_assets.annotate.tasks import TaskExport
from ca_assets.core.paths import PACKAGE

EXAMPLE_RECRUITMENT = Path(__file__).parent / "example_recruitment.csv"
DEMO_CONFIG = Path(str(PACKAGE / "cli" / "demo_config.yaml"))  # what `make demo` runs the pipeline with


def add_parser(commands) -> None:
    annotate = commands.add_parser("annotate", help="the live annotation web app (docs/annotate.md)")
    sub = annotate.add_subparsers(dest="annotate_command", required=True)
    run = sub.add_parser("serve", help="start the app")
    run.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1: put an HTTPS reverse proxy in front")
    run.add_argument("--port", type=int, default=8080)
    run.add_argument("--config", type=Path, default=DEMO_CONFIG,
                     help="the run config the pipeline runs with (its generator and sampling resources); default: the demo's")
    run.add_argument("--example", action="store_true", help="first start the bundled example study if there is no study")
    run.add_argument("--base-url", default=None, help="how annotators reach the app, for the printed links")
    run = sub.add_parser("new-study", help="create a study from a recruitment file and print one link per annotator")
    run.add_argument("recruitment", type=Path)
    run.add_argument("--name", required=True)
    run.add_argument("--annotators-per-set", type=int, default=10)
    run.add_argument("--max-turns", type=int, default=4)
    run.add_argument("--completion-code")
    run.add_argument("--redirect-url", help="where a finished annotator is sent, with ?cc=<completion code> added")
    run.add_argument("--base-url", default="http://127.0.0.1:8080")
    run.add_argument("--written-share", type=float, default=WRITTEN_SHARE,
                     help="share of conversations the annotator opens with their own message (default: the release's 0.31)")
    run.add_argument("--conversations-per-annotator", type=int, default=3,
                     help="conversations each annotator is asked for (each followed by an attention check)")
    run.add_argument("--panel-param", help="the query parameter a panel sends participant ids in (e.g. PROLIFIC_PID); "
                     "prints one panel link that maps each recruit's external_id to their annotator")
    sub.add_parser("export", help="write the completed choices the pipeline can take to <data>/inbox/")
    for name in ("revoke", "reissue"):
        run = sub.add_parser(name, help=f"{name} an annotator's link")
        run.add_argument("annotator_id")
        run.add_argument("--base-url", default="http://127.0.0.1:8080")


def _print_links(tokens: dict[str, str], base_url: str, admin: str | None = None, panel: tuple | None = None) -> None:
    if admin is not None:  # on stderr: the CSV on stdout stays the annotators' links only
        print(f"admin page (keep it to yourself): {base_url.rstrip('/')}/admin/{admin}", file=sys.stderr)
    if panel is not None:
        token, param = panel
        print(f"panel link (give it to the panel; it adds the participant id): {base_url.rstrip('/')}/p/{token}?{param}=",
              file=sys.stderr)
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["annotator_id", "link"])
    for annotator_id, token in tokens.items():
        out.writerow([annotator_id, f"{base_url.rstrip('/')}/a/{token}"])


def _checked_url(url: str | None) -> str | None:
    if url is not None and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc):
        raise SystemExit(f"--redirect-url must be an http(s) URL, got {url!r}")
    return url


def main(args: argparse.Namespace, data_dir: Path) -> int:
    store = Store(data_dir)
    command = args.annotate_command
    if command == "serve":
        from ca_assets.annotate.serve import serve

        if args.example and store.one("select 1 from studies") is None:
            made = create_study(store, "example", read_recruitment(EXAMPLE_RECRUITMENT), annotators_per_set=2)
            print("the example study's links (printed once; `reissue` makes new ones):")
            _print_links(made.tokens, args.base_url or f"http://{args.host}:{args.port}", made.admin)
        return serve(data_dir, args.host, args.port, args.config)
    if command == "new-study":
        try:
            made = create_study(
                store, args.name, read_recruitment(args.recruitment), args.annotators_per_set, args.max_turns,
                args.completion_code, _checked_url(args.redirect_url), args.written_share, args.panel_param,
                args.conversations_per_annotator,
            )  # fmt: skip
        except ValueError as error:  # RecruitmentRejected too: a message, not a traceback
            raise SystemExit(f"no study created: {error}") from None
        _print_links(made.tokens, args.base_url, made.admin, (made.panel, args.panel_param) if made.panel else None)
        return 0
    if command == "export":
        written = export(store, data_dir, TaskExport(data_dir))
        for path in written:
            print(f"wrote {path}")
        if not written:
            print("nothing to export: no new opening, and no completed choice whose task the pipeline knows yet")
        return 0
    if command == "revoke":
        revoke_link(store, args.annotator_id)
        print(f"revoked the link of {args.annotator_id}")
        return 0
    _print_links({args.annotator_id: reissue_link(store, args.annotator_id)}, args.base_url)
    return 0
