#!/usr/bin/env bash
# Side-by-side benchmark of ferrodis and a real redis-server on this machine.
#
# 1. redis-benchmark tests, alternating between the two servers, BENCH_REPEAT times;
#    prints the median requests/second of each and the ratio ferrodis/redis (above 1:
#    ferrodis is faster). A test ferrodis cannot run yet is reported as n/a.
# 2. Bulk load: BENCH_KEYS `SET key:<i> val:<i>` through `redis-cli --pipe` into fresh
#    servers; prints the time and the memory (VmRSS, used_memory_rss) of each.
#
# Absolute numbers on a shared machine are noise; the ratios are the result.
#
# Environment (all optional):
#   BENCH_QUICK=1     smoke run: BENCH_N=20000, BENCH_REPEAT=1, BENCH_KEYS=100000
#   BENCH_N           requests per redis-benchmark run (200000)
#   BENCH_C           parallel clients (50)
#   BENCH_REPEAT      runs per test and server; the median is reported (3)
#   BENCH_TESTS       tests to run, e.g. "SET GET" (SET GET INCR MSET and the other
#                     redis-benchmark defaults)
#   BENCH_PIPELINES   pipeline depths (-P) to run each test with ("1 16")
#   BENCH_KEYS        keys for the bulk load; 0 skips it (1000000)
#   BENCH_TIMEOUT     seconds one redis-benchmark run may take (120)
#   FERRODIS_BIN      binary to run as "ferrodis" (default: build target/release/ferrodis-server);
#                     FERRODIS_BIN=$(command -v redis-server) tries the script without ferrodis
#   FERRODIS_ARGS     extra options for that binary, e.g. '--rename-command SADD ""'
#   REDIS_BIN         the reference server (redis-server)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

quick=${BENCH_QUICK:-0}
if [[ $quick == 1 ]]; then
  N=${BENCH_N:-20000} REPEAT=${BENCH_REPEAT:-1} KEYS=${BENCH_KEYS:-100000}
else
  N=${BENCH_N:-200000} REPEAT=${BENCH_REPEAT:-3} KEYS=${BENCH_KEYS:-1000000}
fi
C=${BENCH_C:-50}
PIPELINES=${BENCH_PIPELINES:-"1 16"}
TIMEOUT=${BENCH_TIMEOUT:-120}
DEFAULT_TESTS="SET GET INCR MSET PING_INLINE PING_MBULK LPUSH RPUSH LPOP RPOP SADD HSET SPOP
ZADD ZPOPMIN LRANGE_100 LRANGE_300 LRANGE_500 LRANGE_600 XADD"
TESTS=$(tr '[:lower:],' '[:upper:] ' <<<"${BENCH_TESTS:-$DEFAULT_TESTS}")
REDIS_BIN=${REDIS_BIN:-redis-server}
read -r -a ferrodis_args <<<"${FERRODIS_ARGS:-}"

die() { echo "bench: $*" >&2; exit 1; }

for tool in "$REDIS_BIN" redis-cli redis-benchmark timeout awk; do
  command -v "$tool" >/dev/null || die "$tool not found (Debian: apt-get install redis-server)"
done

if [[ -z ${FERRODIS_BIN:-} ]]; then
  echo "bench: building ferrodis-server (release)" >&2
  (cd "$root" && cargo build --release --bin ferrodis-server) >&2
  FERRODIS_BIN=${CARGO_TARGET_DIR:-$root/target}/release/ferrodis-server
fi
[[ -x $FERRODIS_BIN ]] || die "FERRODIS_BIN=$FERRODIS_BIN is not an executable"

work=$(mktemp -d "${TMPDIR:-/tmp}/ferrodis-bench.XXXXXX")
started_pids=()

# Stops every server this script started and removes the work dir.
cleanup() {
  local pid
  for pid in "${started_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${started_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Prints a port in 20000-32767 (below the kernel's ephemeral range) that nothing listens on.
pick_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 12768))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}

