"""The backup archive: one tar.gz holding the database dump (`database/*.jsonl`), the
uploads (`uploads/…`), the secret key (`secret_key`) and, last, `manifest.json` with the
sha256 of every other member.

The manifest comes last so each member is hashed as it goes in: a photo is read once, and
what the manifest vouches for is exactly what the archive holds. Reading checks every
member against it before anything is used.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import secrets
import tarfile
import time
import zlib
from pathlib import Path, PurePosixPath

FORMAT = "yishiting-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
KEY_MEMBER = "secret_key"
DATABASE = "database"
UPLOADS = "uploads"
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
CHUNK = 1024 * 1024


class ArchiveRefused(Exception):
    """The archive cannot be used; the message says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class _Hashing:
    """A file read through sha256, for tarfile to copy from."""

    def __init__(self, fh):
        self.fh, self.sha = fh, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.fh.read(size)
        self.sha.update(data)
        return data


class ArchiveWriter:
    """Writes a temporary file beside the target; `finish` renames it into place, so a
    reader never sees half an archive and a failed backup leaves the old one as it was.
    The archive holds password hashes and the secret key: only its owner may read it."""

    def __init__(self, target: Path, *, force: bool):
        if target.is_dir():
            raise ArchiveRefused(f"{target} is a folder: give the name of the archive file.")
        if target.exists() and not force:
            raise ArchiveRefused(f"{target} already exists. Give another name, or --force "
                                 "to replace it.")
        if not target.parent.is_dir():
            raise ArchiveRefused(f"The folder {target.parent} does not exist.")
        self.target = target
        self.tmp = target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
        fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._fh = os.fdopen(fd, "wb")
        # Photos are compressed already: level 6 is as small as 9 and much faster.
        self.tar = tarfile.open(fileobj=self._fh, mode="w:gz", compresslevel=6,
                                format=tarfile.PAX_FORMAT)
        self.sums: dict[str, str] = {}
        self.bytes_in = 0

    def _info(self, name: str, size: int, mtime: float | None = None) -> tarfile.TarInfo:
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = size, 0o600, int(mtime or time.time())
        return info

    def add_bytes(self, name: str, data: bytes) -> None:
        self.sums[name] = hashlib.sha256(data).hexdigest()
        self.tar.addfile(self._info(name, len(data)), io.BytesIO(data))
        self.bytes_in += len(data)

    def add_file(self, name: str, path: Path) -> int:
        """Add a file as it is now; returns its size."""
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            reader = _Hashing(fh)
            self.tar.addfile(self._info(name, st.st_size, st.st_mtime), reader)
        self.sums[name] = reader.sha.hexdigest()
        self.bytes_in += st.st_size
        return st.st_size

    def finish(self, manifest: dict) -> None:
        manifest = dict(manifest, members=dict(sorted(self.sums.items())))
        data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
        self.tar.addfile(self._info(MANIFEST, len(data)), io.BytesIO(data))
        self.tar.close()
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        os.replace(self.tmp, self.target)
        _sync_folder(self.target.parent)

    def abort(self) -> None:
        for close in (self.tar.close, self._fh.close):
            try:
                close()
            except Exception:  # already broken: the temporary file goes anyway
                pass
        self.tmp.unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    """Make a rename survive a power cut."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---- reading -------------------------------------------------------------------------

def member_path(name: str) -> PurePosixPath:
    """The member's place under the extraction folder, or ArchiveRefused for a name that
    could reach outside it or that a backup never holds."""
    path = PurePosixPath(name)
    if (path.is_absolute() or any(p in ("", ".", "..") for p in path.parts)
            or "\x00" in name):
        raise ArchiveRefused(f"The archive holds a file with an unsafe name ({name!r}): "
                             "it is not a Yishiting backup.")
    if not (name == KEY_MEMBER or (len(path.parts) >= 2
                                   and path.parts[0] in (DATABASE, UPLOADS))):
        raise ArchiveRefused(f"The archive holds {name!r}, which a Yishiting backup never "
                             "holds: it is not one.")
    return path


def unpack(archive: Path, into: Path) -> dict:
    """Extract every member under `into` and check it against the manifest, which is
    returned. ArchiveRefused when the archive is damaged, foreign or altered."""
    if not archive.is_file():
        raise ArchiveRefused(f"{archive} is not a file.")
    sums: dict[str, str] = {}
    manifest_data = None
    try:
        with tarfile.open(archive, mode="r|gz") as tar:
            for member in tar:
                if member.isdir():
                    continue
                if member.name in sums or (member.name == MANIFEST and manifest_data):
                    raise ArchiveRefused(f"The archive holds {member.name} twice.")
                if not member.isfile():
                    raise ArchiveRefused(f"The archive holds a link or a device "
                                         f"({member.name}): it is not a Yishiting backup.")
                if member.name == MANIFEST:
                    if member.size > MAX_MANIFEST_BYTES:
                        raise ArchiveRefused("The archive's manifest is too big to be one.")
                    manifest_data = tar.extractfile(member).read()
                    continue
                dest = into / member_path(member.name)
                dest.parent.mkdir(parents=True, exist_ok=True)
                sha = hashlib.sha256()
                with tar.extractfile(member) as src, open(dest, "xb") as out:
                    while chunk := src.read(CHUNK):
                        sha.update(chunk)
                        out.write(chunk)
                sums[member.name] = sha.hexdigest()
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise ArchiveRefused(f"{archive} is damaged or is not a tar.gz archive ({exc}).") \
            from exc
    return check_manifest(manifest_data, sums)


def check_manifest(data: bytes | None, sums: dict[str, str]) -> dict:
    if data is None:
        raise ArchiveRefused("The archive has no manifest.json: it is not a Yishiting "
                             "backup, or it was cut short.")
    try:
        manifest = json.loads(data)
    except ValueError as exc:
        raise ArchiveRefused("The archive's manifest.json is not readable JSON.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveRefused("The archive is not a Yishiting backup (its manifest does not "
                             f"say format {FORMAT!r}).")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ArchiveRefused(f"The archive is in backup format {version!r}; this version "
                             f"of Yishiting reads format {FORMAT_VERSION}. Restore it with "
                             "the version that made it.")
    listed = manifest.get("members")
    if not isinstance(listed, dict):
        raise ArchiveRefused("The archive's manifest lists no members.")
    missing = sorted(listed.keys() - sums.keys())
    if missing:
        raise ArchiveRefused(f"The archive is incomplete: {_few(missing)} missing.")
    unlisted = sorted(sums.keys() - listed.keys())
    if unlisted:
        raise ArchiveRefused(f"The archive holds files its manifest does not list: "
                             f"{_few(unlisted)}. It was altered.")
    altered = sorted(name for name in sums if sums[name] != listed[name])
    if altered:
        raise ArchiveRefused(f"The archive is damaged or was altered: the checksum of "
                             f"{_few(altered)} does not match its manifest.")
    return manifest


def _few(names: list[str]) -> str:
    shown = ", ".join(names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")
