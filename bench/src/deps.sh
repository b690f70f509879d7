# Sourced by bench's commands: installs this folder's npm dependencies from bench/package-lock.json
# when they are missing or older than the lockfile.
bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ ! -d "$bench_dir/node_modules" ] || [ "$bench_dir/package-lock.json" -nt "$bench_dir/node_modules/.package-lock.json" ]; then
  echo "bench: installing npm dependencies from bench/package-lock.json" >&2
  (cd "$bench_dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