# Succeeds when process $1 holds the socket listening on TCP port $2 (so a PONG on
# that port is its own and not another server's).
owns_port() {
  local pid=$1 hex inode
  hex=$(printf ':%04X' "$2")
  for inode in $(awk -v p="$hex" '$4 == "0A" && substr($2, length($2) - 4) == p { print $10 }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null); do
    if ls -l "/proc/$pid/fd" 2>/dev/null | grep -qF "socket:[$inode]"; then return 0; fi
  done
  return 1
}

# Polls until process $1 answers PING on port $2; fails if it exits or 10 s pass.
wait_ready() {
  local pid=$1 port=$2 deadline=$((SECONDS + 10))
  while ((SECONDS < deadline)); do
    kill -0 "$pid" 2>/dev/null || return 1
    if owns_port "$pid" "$port" &&
      [[ $(timeout 2 redis-cli -p "$port" ping 2>/dev/null) == PONG ]]; then
      return 0
    fi
    sleep 0.05
  done
  return 1
}

# start_server NAME BIN [ARGS...]: starts BIN with persistence off on a free port in
# $work/NAME, retrying other ports; sets NAME_pid and NAME_port.
start_server() {
  local name=$1 bin=$2 dir=$work/$1 attempt port pid
  shift 2
  mkdir -p "$dir"
  for attempt in 1 2 3 4 5; do
    port=$(pick_port)
    "$bin" --port "$port" --bind 127.0.0.1 --dir "$dir" --save "" --appendonly no \
      --logfile "$dir/server.log" "$@" </dev/null >>"$dir/stdout.log" 2>&1 &
    pid=$!
    started_pids+=("$pid")
    if wait_ready "$pid" "$port"; then
      printf -v "${name}_pid" %s "$pid"
      printf -v "${name}_port" %s "$port"
      return 0
    fi
    stop_pid "$pid"
  done
  echo "bench: could not start $name ($bin); the end of its logs:" >&2
  tail -n 20 "$dir/stdout.log" "$dir/server.log" >&2 2>/dev/null || true
  return 1
}

# Stops process $1: SIGTERM, then SIGKILL after 10 s.
stop_pid() {
  local pid=$1 deadline=$((SECONDS + 10))
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.05; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

start_ferrodis() { start_server ferrodis "$FERRODIS_BIN" "${ferrodis_args[@]}"; }
start_redis() { start_server redis "$REDIS_BIN"; }

# Prints the redis-benchmark arguments that select test $1. XADD has no built-in test
# in redis-benchmark 7.0, so it runs as the command that later versions' test sends.
bench_args() {
  case $1 in
    XADD) echo "XADD mystream * myfield xxx" ;;
    *) echo "-t ${1,,}" ;;
  esac
}

# Prints the rps of test $2 from redis-benchmark CSV file $1 ("test","rps",...): the
# row named $2 or "$2 (...)", or the only row of a custom command.
csv_rps() {
  awk -F'","' -v t="$2" 'NR > 1 {
      name = substr($1, 2)
      if (name == t || index(name, t " (") == 1 || t == "XADD") { print $2; exit }
    }' "$1"
}

# run_bench PORT TEST P: runs one redis-benchmark and prints its rps, or the reason it
# gave none: unsupported (error reply), error, timeout, failed, no result.
run_bench() {
  local port=$1 test=$2 p=$3 out=$work/bench.out err=$work/bench.err rc=0 rps
  local -a selector
  read -r -a selector <<<"$(bench_args "$test")"
  timeout "$TIMEOUT" redis-benchmark -h 127.0.0.1 -p "$port" -c "$C" -n "$N" -P "$p" --csv \
    "${selector[@]}" >"$out" 2>"$err" </dev/null || rc=$?
  if ((rc == 124)); then echo timeout; return; fi
  if grep -q "Error from server" "$err"; then
    if grep -qi "unknown command" "$err"; then echo unsupported; else echo error; fi
    return
  fi
  rps=$(csv_rps "$out" "$test")
  if [[ -n $rps ]]; then echo "$rps"
  elif ((rc != 0)); then echo failed
  else echo "no result"; fi
}

# Prints the error of the last redis-benchmark run: its "Error from server" line, or
# the start of what it wrote to stderr.
bench_error() {
  grep -m1 "Error from server" "$work/bench.err" ||
    head -c 300 "$work/bench.err" | tr '\n' ' '
}

