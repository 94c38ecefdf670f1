#!/usr/bin/env sh
# Fetches the PostgreSQL the tests run against: PostgreSQL 16.2 with pgvector 0.6.2, from the
# Python package pgserver==0.1.4 (a manylinux x86_64 wheel that carries the server's binaries).
# Checks the wheel's sha256 and unpacks its binaries to $RECLAB_PGSERVER (default
# /var/tmp/reclab-pgserver-0.1.4), readable by every user: PostgreSQL refuses to run as root, so
# when the tests run as root they start it as an unprivileged user, who cannot read /root.
# Needs python3 with pip. Does nothing when the binaries are already there and intact.
set -eu
dest="${1:-${RECLAB_PGSERVER:-/var/tmp/reclab-pgserver-0.1.4}}"
wheel="pgserver-0.1.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
expected="d595789b47624a3d963aa9aa6359da9be31beb7e61f1a45541953242068b8813"

if [ -f "$dest/.sha256" ] && [ "$(cat "$dest/.sha256")" = "$expected" ] && [ -x "$dest/pgserver/pginstall/bin/postgres" ]; then
    echo "PostgreSQL 16.2 + pgvector 0.6.2 ready in $dest"
    exit 0
fi
mkdir -p "$dest"
if [ ! -f "$dest/$wheel" ]; then
    # The binaries do not depend on the Python version: always take the same wheel, so its
    # sha256 can be pinned whatever python3 this machine has.
    python3 -m pip download --quiet --no-deps --only-binary=:all: --disable-pip-version-check \
        --platform manylinux2014_x86_64 --python-version 3.11 --implementation cp --abi cp311 \
        --dest "$dest" "pgserver==0.1.4"
fi
python3 - "$dest" "$wheel" "$expected" <<'PY'
import hashlib, os, pathlib, shutil, stat, sys, zipfile
dest, wheel, expected = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
h = hashlib.sha256()
with open(dest / wheel, "rb") as f:
    for chunk in iter(lambda: f.read(1 << 20), b""):
        h.update(chunk)
if h.hexdigest() != expected:
    (dest / wheel).unlink()
    sys.exit(f"{wheel} has sha256 {h.hexdigest()}, expected {expected}: refused and removed")
# Unpack beside the destination, then move into place: a run that stops half-way leaves
# nothing that looks complete.
tmp = dest / f".unpack-{os.getpid()}"
shutil.rmtree(tmp, ignore_errors=True)
with zipfile.ZipFile(dest / wheel) as z:
    for info in z.infolist():
        # The binaries (pgserver/pginstall) and the libraries they load by a relative path
        # ($ORIGIN/../../../pgserver.libs); not the Python code.
        if info.is_dir() or not info.filename.startswith(("pgserver/pginstall/", "pgserver.libs/")):
            continue
        target = tmp / info.filename
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(z.read(info))
        mode = (info.external_attr >> 16) & 0o777
        target.chmod((mode or 0o644) | stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
for top in ("pgserver", "pgserver.libs"):
    shutil.rmtree(dest / top, ignore_errors=True)
    (tmp / top).rename(dest / top)
tmp.rmdir()
(dest / ".sha256").write_text(expected)
PY
chmod -R a+rX "$dest"
for f in initdb pg_ctl postgres psql; do
    [ -x "$dest/pgserver/pginstall/bin/$f" ] || { echo "$dest/pgserver/pginstall/bin/$f is missing after unpacking" >&2; exit 1; }
done
echo "PostgreSQL 16.2 + pgvector 0.6.2 ready in $dest"
