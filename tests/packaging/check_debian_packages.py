#!/usr/bin/python3
"""Fails when the build or the tests use a Debian package that .ci/debian-packages.txt does not install.

A package that is on a machine only because someone installed it by hand breaks the README's
commands on a new machine (issue 10: qt6-charts-dev does not pull in libqt6opengl6-dev, whose
CMake package Qt6Charts needs). For everything the configured build found, this finds the
owning Debian package (dpkg -S) and checks that it is listed or pulled in by a listed package's
dependencies (apt-cache depends --recurse, without recommends: what `apt-get install
--no-install-recommends` brings). Checked:
  - every CMake package directory in CMakeCache.txt (Qt6OpenGL_DIR, TBB_DIR, ...), by the
    package that owns its *Config.cmake file;
  - every library outside the build tree that the build links (libz.so, libOpenGL.so, ...);
  - every third-party Python module that the project's own Python files import;
  - every program outside the tree that a ctest test runs, and every module it runs with -m
    (python3 -m pyflakes).

Exit codes: 0 all covered, 1 something is missing (each named with what it provides),
2 bad arguments or unreadable input, 77 skipped (no dpkg/apt-cache on this system).
"""
import argparse
import glob
import importlib.util
import os
import re
import shutil
import subprocess
import sys

SKIP = 77


def read_list(path):
    """Package names from the project's list: one a line, '#' comments and blank lines ignored."""
    names = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                names.append(line.split()[0])
    return names


def read_cache(path):
    """(name, type, value) for every entry of a CMakeCache.txt."""
    entries = []
    pattern = re.compile(r"^([A-Za-z0-9_.+-]+):([A-Z]+)=(.*)$")
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = pattern.match(line.rstrip("\n"))
            if m:
                entries.append(m.groups())
    return entries


def cmake_package_files(entries):
    """For each <Pkg>_DIR that holds a CMake package config, that config file."""
    found = []
    for name, typ, value in entries:
        if typ != "PATH" or not name.endswith("_DIR") or not os.path.isdir(value):
            continue
        configs = sorted(glob.glob(os.path.join(value, "*Config.cmake")) +
                         glob.glob(os.path.join(value, "*-config.cmake")))
        if configs:
            found.append((name, configs[0]))
    return found


def linked_libraries(build_dir):
    """Libraries outside the build tree that the build links, by absolute path (find modules
    such as FindZLIB or FindOpenGL record them; only the linked ones matter)."""
    texts = []
    for name in [os.path.join(build_dir, "build.ninja")] + glob.glob(
            os.path.join(build_dir, "**", "link.txt"), recursive=True):
        if os.path.isfile(name):
            with open(name, encoding="utf-8", errors="replace") as f:
                texts.append(f.read())
    paths = set(re.findall(r"(/[^\s:;\"']+\.(?:so(?:\.[0-9]+)*|a))(?=[\s;\"']|$)", "\n".join(texts)))
    root = os.path.realpath(build_dir)
    return [("linked library", p) for p in sorted(paths)
            if os.path.isfile(p) and not os.path.realpath(p).startswith(root + os.sep)]


def python_modules(source_dir):
    """Third-party modules imported by the project's Python files, with the file each comes from."""
    names = set()
    for path in glob.glob(os.path.join(source_dir, "**", "*.py"), recursive=True):
        if os.path.relpath(path, source_dir).split(os.sep)[0].startswith("build"):
            continue  # build trees may hold copies of generated scripts
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = re.match(r"^\s*(?:import|from)\s+([A-Za-z_][A-Za-z0-9_]*)", line)
                if m:
                    names.add(m.group(1))
    return module_origins(sorted(names))


def module_origins(names):
    """(what, file) of each module that a Debian python3-* package provides."""
    found = []
    for name in names:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec and spec.origin else ""
        # The standard library comes with python3; only Debian's python3-* packages count.
        if origin.startswith("/usr/lib/python3/dist-packages/"):
            found.append(("python module " + name, origin))
    return found


def test_commands(build_dir, source_dir):
    """Programs outside the tree that ctest's tests run, and modules run with `python3 -m`."""
    found = []
    roots = tuple(os.path.realpath(d) + os.sep for d in (build_dir, source_dir))
    for name in glob.glob(os.path.join(build_dir, "**", "CTestTestfile.cmake"), recursive=True):
        with open(name, encoding="utf-8", errors="replace") as f:
            for line in f:
                if not line.startswith("add_test("):
                    continue
                args = re.findall(r'"((?:[^"\\]|\\.)*)"', line)
                if not args:
                    continue
                program = os.path.realpath(args[0])
                if os.path.isabs(args[0]) and os.path.isfile(program) and not program.startswith(roots):
                    found.append(("program " + os.path.basename(args[0]), program))
                for flag, module in zip(args, args[1:]):
                    if flag == "-m":
                        found.extend(module_origins([module.split(".")[0]]))
    return found


def owner_of(path):
    """The Debian package that installed `path`, or None."""
    result = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True)
    if result.returncode != 0 or not result.stdout:
        return None
    return result.stdout.splitlines()[0].split(":", 1)[0].split(",")[0].strip()


def closure(packages):
    """Every package that installing `packages` without recommends brings in."""
    result = subprocess.run(
        ["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts",
         "--no-breaks", "--no-replaces", "--no-enhances", *packages],
        capture_output=True, text=True)
    names = set()
    for line in result.stdout.splitlines():
        if line and not line.startswith(" "):
            names.add(line.strip().strip("<>").split(":", 1)[0])
    return names, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", required=True, help="the configured build's CMakeCache.txt")
    parser.add_argument("--list", required=True, help="the project's .ci/debian-packages.txt")
    parser.add_argument("--source-dir", required=True, help="the project's source tree (for its .py files)")
    args = parser.parse_args()

    for tool in ("dpkg", "apt-cache"):
        if shutil.which(tool) is None:
            print(f"SKIPPED: no {tool} on this system, so the Debian package list cannot be checked here")
            return SKIP
    try:
        wanted = read_list(args.list)
        entries = read_cache(args.cache)
    except OSError as e:
        print(f"check_debian_packages: cannot read {e.filename}: {e.strerror}")
        return 2
    if not wanted:
        print(f"check_debian_packages: {args.list} lists no package")
        return 2

    brought, result = closure(wanted)
    unknown = [p for p in wanted if p not in brought]
    if unknown:
        print(f"check_debian_packages: apt-cache does not know {', '.join(unknown)} "
              f"(listed in {args.list}); run apt-get update, or fix the name")
        print(result.stderr.strip())
        return 1

    build_dir = os.path.dirname(os.path.abspath(args.cache))
    used = (cmake_package_files(entries) + linked_libraries(build_dir) + python_modules(args.source_dir) +
            test_commands(build_dir, args.source_dir))
    missing, covered = [], 0
    for what, path in used:
        owner = owner_of(path)
        if owner is None:
            continue  # not from a Debian package: the build tree, or a file the project made
        if owner in brought:
            covered += 1
        else:
            missing.append(f"{owner} (provides {what}: {os.path.dirname(path) if what.endswith('_DIR') else path})")
    if missing:
        print(f"Used by the build or the tests but not installed by {args.list} nor by its dependencies:")
        for line in sorted(set(missing)):
            print("  " + line)
        print(f"Add each package to {args.list}.")
        return 1
    print(f"check_debian_packages: all {covered} CMake packages, linked libraries, Python modules and test programs the build and tests use "
          f"come from {args.list} ({len(wanted)} listed, {len(brought)} with dependencies)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
