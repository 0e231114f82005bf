"""The key of the release's pseudonymous ids: from the environment, else made once per data directory and kept
readable by its owner only."""

import stat

from ca_assets.defs.release.files import release_id_key


def test_the_key_is_made_once_private_and_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.delenv("CA_RELEASE_ID_KEY", raising=False)
    first = release_id_key(tmp_path)
    path = tmp_path / "secrets" / "release_id_key"
    assert len(first) == 64 and release_id_key(tmp_path) == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    monkeypatch.setenv("CA_RELEASE_ID_KEY", "from-the-deployment")
    assert release_id_key(tmp_path) == "from-the-deployment" and path.read_text().strip() == first
