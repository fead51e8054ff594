# Helpers shared by the scripts in this folder; source it, do not run it.

# find_python MINOR...: print the first working python3.MINOR interpreter, in
# the order given, from PATH, pyenv or /usr/bin; fail when there is none.
find_python() {
    local minor candidate root
    root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
    for minor in "$@"; do
        for candidate in "$(command -v "python$minor" 2>/dev/null)" "$root"/versions/"$minor".*/bin/python"$minor" "/usr/bin/python$minor"; do
            # A pyenv shim exists even when that version is not selected: run it to be sure.
            if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" -c 'import venv' >/dev/null 2>&1; then
                echo "$candidate"
                return 0
            fi
        done
    done
    echo "no Python $* found (mitmproxy 12 needs 3.12 or newer): install one, e.g. with pyenv" >&2
    return 1
}

# The pinned base image, read from the app's Dockerfile so it is written once.
pinned_python_image() {
    sed -n 's/^ARG PYTHON_IMAGE=//p' "$(dirname "${BASH_SOURCE[0]}")/../services/app/Dockerfile"
}
