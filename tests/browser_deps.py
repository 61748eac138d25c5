"""Check what the browser tests need from the system: Chromium and a CJK font; and what
the children's ballot's speech needs: espeak-ng and oggenc (vorbis-tools).

`make test` runs this before pytest. When something is missing it installs it with apt
if we are root, and otherwise says what to install and exits 1. Plain stdlib only.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

PACKAGES = ("chromium", "fonts-noto-cjk", "espeak-ng", "vorbis-tools")


def chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("chromium")


def has_cjk_font() -> bool:
    if shutil.which("fc-list") is None:
        return False
    try:
        result = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True,
                                timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(result.stdout.strip())


def missing() -> list[str]:
    gaps = []
    if chromium_path() is None:
        gaps.append("chromium")
    if not has_cjk_font():
        gaps.append("fonts-noto-cjk")
    if shutil.which("espeak-ng") is None:
        gaps.append("espeak-ng")
    if shutil.which("oggenc") is None:
        gaps.append("vorbis-tools")
    return gaps


def install(packages: list[str]) -> int:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", *packages]):
        print("browser_deps: running", " ".join(command), flush=True)
        code = subprocess.run(command, env=env, check=False).returncode
        if code != 0:
            print(f"browser_deps: {' '.join(command)} failed with exit code {code}",
                  file=sys.stderr)
            return code
    return 0


def main() -> int:
    gaps = missing()
    if not gaps:
        return 0
    print(f"browser_deps: missing for the browser tests: {', '.join(gaps)}", file=sys.stderr)
    if os.environ.get("CHROMIUM") and "chromium" in gaps:
        # apt cannot fix a wrong path: say so rather than install something unused.
        print(f"browser_deps: CHROMIUM={os.environ['CHROMIUM']} is not an executable file; "
              "fix it or unset it to use the chromium on PATH", file=sys.stderr)
        return 1
    if os.geteuid() != 0:
        print("browser_deps: please install them, e.g.\n"
              f"    sudo apt-get install {' '.join(PACKAGES)}", file=sys.stderr)
        return 1
    code = install(list(PACKAGES))
    if code != 0:
        return code
    still = missing()
    if still:
        print(f"browser_deps: still missing after apt-get: {', '.join(still)}", file=sys.stderr)
        return 1
    print("browser_deps: installed " + " ".join(PACKAGES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
