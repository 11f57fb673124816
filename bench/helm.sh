#!/bin/sh
# Renders every case of ../shared/corpus/helm (<chart>/cases/*.args, run
# inside <chart>/chart as the corpus was recorded) with
# `rendergate template` and with helm 3.10.1 `helm template`, in the same
# run, alternating the two, ROUNDS times each. Prints per case the median
# wall time of each and their ratio, then the sums of the medians and the
# total ratio (helm / rendergate), for the whole rendergate process and for
# the engine in-process (tests/helm-driver.c, no process start-up), and
# the sums of the median CPU times (user + system, from wait4) of both
# processes. Both tools' exit statuses are checked so a failing render is
# never timed as a fast one.
#
# Usage: bench/helm.sh [ROUNDS] [RENDERGATE] [HELM] [CORPUS]
#   HELM defaults to the binary ../shared/tools/install-oracles.sh prints.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-5}
bin=${2:-$top/build/rendergate}
helm=${3:-$(bash "$top/../shared/tools/install-oracles.sh" 2>/dev/null | tail -n 1)}
corpus=${4:-$top/../shared/corpus/helm}
[ -d "$corpus" ] || { echo "bench/helm: no corpus at $corpus"; exit 2; }
[ -x "$bin" ] || { echo "bench/helm: no rendergate at $bin"; exit 2; }
[ -x "$helm" ] || { echo "bench/helm: no helm binary ($helm)"; exit 2; }
"$helm" version --short 2>/dev/null | grep -q '^v3\.10\.1' ||
	echo "bench/helm: warning: $helm is not helm v3.10.1"
# The engine alone: tests/helm-driver.c renders in-process ROUNDS times
# (no process start-up: dynamic linking, libgit2 initialisation).
lib=$(dirname "$bin")/librendergate.a
drv=$(dirname "$bin")/helm-driver
if [ ! -x "$drv" ] || [ "$drv" -ot "$lib" ]; then
	cc -std=c11 -O2 -I"$top/include" -o "$drv" "$top/tests/helm-driver.c" "$lib" \
		$(pkg-config --libs libgit2 yaml-0.1 libcurl jansson libpcre2-8 zlib) -lm ||
		{ echo "bench/helm: cannot build $drv"; exit 2; }
fi
echo "rendergate: $bin; engine: $drv; helm: $helm ($("$helm" version --short 2>/dev/null))"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
exec python3 - "$rounds" "$bin" "$helm" "$corpus" "$drv" <<'PY'
import glob, os, shlex, statistics, subprocess, sys, tempfile, time

rounds, rg, helm, corpus, drv = (int(sys.argv[1]), sys.argv[2], sys.argv[3],
                                 sys.argv[4], sys.argv[5])
env = dict(os.environ, HOME=os.environ.get("HOME", "/tmp"),
           HELM_CACHE_HOME="/tmp/rg-bench-helm/cache",
           HELM_CONFIG_HOME="/tmp/rg-bench-helm/config",
           HELM_DATA_HOME="/tmp/rg-bench-helm/data")

# posix_spawn and wait4, not subprocess.run: Python's fork costs about
# 2 ms per run, the same for both tools, which hid part of the difference.
# wait4 also gives the CPU time (user + system, all threads) of the run,
# which load on the machine disturbs much less than wall time.
devnull = os.open(os.devnull, os.O_WRONLY)
errfile = tempfile.TemporaryFile()

def run(cmd, cwd):
    os.chdir(cwd)
    errfile.seek(0)
    errfile.truncate()
    fa = [(os.POSIX_SPAWN_DUP2, devnull, 1),
          (os.POSIX_SPAWN_DUP2, errfile.fileno(), 2)]
    t = time.perf_counter()
    pid = os.posix_spawn(cmd[0], cmd, env, file_actions=fa)
    _, status, ru = os.wait4(pid, 0)
    dt = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) != 0:
        errfile.seek(0)
        raise RuntimeError("%s failed in %s: %s" % (cmd[0], cwd,
                           errfile.read().decode(errors="replace").strip()[:300]))
    return dt, ru.ru_utime + ru.ru_stime

def engine(argv, cwd):
    p = subprocess.run([drv, str(rounds), "template"] + argv + ["."], cwd=cwd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise RuntimeError("helm-driver failed in %s" % cwd)
    return float(p.stderr.decode().strip().splitlines()[-1]) / 1e3

rows, tot_rg, tot_helm, tot_eng, failed = [], 0.0, 0.0, 0.0, 0
cpu_rg, cpu_helm = 0.0, 0.0
for args in sorted(glob.glob(os.path.join(corpus, "*", "cases", "*.args"))):
    chart = os.path.dirname(os.path.dirname(args))
    name = "%s/%s" % (os.path.basename(chart), os.path.basename(args)[:-5])
    argv = shlex.split(open(args).read())
    cwd = os.path.join(chart, "chart")
    t_rg, t_helm = [], []
    try:
        for _ in range(rounds):
            t_rg.append(run([rg, "template"] + argv + ["."], cwd))
            t_helm.append(run([helm, "template"] + argv + ["."], cwd))
        m_eng = engine(argv, cwd)
    except RuntimeError as e:
        print("%-56s FAILED: %s" % (name, e))
        failed += 1
        continue
    m_rg = statistics.median(x[0] for x in t_rg)
    m_helm = statistics.median(x[0] for x in t_helm)
    tot_rg += m_rg
    tot_helm += m_helm
    cpu_rg += statistics.median(x[1] for x in t_rg)
    cpu_helm += statistics.median(x[1] for x in t_helm)
    tot_eng += m_eng
    print("%-56s process %7.1f ms  engine %7.1f ms  helm %7.1f ms  %5.1fx %6.1fx"
          % (name, m_rg * 1e3, m_eng * 1e3, m_helm * 1e3, m_helm / m_rg,
             m_helm / m_eng), flush=True)
    rows.append(name)
if rows:
    print("total (%d cases, sum of medians of %d rounds): rendergate process "
          "%.1f ms, engine %.1f ms, helm %.1f ms"
          % (len(rows), rounds, tot_rg * 1e3, tot_eng * 1e3, tot_helm * 1e3))
    print("ratio: rendergate template is %.1fx faster than helm template "
          "(whole processes); the engine in-process is %.1fx faster"
          % (tot_helm / tot_rg, tot_helm / tot_eng))
    print("CPU time (user + system, sum of medians): rendergate %.1f ms, "
          "helm %.1f ms: %.1fx less"
          % (cpu_rg * 1e3, cpu_helm * 1e3, cpu_helm / cpu_rg))
if failed:
    print("bench/helm: %d case(s) failed" % failed)
sys.exit(1 if failed or not rows else 0)
PY
