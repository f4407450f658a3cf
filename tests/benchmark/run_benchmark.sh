#!/bin/sh
# Times our backends and three peers on the same grid, with the same threads, in one run,
# and prints one table (see README, "Performance").
#
#   tests/benchmark/run_benchmark.sh BUILD_DIR [--n LIST] [--layers LIST] [--threads N]
#                                    [--no-peers] [--no-hugepages] [attn_benchmark options]
#
# Peers (PyTorch twice, numpy) run with /usr/bin/python3, or $ATTN_BENCH_PYTHON; any that
# cannot run is named in the table's header and the table is printed without it.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: run_benchmark.sh BUILD_DIR [options]; see the comment at the top}
shift
bench="$build/tests/benchmark/attn_benchmark"
if [ ! -x "$bench" ]; then
    echo "run_benchmark.sh: $bench is missing; build it with: cmake --build $build --target attn_benchmark" >&2
    exit 1
fi
python=${ATTN_BENCH_PYTHON:-/usr/bin/python3}

sizes=8,32,128,512,2048
layers=64x4,256x8,768x12
threads=2
peers=yes
hugepages=yes
passthrough=""
while [ $# -gt 0 ]; do
    case "$1" in
        --n) sizes=$2; shift 2 ;;
        --layers) layers=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        --no-peers) peers=no; shift ;;
        --no-hugepages) hugepages=no; shift ;;
        *) passthrough="$passthrough $1"; shift ;;
    esac
done

# The same threads for everyone: OpenBLAS (ours and numpy's), OpenMP (PyTorch's), and
# torch.set_num_threads through peers.py --threads. OPENBLAS_CORETYPE and the like stay as
# the environment has them.
export OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads"
# Large buffers on transparent huge pages, for every process alike. On a machine with
# costly page faults (virtual machines) a fresh 4 KiB page can cost more than the
# arithmetic that fills it, and every implementation here allocates its n x n results
# afresh on each call; this keeps the figures about the arithmetic.
if [ "$hugepages" = yes ]; then
    export GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.hugetlb=1"
fi

set -- # attn_benchmark's arguments are built in "$@"
if [ "$peers" = yes ]; then
    if [ -x "$python" ]; then
        peer="'$python' '$here/peers.py' --serve --threads $threads"
        set -- --peer "$peer --peer torch" \
            --peer "OMP_WAIT_POLICY=passive $peer --peer torch --label torch-passive" \
            --peer "$peer --peer numpy"
        # torch-passive: PyTorch's OpenMP workers otherwise spin while OpenBLAS's threads
        # work on the same cores.
    else
        echo "run_benchmark.sh: no $python, so no peers" >&2
    fi
fi

# shellcheck disable=SC2086 # passthrough is a word list on purpose
exec "$bench" --n "$sizes" --layers "$layers" "$@" $passthrough
