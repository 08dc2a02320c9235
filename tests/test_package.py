"""The package as a user installs it: a wheel built from this tree, installed into a virtual environment of its own
and run from a directory where the source tree is out of reach."""

import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from server import serving

ROOT = Path(__file__).resolve().parent.parent
# What a build must not see: the tree's own virtualenv and caches, and a build's leftovers (a stale
# *.egg-info/SOURCES.txt adds files to the wheel that the package data no longer names).
LEFT_OUT = shutil.ignore_patterns(".*", "__pycache__", "build", "dist", "*.egg-info", "*.sqlite3*", "tests", "bench")
STATIC_LINK = re.compile(r'(?:href|src)="(/(?:admin/)?static/[^"]+)"')


@dataclass(frozen=True)
class Installed:
    wheel: Path
    source: Path  # the copy of the tree the wheel was built from
    bin: Path  # the virtual environment's scripts: tabe, python
    workdir: Path  # where the commands run: nothing of the source tree importable from here
    environment: dict[str, str]  # a migrated registry of its own in DATABASE_URL

    def tabe(self, *arguments: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return _run([str(self.bin / "tabe"), *arguments], self, stdin)


def _run(command: list[str], installed: Installed | None = None, stdin: str = "",
         timeout: float = 60) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=timeout,
                          cwd=installed.workdir if installed else None, env=installed.environment if installed else None)
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """Build the wheel from a clean copy of the tree and install it with its dependencies, once per test run."""
    work = tmp_path_factory.mktemp("package")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=LEFT_OUT)
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(work / "dist"),
          str(source)], timeout=300)
    [wheel] = (work / "dist").glob("*.whl")
    # A fresh environment that sees none of this one's packages; this pip installs into it (`--python`),
    # which spares it a pip of its own. Bytecode is compiled when first imported instead of all of it now.
    environment = work / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(environment)])
    _run([sys.executable, "-m", "pip", "--python", str(environment / "bin" / "python"), "install", "--quiet",
          "--no-compile", str(wheel)], timeout=600)
    workdir = work / "run"
    workdir.mkdir()
    kept = {name: value for name, value in os.environ.items()
            if name not in {"PYTHONPATH", "PORT", "PUBLIC_BASE_URL"} and not name.startswith(("TELEGRAM_", "TWILIO_"))}
    result = Installed(wheel, source, environment / "bin", workdir,
                       {**kept, "DATABASE_URL": f"sqlite:///{workdir / 'tabe.sqlite3'}"})
    result.tabe("db", "upgrade")
    return result


def test_the_wheel_holds_every_file_of_the_packages(installed: Installed) -> None:
    packages = tomllib.loads((installed.source / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    tops = [pattern.rstrip("*") for pattern in packages["find"]["include"]]
    in_source = {path.relative_to(installed.source).as_posix() for top in tops
                 for path in (installed.source / top).rglob("*") if path.is_file() and "__pycache__" not in path.parts}
    in_wheel = set(zipfile.ZipFile(installed.wheel).namelist())
    assert {"dashboard/templates/base.html", "bot/static/chat.js", "store/migrations/env.py"} <= in_source
    assert sorted(in_source - in_wheel) == []


def test_the_commands_run_from_the_installed_package(installed: Installed) -> None:
    found = _run([str(installed.bin / "python"), "-c", "import bot.cli; print(bot.cli.__file__)"], installed)
    assert Path(found.stdout.strip()).is_relative_to(installed.bin.parent)


def test_tabe_serve_from_the_wheel_serves_the_chat_page_its_assets_the_health_check_and_the_dashboard(
        installed: Installed) -> None:
    with serving(installed.environment, installed.workdir / "serve.log", installed.bin / "tabe",
                 installed.workdir) as url:
        health = httpx.get(url + "/healthz")
        page = httpx.get(url + "/")
        login = httpx.get(url + "/admin/login")
        assets = {link: httpx.get(url + link) for link in STATIC_LINK.findall(page.text + login.text)}
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert page.status_code == 200 and "TABE" in page.text
    assert login.status_code == 200 and "· TABE</title>" in login.text and "<h1>" in login.text  # its templates
    assert any(link.startswith("/admin/static/") and link.endswith(".css") for link in assets)  # and its stylesheet
    assert any(link.startswith("/static/") and link.endswith(".js") for link in assets)  # and the chat's script
    assert {link: answer.status_code for link, answer in assets.items()} == dict.fromkeys(assets, 200)


def test_tabe_chat_from_the_wheel_answers_halo(installed: Installed) -> None:
    done = installed.tabe("chat", "--as", "siti", stdin="halo\n")
    assert "Selamat datang di TABE" in done.stdout and "1. Daftarkan usaha saya" in done.stdout


def test_the_packaged_sample_programmes_import(installed: Installed) -> None:
    sample = _run([str(installed.bin / "python"), "-c",
                   "from importlib.resources import files; print(files('bot') / 'sample_programmes.yaml')"],
                  installed).stdout.strip()
    done = installed.tabe("programs", "import", sample)
    assert done.stdout.startswith("programmes: 10 created, 0 updated, 0 unchanged; sessions: ")
