"""The broker's address and transport options, read from the environment (no Django here).

Shared by the trusted settings and the untrusted worker, which must find the same queues while
reading nothing else: CELERY_BROKER_URL, CELERY_BROKER_TRANSPORT_OPTIONS (JSON, optional) and,
for the default filesystem broker, REMIXBANK_DATA_DIR (where its folders are).
"""

import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    return Path(os.environ.get("REMIXBANK_DATA_DIR") or ROOT / "var")


def broker_url() -> str:
    return os.environ.get("CELERY_BROKER_URL") or "filesystem://"


def broker_folder() -> Path:
    """The embedded (filesystem://) broker's folder: CELERY_BROKER_FOLDER, else the data folder's."""
    return Path(os.environ.get("CELERY_BROKER_FOLDER") or data_dir() / "broker")


def filesystem_broker_options(folder: Path) -> dict[str, object]:
    """kombu's filesystem transport options for a broker kept in `folder` (created if missing)."""
    for name in ("queue", "control", "processed"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "control_folder": str(folder / "control"),
        "processed_folder": str(folder / "processed"),
        "store_processed": False,
    }


def transport_options(url: str) -> dict[str, object]:
    """kombu's transport options for `url`; CELERY_BROKER_TRANSPORT_OPTIONS (JSON) overrides them."""
    options: dict[str, object] = {}
    if url.startswith("filesystem://"):
        options = filesystem_broker_options(broker_folder())
    elif url.startswith(("redis://", "rediss://")):
        # Longer than any task's hard limit, so a running late-acked task is never redelivered.
        options = {"visibility_timeout": 3600}
    raw = os.environ.get("CELERY_BROKER_TRANSPORT_OPTIONS", "").strip()
    if raw:
        try:
            extra = json.loads(raw)
        except ValueError as exc:
            raise ValueError(f"CELERY_BROKER_TRANSPORT_OPTIONS is not JSON: {exc}") from None
        if not isinstance(extra, dict):
            raise ValueError("CELERY_BROKER_TRANSPORT_OPTIONS must be a JSON object.")
        options.update(extra)
    for key in ("data_folder_in", "data_folder_out", "control_folder", "processed_folder"):
        if key in options:
            Path(str(options[key])).mkdir(parents=True, exist_ok=True)
    return options