# Prints the median of its numeric arguments.
median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
    END { if (NR % 2) printf "%.2f\n", v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

is_number() { [[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]]; }

# Prints a/b with two decimals, or n/a.
ratio() {
  if is_number "$1" && is_number "$2"; then awk -v a="$1" -v b="$2" 'BEGIN { printf (b > 0 ? "%.2f" : "n/a"), a / b }'
  else echo n/a; fi
}

# bench_one SERVER TEST P: one run against SERVER (ferrodis or redis); appends the rps to
# SERVER_vals or records why there is none in SERVER_fail (and restarts a crashed server).
bench_one() {
  local server=$1 test=$2 p=$3 port_var=${1}_port pid_var=${1}_pid result
  local -n vals=${server}_vals
  result=$(run_bench "${!port_var}" "$test" "$p")
  if is_number "$result"; then
    vals+=("$result")
    return
  fi
  if ! kill -0 "${!pid_var}" 2>/dev/null; then
    result=crashed
    notes+=("$server crashed during $test -P $p; end of its log: $(tail -n 3 "$work/$server/server.log" 2>/dev/null | tr '\n' ' ')")
    "start_$server" || die "could not restart $server"
  else
    notes+=("$server $test -P $p: $result: $(bench_error)")
  fi
  printf -v "${server}_fail" %s "$result"
}

# Runs every test at every pipeline depth and prints one line each.
run_benchmarks() {
  local test p rep first second server fail_var f_med r_med
  printf '%-12s %3s %18s %18s %7s\n' test P ferrodis_rps redis_rps ratio
  for test in $TESTS; do
    for p in $PIPELINES; do
      ferrodis_vals=() redis_vals=() ferrodis_fail="" redis_fail=""
      for ((rep = 1; rep <= REPEAT; rep++)); do
        # Alternate which server goes first, so neither always runs on a warmer machine.
        if ((rep % 2)); then first=ferrodis second=redis; else first=redis second=ferrodis; fi
        for server in $first $second; do
          fail_var=${server}_fail
          if [[ -z ${!fail_var} ]]; then bench_one "$server" "$test" "$p"; fi
        done
      done
      f_med=$( ((${#ferrodis_vals[@]})) && median "${ferrodis_vals[@]}" || echo "n/a (${ferrodis_fail:-no result})")
      r_med=$( ((${#redis_vals[@]})) && median "${redis_vals[@]}" || echo "n/a (${redis_fail:-no result})")
      [[ $ferrodis_fail == unsupported ]] && f_med="n/a (unsupported)"
      printf '%-12s %3s %18s %18s %7s\n' "$test" "$p" "$f_med" "$r_med" "$(ratio "$f_med" "$r_med")"
    done
  done
}

# Prints the VmRSS of process $1 in kB.
vm_rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# Prints used_memory_rss from INFO memory of the server on port $1, or n/a.
info_rss() {
  local v
  v=$(timeout 10 redis-cli -p "$1" info memory 2>/dev/null | tr -d '\r' |
    awk -F: '$1 == "used_memory_rss" { print $2 }')
  is_number "${v:-x}" && echo "$v" || echo n/a
}

# load_one SERVER FILE: FLUSHALL, pipes FILE into SERVER, prints one result row and sets
# SERVER_secs and SERVER_rss (kB, after the load).
load_one() {
  local server=$1 file=$2 port_var=${1}_port pid_var=${1}_pid port pid t0 t1 secs before after
  local summary dbsize used per_key
  port=${!port_var} pid=${!pid_var}
  timeout 60 redis-cli -p "$port" flushall >/dev/null 2>&1 || true
  before=$(vm_rss_kb "$pid")
  t0=$(date +%s%N)
  summary=$(timeout 600 redis-cli -p "$port" --pipe <"$file" 2>&1 | tail -n 1) || true
  t1=$(date +%s%N)
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
  after=$(vm_rss_kb "$pid")
  dbsize=$(timeout 10 redis-cli -p "$port" dbsize 2>/dev/null) || true
  is_number "${dbsize:-x}" || dbsize=n/a
  used=$(info_rss "$port")
  per_key=$(awk -v a="$after" -v b="$before" -v n="$KEYS" 'BEGIN { printf "%.0f", (a - b) * 1024 / n }')
  printf '%-9s %8s %10s %9s %10.1f %14s %9s  %s\n' "$server" "$secs" \
    "$(awk -v n="$KEYS" -v s="$secs" 'BEGIN { printf (s > 0 ? "%.0f" : "n/a"), n / s }')" \
    "$dbsize" "$(awk -v k="$after" 'BEGIN { print k / 1024 }')" \
    "$([[ $used == n/a ]] && echo n/a || awk -v b="$used" 'BEGIN { printf "%.1f", b / 1048576 }')" \
    "$per_key" "$summary"
  printf -v "${server}_secs" %s "$secs"
  printf -v "${server}_rss" %s "$after"
}

# Bulk-loads KEYS keys into fresh servers and compares time and memory.
run_bulk_load() {
  local file=$work/load.resp
  awk -v n="$KEYS" 'BEGIN {
      for (i = 1; i <= n; i++) {
        k = "key:" i; v = "val:" i
        printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, length(v), v
      }
    }' >"$file"
  echo
  echo "bulk load: $KEYS x SET key:<i> val:<i> through redis-cli --pipe, fresh servers"
  printf '%-9s %8s %10s %9s %10s %14s %9s  %s\n' server seconds keys/s dbsize VmRSS_MiB \
    used_mem_rss_MiB bytes/key "redis-cli says"
  stop_pid "$ferrodis_pid"
  stop_pid "$redis_pid"
  start_ferrodis || die "could not start ferrodis for the bulk load"
  start_redis || die "could not start redis-server for the bulk load"
  load_one ferrodis "$file"
  load_one redis "$file"
  echo "ferrodis/redis: time $(ratio "$ferrodis_secs" "$redis_secs"), VmRSS $(ratio "$ferrodis_rss" "$redis_rss") (below 1: ferrodis is faster, smaller)"
}

notes=()
echo "ferrodis: $FERRODIS_BIN ${FERRODIS_ARGS:-}"
echo "redis:    $(command -v "$REDIS_BIN") ($("$REDIS_BIN" --version | awk '{ print $3 }'))"
echo "redis-benchmark -c $C -n $N, pipelines: $PIPELINES, median of $REPEAT run(s); $(nproc) cores"
echo
start_ferrodis || die "could not start ferrodis"
start_redis || die "could not start redis-server"
run_benchmarks
if ((${#notes[@]})); then
  echo
  echo "notes:"
  printf '  %s\n' "${notes[@]}"
fi
if ((KEYS > 0)); then run_bulk_load; fi
exit 0
