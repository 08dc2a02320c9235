"""`tabe chat` as a person uses it: a real process, quit half way, started again later."""

import os
import subprocess
import sys
from pathlib import Path

TABE = str(Path(sys.executable).parent / "tabe")


def _tabe(database_url: str, *args: str, lines: list[str] | None = None) -> str:
    environment = {**os.environ, "DATABASE_URL": database_url}
    done = subprocess.run([TABE, *args], input="".join(f"{line}\n" for line in lines or []),
                          capture_output=True, text=True, env=environment, timeout=60, check=True)
    return done.stdout


def test_quit_half_way_and_continue_in_a_new_process(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tabe.sqlite3'}"
    _tabe(url, "db", "upgrade")
    first = _tabe(url, "chat", "--as", "+6281234567890", lines=["halo", "1", "ya", "Budi Santoso"])
    assert "Pertanyaan 2 dari 13" in first
    again = _tabe(url, "chat", "--as", "+6281234567890", lines=["halo"])
    assert "Selamat datang kembali" in again and "Pertanyaan 2 dari 13" in again
    other = _tabe(url, "chat", "--as", "siti", lines=["halo"])
    assert "1. Daftarkan usaha saya" in other and "Lanjutkan" not in other


def test_choices_render_as_a_numbered_list(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tabe.sqlite3'}"
    _tabe(url, "db", "upgrade")
    out = _tabe(url, "chat", "--as", "budi", lines=["daftar"])
    assert "1. Ya, saya setuju\n2. Tidak\nBalas 1 atau 2." in out


def test_seeding_sample_owners_only_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tabe.sqlite3'}"
    _tabe(url, "db", "upgrade")
    assert "added: 20" in _tabe(url, "db", "seed", "--owners", "20", "--if-empty")
    assert "added: 0" in _tabe(url, "db", "seed", "--owners", "20", "--if-empty")
