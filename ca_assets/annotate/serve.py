"""Run the app: uvicorn on 127.0.0.1 by default, live generation in the same process, and the export to the inbox
every `export_every` seconds (and once at start-up, which also rewrites a file a kill left unwritten)."""

import logging
import threading
from pathlib import Path

import uvicorn

from ca_assets.annotate.app import build_app
from ca_assets.annotate.export import export
from ca_assets.annotate.live import LiveGeneration, resources_from_config
from ca_assets.annotate.store import Store
from ca_assets.annotate.tasks import TaskExport

log = logging.getLogger("ca_assets.annotate")


def _export_loop(store: Store, data_dir: Path, every: float, stop: threading.Event) -> None:
    tasks = TaskExport(data_dir)
    while True:
        try:
            written = export(store, data_dir, tasks)
            if written:
                log.info("exported %s", ", ".join(map(str, written)))
        except Exception:  # a full disk or a bad export must not stop the app; the next round tries again
            log.exception("export to the inbox failed")
        if stop.wait(every):
            return


def serve(data_dir: Path, host: str, port: int, config: Path | None, export_every: float = 60.0) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    store = Store(data_dir)
    sets = [t for t in TaskExport(data_dir).tasks().values() if t.kind == "set" and t.turn == 1]
    if not sets:
        log.warning("no first-turn sets in %s: run the pipeline first (`make demo`), or annotators have nothing to do",
                    TaskExport(data_dir).path)  # fmt: skip
    elif not any(t.prompt_id for t in sets):
        log.warning("the task export predates the live app (no prompt ids): materialize main/annotation_tasks again")
    generator, sampling = resources_from_config(config)
    live = LiveGeneration(store, data_dir, generator, sampling)
    resumed = live.resume()
    if resumed:
        log.info("resumed %d set(s) left generating by the last run", resumed)
    stop = threading.Event()
    exporter = threading.Thread(target=_export_loop, args=(store, data_dir, export_every, stop), daemon=True)
    exporter.start()
    try:
        uvicorn.run(build_app(store, data_dir, live), host=host, port=port, log_level="warning", access_log=False)
    finally:
        stop.set()
        live.close()
    return 0
