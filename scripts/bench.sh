#!/usr/bin/env bash
# Side-by-side benchmark of ferrodis and a real redis-server on this machine.
#
# 1. redis-benchmark tests, alternating between the two servers, BENCH_REPEAT times;
#    prints the median requests/second of each and the ratio ferrodis/redis (above 1:
#    ferrodis is faster). A test ferrodis cannot run yet is reported as n/a. Also the
#    median server CPU time per request (all threads, from /proc/PID/task/*/schedstat)
#    and per_core = redis/ferrodis CPU per request (above 1: ferrodis serves more
#    requests per core-second). f_cli% and r_cli% are how busy redis-benchmark itself
#    was (its user + system time over its wall time, median): near 100 the client, not
#    the server, set the pace, and the rps ratio cannot show the faster server; per_core
#    shows what rps cannot there. (On a 2-core machine the one-thread client saturates
#    near 1.9M rps with -P 16.)
# 2. Bulk load: BENCH_KEYS `SET key:<i> val:<i>` through `redis-cli --pipe` into fresh
#    servers; prints the time and the memory (VmRSS, used_memory_rss) of each.
#
# 3. RDB persistence (issue 3): BENCH_RDB_KEYS keys loaded into one fresh server at a
#    time, alternating; SAVE time, RDB size, main-loop block to start BGSAVE
#    (latest_fork_usec), extra memory during a BGSAVE under a 100% SET load (peak PSS of
#    the server and its children minus before, and rdb_last_cow_size) and SET throughput
#    during BGSAVE as a fraction of the throughput without (all runs on the freshly
#    loaded dataset; the throughput and the memory come from two BGSAVEs, as sampling
#    the memory slows a server down); medians of BENCH_REPEAT runs.
#
# 4. Replication (issue 5): full sync time of BENCH_REPL_KEYS keys to one and to two
#    replicas, SET throughput with two replicas attached as a fraction of without (each
#    pipeline depth of BENCH_PIPELINES; the fraction is taken within each run, then the
#    median of the runs), and the largest replica lag (bytes) sampled under a -P 16 SET
#    load (a separate run, so the sampling does not disturb the throughput figures).
#
# 5. AOF (issue 4): SET throughput with appendonly yes and appendfsync everysec and
#    always (redis-benchmark -c BENCH_C, each pipeline depth); AOF directory size after
#    BENCH_AOF_LINES `set k<i> v<i>` lines through redis-cli --pipe; BGREWRITEAOF of
#    BENCH_AOF_KEYS keys: rewrite time, main-loop block to start it (latest_fork_usec)
#    and the largest PING latency sampled during it. Medians of BENCH_REPEAT runs.
#
# 6. Memory of the data types (issue 6): used RSS (VmRSS) of a fresh server after
#    loading each dataset of BENCH_MEM_SETS through redis-cli --pipe, and the growth
#    over the empty server; ratio ferrodis/redis (at most 1: ferrodis is not bigger).
#
# Absolute numbers on a shared machine are noise; the ratios are the result.
#
# Environment (all optional):
#   BENCH_SECTIONS    parts to run, any of "commands bulk rdb" (all three)
#   BENCH_QUICK=1     smoke run: BENCH_N=20000, BENCH_REPEAT=1, BENCH_KEYS=100000,
#                     BENCH_RDB_KEYS=100000
#   BENCH_N           requests per redis-benchmark run (200000)
#   BENCH_C           parallel clients (50)
#   BENCH_REPEAT      runs per test and server; the median is reported (3)
#   BENCH_TESTS       tests to run, e.g. "SET GET" (SET GET INCR MSET and the other
#                     redis-benchmark defaults); EVAL (a script doing one SET) is extra
#   BENCH_PIPELINES   pipeline depths (-P) to run each test with ("1 16")
#   BENCH_KEYS        keys for the bulk load; 0 skips it (1000000)
#   BENCH_TIMEOUT     seconds one redis-benchmark run (or SAVE, BGSAVE) may take (120)
#   BENCH_RDB_KEYS    keys of the RDB dataset (1000000), named key:%012d like the keys of
#                     redis-benchmark -r, so its SETs overwrite them
#   BENCH_RDB_TYPES   mixed (the default, as issue 3 asks: strings as below plus lists,
#                     hashes, sets and sorted sets) or strings (short, 100-byte, 1 KB
#                     compressible and integer values, 10% with a TTL)
#   BENCH_RDB_SET_N   SETs per run of the throughput test (default: sized to last ~60%
#                     of the server's SAVE time, so the run overlaps its BGSAVE)
#   FERRODIS_BIN      binary to run as "ferrodis" (default: build target/release/ferrodis-server);
#                     FERRODIS_BIN=$(command -v redis-server) tries the script without ferrodis
#   FERRODIS_ARGS     extra options for that binary, e.g. '--rename-command SADD ""'
#   REDIS_BIN         the reference server (redis-server)
#   BENCH_MEM_SETS    datasets of the types section (list_1m: one list of 1M small
#                     elements, half short strings, half integers; zset_1m: one
#                     sorted set of 1M members "member:<i>" with integer scores;
#                     hash_100k: 100k hashes of 10 small fields; set_100k: 100k
#                     intsets of 8 integers; strset_100k: 100k sets of 8 short strings)
#   BENCH_REPL_KEYS   keys on the master of the repl section (1000000; 100000 quick)
#   BENCH_AOF_LINES   `set k<i> v<i>` lines of the AOF size test (100000)
#   BENCH_AOF_KEYS    keys of the AOF rewrite test (1000000; 100000 quick)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

quick=${BENCH_QUICK:-0}
if [[ $quick == 1 ]]; then
  N=${BENCH_N:-20000} REPEAT=${BENCH_REPEAT:-1} KEYS=${BENCH_KEYS:-100000}
  RDB_KEYS=${BENCH_RDB_KEYS:-100000}
  REPL_KEYS=${BENCH_REPL_KEYS:-100000}
  AOF_KEYS=${BENCH_AOF_KEYS:-100000}
else
  N=${BENCH_N:-200000} REPEAT=${BENCH_REPEAT:-3} KEYS=${BENCH_KEYS:-1000000}
  RDB_KEYS=${BENCH_RDB_KEYS:-1000000}
  REPL_KEYS=${BENCH_REPL_KEYS:-1000000}
  AOF_KEYS=${BENCH_AOF_KEYS:-1000000}
fi
AOF_LINES=${BENCH_AOF_LINES:-100000}
SECTIONS=${BENCH_SECTIONS:-"commands bulk rdb repl aof types"}
MEM_SETS=${BENCH_MEM_SETS:-"list_1m zset_1m hash_100k set_100k strset_100k"}
RDB_TYPES=${BENCH_RDB_TYPES:-mixed}
RDB_SET_N=${BENCH_RDB_SET_N:-}
C=${BENCH_C:-50}
PIPELINES=${BENCH_PIPELINES:-"1 16"}
TIMEOUT=${BENCH_TIMEOUT:-120}
DEFAULT_TESTS="SET GET INCR MSET PING_INLINE PING_MBULK LPUSH RPUSH LPOP RPOP SADD HSET SPOP
ZADD ZPOPMIN LRANGE_100 LRANGE_300 LRANGE_500 LRANGE_600 XADD"
TESTS=$(tr '[:lower:],' '[:upper:] ' <<<"${BENCH_TESTS:-$DEFAULT_TESTS}")
REDIS_BIN=${REDIS_BIN:-redis-server}
read -r -a ferrodis_args <<<"${FERRODIS_ARGS:-}"

die() { echo "bench: $*" >&2; exit 1; }

# Succeeds when section $1 is in BENCH_SECTIONS.
want() { [[ " ${SECTIONS//,/ } " == *" $1 "* ]]; }

for section in ${SECTIONS//,/ }; do
  case $section in
    commands | bulk | rdb | repl | aof | types) ;;
    *) die "unknown section '$section' in BENCH_SECTIONS (commands bulk rdb repl aof types)" ;;
  esac
done
case $RDB_TYPES in
  strings | mixed) ;;
  *) die "BENCH_RDB_TYPES must be strings or mixed, not '$RDB_TYPES'" ;;
esac
[[ $RDB_KEYS =~ ^[0-9]+$ ]] || die "BENCH_RDB_KEYS must be a number"
[[ -z $RDB_SET_N || $RDB_SET_N =~ ^[0-9]+$ ]] || die "BENCH_RDB_SET_N must be a number"

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
started_pids=() helper_pids=()
# Set by start_server (NAME_pid, NAME_port) and load_one (NAME_secs, NAME_rss).
# shellcheck disable=SC2034  # also read indirectly, as ${!name}
ferrodis_pid="" ferrodis_port="" redis_pid="" redis_port=""
ferrodis_secs="" ferrodis_rss="" redis_secs="" redis_rss=""

# Stops every server this script started and removes the work dir.
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  local pid
  for pid in "${started_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${started_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for pid in "${helper_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${helper_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
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
  local pid=$1 hex inode fd
  hex=$(printf ':%04X' "$2")
  while read -r inode; do
    for fd in "/proc/$pid/fd/"*; do
      if [[ $(readlink "$fd" 2>/dev/null) == "socket:[$inode]" ]]; then return 0; fi
    done
  done < <(awk -v p="$hex" '$4 == "0A" && substr($2, length($2) - 4) == p { print $10 }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null)
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
  local name=$1 bin=$2 dir=$work/$1 port pid
  shift 2
  mkdir -p "$dir"
  for _ in 1 2 3 4 5; do
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
  forget_pid "$pid"
}

# Removes $1 from started_pids (it has been stopped).
forget_pid() {
  local p kept=()
  for p in "${started_pids[@]}"; do [[ $p == "$1" ]] || kept+=("$p"); done
  started_pids=("${kept[@]}")
}

# Stops server NAME (ferrodis or redis) if this script has started it.
stop_server() {
  local pid_var=${1}_pid
  if [[ -n ${!pid_var:-} ]]; then
    stop_pid "${!pid_var}"
    printf -v "$pid_var" %s ""
  fi
}

start_ferrodis() { start_server ferrodis "$FERRODIS_BIN" "${ferrodis_args[@]}"; }
start_redis() { start_server redis "$REDIS_BIN"; }

# Prints the redis-benchmark arguments that select test $1. XADD has no built-in test
# in redis-benchmark 7.0, so it runs as the command that later versions' test sends;
# EVAL (not a default test) runs a script that does one SET (written without spaces:
# the arguments are split on them).
bench_args() {
  case $1 in
    XADD) echo "XADD mystream * myfield xxx" ;;
    EVAL) echo "EVAL return(redis.call('set',KEYS[1],ARGV[1])) 1 key:__rand_int__ xxx" ;;
    *) echo "-t ${1,,}" ;;
  esac
}

# Prints the rps of test $2 from redis-benchmark CSV file $1 ("test","rps",...): the
# row named $2 or "$2 (...)", or the only row of a custom command.
csv_rps() {
  awk -F'","' -v t="$2" 'NR > 1 {
      name = substr($1, 2)
      if (name == t || index(name, t " (") == 1 || t == "XADD" || t == "EVAL") { print $2; exit }
    }' "$1"
}

# CPU time (ns) that process $1 has used so far, all its threads (schedstat's first
# field), or 0 when it cannot be read.
cpu_ns() {
  cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f", s + 0 }'
}

# run_bench PORT TEST P [PID]: runs one redis-benchmark and prints its rps, or the reason
# it gave none: unsupported (error reply), error, timeout, failed, no result. With PID,
# also writes the server's CPU microseconds per request of the run to $work/cpu.out.
run_bench() {
  local port=$1 test=$2 p=$3 pid=${4:-} out=$work/bench.out err=$work/bench.err rc=0 rps
  local cpu_before=0 TIMEFORMAT='%3R %3U %3S'
  local -a selector
  read -r -a selector <<<"$(bench_args "$test")"
  [[ -n $pid ]] && cpu_before=$(cpu_ns "$pid")
  # `time` writes the client's wall, user and system seconds to client.time: how busy
  # redis-benchmark itself was (near 100%: the client, not the server, set the pace).
  {
    time timeout "$TIMEOUT" redis-benchmark -h 127.0.0.1 -p "$port" -c "$C" -n "$N" -P "$p" \
      --csv "${selector[@]}" >"$out" 2>"$err" </dev/null || rc=$?
  } 2>"$work/client.time"
  if ((rc == 124)); then echo timeout; return; fi
  if grep -q "Error from server" "$err"; then
    if grep -qi "unknown command" "$err"; then echo unsupported; else echo error; fi
    return
  fi
  if [[ -n $pid ]]; then
    awk -v a="$cpu_before" -v b="$(cpu_ns "$pid")" -v n="$N" \
      'BEGIN { printf "%.3f\n", (b - a) / 1000 / n }' >"$work/cpu.out"
  fi
  awk '$1 > 0 { printf "%.0f\n", ($2 + $3) / $1 * 100; exit } END { if (NR == 0) print "n/a" }' \
    "$work/client.time" >"$work/client.out"
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

# Prints the median of its arguments that are numbers, rounded, or n/a if none is.
median_pct() {
  local -a nums=()
  local v
  for v in "$@"; do is_number "$v" && nums+=("$v"); done
  if ((${#nums[@]})); then median "${nums[@]}" | awk '{ printf "%.0f\n", $1 }'; else echo n/a; fi
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
  local -n vals=${server}_vals cpus=${server}_cpus clients=${server}_clients
  result=$(run_bench "${!port_var}" "$test" "$p" "${!pid_var}")
  if is_number "$result"; then
    vals+=("$result")
    cpus+=("$(cat "$work/cpu.out")")
    clients+=("$(cat "$work/client.out")")
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
  local test p rep first second server fail_var f_med r_med f_cpu r_cpu f_cli r_cli
  printf '%-12s %3s %14s %14s %6s %10s %10s %8s %6s %6s\n' test P ferrodis_rps redis_rps ratio \
    f_cpu_us r_cpu_us per_core f_cli% r_cli%
  for test in $TESTS; do
    for p in $PIPELINES; do
      ferrodis_vals=() redis_vals=() ferrodis_fail="" redis_fail=""
      ferrodis_cpus=() redis_cpus=() ferrodis_clients=() redis_clients=()
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
      f_cpu=$( ((${#ferrodis_cpus[@]})) && median "${ferrodis_cpus[@]}" || echo n/a)
      r_cpu=$( ((${#redis_cpus[@]})) && median "${redis_cpus[@]}" || echo n/a)
      f_cli=$(median_pct "${ferrodis_clients[@]}")
      r_cli=$(median_pct "${redis_clients[@]}")
      printf '%-12s %3s %14s %14s %6s %10s %10s %8s %6s %6s\n' "$test" "$p" "$f_med" "$r_med" \
        "$(ratio "$f_med" "$r_med")" "$f_cpu" "$r_cpu" "$(ratio "$r_cpu" "$f_cpu")" "$f_cli" "$r_cli"
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
  if [[ $used != n/a ]]; then used=$(awk -v b="$used" 'BEGIN { printf "%.1f", b / 1048576 }'); fi
  per_key=$(awk -v a="$after" -v b="$before" -v n="$KEYS" 'BEGIN { printf "%.0f", (a - b) * 1024 / n }')
  printf '%-9s %8s %10s %9s %10.1f %14s %9s  %s\n' "$server" "$secs" \
    "$(awk -v n="$KEYS" -v s="$secs" 'BEGIN { printf (s > 0 ? "%.0f" : "n/a"), n / s }')" \
    "$dbsize" "$(awk -v k="$after" 'BEGIN { print k / 1024 }')" \
    "$used" \
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
  stop_server ferrodis
  stop_server redis
  start_ferrodis || die "could not start ferrodis for the bulk load"
  start_redis || die "could not start redis-server for the bulk load"
  load_one ferrodis "$file"
  load_one redis "$file"
  echo "ferrodis/redis: time $(ratio "$ferrodis_secs" "$redis_secs"), VmRSS $(ratio "$ferrodis_rss" "$redis_rss") (below 1: ferrodis is faster, smaller)"
}

# ---------------------------------------------------------------------------------------
# RDB persistence benchmark (issue 3)

declare -A rdb_vals=()
rdb_notes=()

# gen_rdb_dataset FILE: writes to FILE, in RESP, the commands that create the RDB_KEYS keys
# key:000000000000 .. of the RDB_TYPES dataset (the names redis-benchmark -r uses).
gen_rdb_dataset() {
  awk -v n="$RDB_KEYS" -v mixed="$([[ $RDB_TYPES == mixed ]] && echo 1 || echo 0)" '
    # Writes a[1..argc] as one RESP command.
    function emit(argc,   j, out) {
      out = "*" argc "\r\n"
      for (j = 1; j <= argc; j++) out = out "$" length(a[j]) "\r\n" a[j] "\r\n"
      printf "%s", out
    }
    # A string value of kind k (0-19): 0-8 short, 9-14 100 random bytes, 15 1 KB
    # compressible, 16-19 integers of 8, 16, 32 and 64 bits.
    function str(i, k) {
      if (k < 9) return "v" i
      if (k < 15) return pool[i % 1000] sprintf("%010d", i)
      if (k == 15) return sprintf("%010d:", i) filler
      if (k == 16) return sprintf("%d", i % 100)
      if (k == 17) return sprintf("%d", i % 60000 - 30000)
      if (k == 18) return "-" (1000000000 + i % 1000000000)
      return "92233" sprintf("%013d", i)
    }
    # Elements of a collection: how many a key i gets (some large encodings).
    function count(i, small, large) { return int(i / 20) % 50 == 1 ? large : small }
    BEGIN {
      srand(42)
      abc = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/"
      for (p = 0; p < 1000; p++) {
        s = ""
        for (j = 0; j < 90; j++) s = s substr(abc, int(rand() * 64) + 1, 1)
        pool[p] = s
      }
      filler = ""
      while (length(filler) < 1013) filler = filler "the quick brown fox jumps over the lazy dog; "
      filler = substr(filler, 1, 1013)
      for (i = 0; i < n; i++) {
        k = sprintf("key:%012d", i); b = i % 20; ttl = int(i / 20) % 10 == 0
        if (!mixed || b < 12) {
          a[1] = "SET"; a[2] = k; a[3] = str(i, mixed ? int(i / 20) % 20 : b)
          if (ttl) { a[4] = "EX"; a[5] = 86400 + i % 86400; emit(5) } else emit(3)
          continue
        }
        a[2] = k; argc = 2
        if (b < 14) {
          a[1] = "RPUSH"; m = count(i, 6, 300)
          for (j = 0; j < m; j++) a[++argc] = j % 2 ? j : "elem-" j "-" i
        } else if (b < 16) {
          a[1] = "HSET"; m = count(i, 5, 200)
          for (j = 0; j < m; j++) { a[++argc] = "field" j; a[++argc] = j % 2 ? i + j : "value-" j }
        } else if (b < 18) {
          a[1] = "SADD"; m = count(i, 8, 600)
          for (j = 0; j < m; j++) a[++argc] = (i % 2 ? "member-" j : j * 7 + i % 100)
        } else {
          a[1] = "ZADD"; m = count(i, 6, 200)
          for (j = 0; j < m; j++) { a[++argc] = j * 1.5; a[++argc] = "member-" j }
        }
        emit(argc)
        if (ttl) { a[1] = "EXPIRE"; a[3] = 86400 + i % 86400; emit(3) }
      }
    }' >"$1"
}

# Prints the commands of RPUSH HSET SADD ZADD that the server on port $1 lacks.
missing_type_commands() {
  local cmd reply missing=()
  for cmd in RPUSH HSET SADD ZADD; do
    reply=$(timeout 10 redis-cli -p "$1" command info "$cmd" 2>/dev/null) || true
    [[ -n ${reply//[$'\r\n ']/} ]] || missing+=("$cmd")
  done
  echo "${missing[*]}"
}

# Sets REPLY to the proportional set size (kB) of process $1, 0 if it is gone.
pss_kb() {
  local k v
  REPLY=0
  [[ -r /proc/$1/smaps_rollup ]] || return 0
  while read -r k v _; do
    if [[ $k == Pss: ]]; then REPLY=$v; return 0; fi
  done 2>/dev/null </proc/"$1"/smaps_rollup || true
}

# Sets the array named $2 to the child processes of process $1 (a forked BGSAVE child).
child_pids() {
  local -n children_out=$2
  local f line rest
  children_out=()
  for f in /proc/[0-9]*/stat; do
    { IFS= read -r line <"$f"; } 2>/dev/null || continue
    rest=${line##*) } rest=${rest#* }
    [[ ${rest%% *} == "$1" ]] && children_out+=("${f//[^0-9]/}")
  done
  return 0
}

# Sets REPLY to the PSS (kB) of process $1 plus that of the processes listed in array $2:
# the memory both really use, shared copy-on-write pages counted once.
tree_pss_kb() {
  local -n tree_list=$2
  local total kid
  pss_kb "$1"; total=$REPLY
  for kid in "${tree_list[@]}"; do pss_kb "$kid"; total=$((total + REPLY)); done
  REPLY=$total
}

# Succeeds while INFO persistence, asked on the open connection fd $1, shows a BGSAVE in
# progress; fails when it shows none or the connection fails.
bgsave_running() {
  local fd=$1 len body
  printf 'INFO persistence\r\n' 1>&"$fd" 2>/dev/null || return 1
  IFS= read -r -t 5 len <&"$fd" || return 1
  len=${len%$'\r'}
  [[ $len =~ ^\$[0-9]+$ ]] || return 1
  IFS= read -r -t 5 -N $((${len#\$} + 2)) body <&"$fd" || return 1
  [[ $body == *"rdb_bgsave_in_progress:1"* ]]
}

# bgsave_sampler PID PORT OUT [MEM]: watches the BGSAVE of the server on PORT (asked every
# 40 ms) until it shows none in progress or BENCH_TIMEOUT s have passed, then writes
# "PEAK_KB END_US SAMPLES" to OUT (END_US 0: no end). With MEM=1 it also samples the
# memory of PID and its children every 20 ms (PEAK_KB; 0 without). That sampling is not
# free: reading smaps_rollup walks the process's page tables under its memory map lock,
# which stalls the page faults and mmap calls of a server that is growing (it took
# ferrodis's SET throughput during a BGSAVE from 0.71 of normal to 0.60, Redis's from
# 0.73 to 0.63); so the throughput run and the memory run are separate BGSAVEs.
bgsave_sampler() {
  local pid=$1 port=$2 out=$3 mem=${4:-0} peak=0 n=0 end_us=0 fd deadline=$((SECONDS + TIMEOUT))
  # shellcheck disable=SC2034  # read through a nameref
  local -a kids=()
  LC_ALL=C
  if exec {fd}<>"/dev/tcp/127.0.0.1/$port"; then
    child_pids "$pid" kids
    while ((SECONDS < deadline)); do
      if ((mem)); then
        tree_pss_kb "$pid" kids
        ((REPLY <= peak)) || peak=$REPLY
      fi
      n=$((n + 1))
      if ((n % 2 == 0)) && ! bgsave_running "$fd"; then
        end_us=${EPOCHREALTIME/./}
        break
      fi
      ((n % 10)) || child_pids "$pid" kids
      sleep 0.02
    done
  fi
  echo "$peak $end_us $n" >"$out"
}

# rdb_set_bench PORT N: N SETs of redis-benchmark over the dataset's keys; prints the
# requests per second, or nothing.
rdb_set_bench() {
  timeout "$TIMEOUT" redis-benchmark -h 127.0.0.1 -p "$1" -t set -r "$RDB_KEYS" -n "$2" \
    -c "$C" -P 16 --csv >"$work/rdb-bench.out" 2>"$work/rdb-bench.err" </dev/null || true
  csv_rps "$work/rdb-bench.out" SET
}

# info_field PORT SECTION FIELD: prints FIELD of INFO SECTION, or n/a.
info_field() {
  local v
  v=$(timeout 10 redis-cli -p "$1" info "$2" 2>/dev/null | tr -d '\r' |
    awk -F: -v f="$3" '$1 == f { print $2 }') || true
  echo "${v:-n/a}"
}

# rdb_put SERVER METRIC VALUE: records one measurement (numbers only).
rdb_put() { if [[ $3 =~ ^-?[0-9]+(\.[0-9]+)?$ ]]; then rdb_vals[$1.$2]+="$3 "; fi; }

# Prints (b - a) / d with D decimals: calc A B D DIV.
calc() { awk -v a="$1" -v b="$2" -v d="$3" -v q="$4" 'BEGIN { printf "%.*f", d, (b - a) / q }'; }

# rdb_fail SERVER WHAT: notes a failed step and stops the server.
rdb_fail() {
  rdb_notes+=("$1: $2; end of its log: $(tail -n 2 "$work/$1/server.log" 2>/dev/null | tr '\n' ' ')")
  stop_server "$1"
  return 1
}

# rdb_reload SERVER PORT FILE: empties the server and loads the dataset FILE again, then
# has the allocator give its free pages back (MEMORY PURGE): each BGSAVE run then starts
# as the first did, its new copies in pages taken from the system. Pages left free by an
# earlier run would make a later one look cheaper: ferrodis's copy-on-write memory
# measured 3 MB instead of 33 MB, and its SETs were 10% faster.
rdb_reload() {
  timeout 60 redis-cli -p "$2" flushall >/dev/null 2>&1 || true
  timeout 600 redis-cli -p "$2" --pipe <"$3" >"$work/rdb-pipe.out" 2>&1 ||
    { rdb_fail "$1" "redis-cli --pipe failed: $(tail -n 1 "$work/rdb-pipe.out")"; return 1; }
  timeout 60 redis-cli -p "$2" memory purge >/dev/null 2>&1 || true
}

# rdb_bgsave_under_sets SERVER PORT PID N MEM: starts a BGSAVE and runs N SETs during it,
# watched by bgsave_sampler (MEM=1: with memory sampling). Sets REPLY to "RPS T0_US
# SETS_START_US SETS_END_US BGSAVE_END_US PEAK_EXTRA_KB SAMPLES"; fails (and stops the
# server) if the BGSAVE did not start or end well.
rdb_bgsave_under_sets() {
  local server=$1 port=$2 pid=$3 n=$4 mem=$5 before=0 t0 reply b0 rps b1 peak end_us samples
  # shellcheck disable=SC2034  # read through a nameref
  local -a none=()
  if ((mem)); then tree_pss_kb "$pid" none; before=$REPLY; fi
  t0=${EPOCHREALTIME/./}
  reply=$(timeout 10 redis-cli -p "$port" bgsave 2>&1) || true
  [[ $reply == "Background saving started" ]] || { rdb_fail "$server" "BGSAVE replied: $reply"; return 1; }
  bgsave_sampler "$pid" "$port" "$work/rdb-sampler.out" "$mem" &
  helper_pids+=("$!")
  b0=${EPOCHREALTIME/./}
  rps=$(rdb_set_bench "$port" "$n")
  b1=${EPOCHREALTIME/./}
  wait "${helper_pids[-1]}" || true
  unset 'helper_pids[-1]'
  read -r peak end_us samples <"$work/rdb-sampler.out" || true
  if ((${end_us:-0} == 0)); then rdb_fail "$server" "BGSAVE still running after ${TIMEOUT}s"; return 1; fi
  [[ $(info_field "$port" persistence rdb_last_bgsave_status) == ok ]] ||
    rdb_notes+=("$server: rdb_last_bgsave_status is not ok")
  REPLY="${rps:-n/a} $t0 $b0 $b1 $end_us $((peak > before ? peak - before : 0)) $samples"
}

# rdb_run SERVER FILE: one measurement of SERVER, started fresh with dataset FILE piped
# in; records every metric with rdb_put and stops the server.
rdb_run() {
  local server=$1 file=$2 dir=$work/$1 port_var=${1}_port pid_var=${1}_pid port pid
  local warm t0 t1 reply save_us setn rps_bg rps rps_mem peak end_us samples b0 b1 cow
  rm -f "$dir"/*.rdb
  "start_$server" || { rdb_notes+=("could not start $server"); return 1; }
  port=${!port_var} pid=${!pid_var}
  # A short SET run sizes the throughput runs; then the dataset.
  warm=$(rdb_set_bench "$port" $((RDB_KEYS / 10 > 20000 ? RDB_KEYS / 10 : 20000)))
  timeout 60 redis-cli -p "$port" flushall >/dev/null 2>&1 || true
  t0=${EPOCHREALTIME/./}
  timeout 600 redis-cli -p "$port" --pipe <"$file" >"$work/rdb-pipe.out" 2>&1 ||
    { rdb_fail "$server" "redis-cli --pipe failed: $(tail -n 1 "$work/rdb-pipe.out")"; return 1; }
  t1=${EPOCHREALTIME/./}
  rdb_put "$server" load_s "$(calc "$t0" "$t1" 2 1e6)"
  reply=$(timeout 10 redis-cli -p "$port" dbsize 2>/dev/null) || true
  [[ $reply == "$RDB_KEYS" ]] || rdb_notes+=("$server: DBSIZE $reply after the load, not $RDB_KEYS")
  # SAVE
  t0=${EPOCHREALTIME/./}
  reply=$(timeout "$TIMEOUT" redis-cli -p "$port" save 2>&1) || true
  t1=${EPOCHREALTIME/./}
  [[ $reply == OK ]] || { rdb_fail "$server" "SAVE replied: $reply"; return 1; }
  save_us=$((t1 - t0))
  rdb_put "$server" save_ms "$(calc 0 "$save_us" 1 1e3)"
  rdb_put "$server" rdb_bytes "$(stat -c %s "$dir/dump.rdb" 2>/dev/null || echo n/a)"
  # Size the SET runs to last ~60% of a SAVE, so the one during BGSAVE overlaps it.
  if [[ -n $RDB_SET_N ]]; then setn=$RDB_SET_N
  elif is_number "${warm:-x}"; then
    setn=$(awk -v r="$warm" -v s="$save_us" 'BEGIN { n = r * s / 1e6 * 0.6; n = int(n / 1000) * 1000; print (n < 10000 ? 10000 : n) }')
  else
    setn=100000
    rdb_notes+=("$server: the sizing SET run gave no result; $setn SETs per run")
  fi
  rdb_put "$server" set_n "$setn"
  # The SET run without BGSAVE, on the freshly loaded data; then the dataset is loaded
  # again so the run during BGSAVE starts from the same state (a run after it would
  # meet values the first run had shrunk and, in ferrodis, entries that the BGSAVE's
  # page copies had packed together: both flatter the "without").
  rps=$(rdb_set_bench "$port" "$setn")
  # BGSAVE under a 100% SET load, twice from the same state: once for the throughput,
  # with nothing but a poll for its end beside it, once for the memory (see
  # bgsave_sampler).
  rdb_reload "$server" "$port" "$file" && rdb_bgsave_under_sets "$server" "$port" "$pid" "$setn" 0 ||
    return 1
  read -r rps_bg t0 b0 b1 end_us _ _ <<<"$REPLY"
  rdb_put "$server" block_us "$(info_field "$port" stats latest_fork_usec)"
  rdb_put "$server" bgsave_s "$(calc "$t0" "$end_us" 2 1e6)"
  rdb_put "$server" overlap_pct "$(awk -v b0="$b0" -v b1="$b1" -v e="$end_us" 'BEGIN {
      o = ((e < b1 ? e : b1) - b0) / (b1 - b0) * 100; printf "%.0f", o < 0 ? 0 : o }')"
  rdb_reload "$server" "$port" "$file" && rdb_bgsave_under_sets "$server" "$port" "$pid" "$setn" 1 ||
    return 1
  read -r rps_mem _ _ _ _ peak samples <<<"$REPLY"
  rdb_put "$server" peak_mib "$(calc 0 "$peak" 1 1024)"
  cow=$(info_field "$port" persistence rdb_last_cow_size)
  is_number "$cow" && rdb_put "$server" cow_mib "$(calc 0 "$cow" 1 1048576)"
  rdb_put "$server" samples "$samples"
  is_number "${rps_mem:-x}" && is_number "${rps:-x}" &&
    rdb_put "$server" fraction_sampled "$(calc 0 "$rps_mem" 3 "$rps")"
  # The same SET run once more, after the BGSAVE (for reference only).
  rdb_put "$server" rps_after "$(rdb_set_bench "$port" "$setn")"
  rdb_put "$server" rps_normal "$rps"
  rdb_put "$server" rps_bgsave "$rps_bg"
  if is_number "${rps:-x}" && is_number "${rps_bg:-x}"; then
    rdb_put "$server" fraction "$(calc 0 "$rps_bg" 3 "$rps")"
  else
    rdb_notes+=("$server: a SET run gave no result: $(head -c 200 "$work/rdb-bench.err" | tr '\n' ' ')")
  fi
  stop_server "$server"
  rm -f "$dir"/*.rdb
}

# rdb_median SERVER METRIC: prints the median of the recorded values, or n/a.
rdb_median() {
  local -a v
  read -r -a v <<<"${rdb_vals[$1.$2]:-}"
  if ((${#v[@]})); then median "${v[@]}"; else echo n/a; fi
}

# rdb_row LABEL METRIC DECIMALS: prints one table row: medians of both and the ratio.
rdb_row() {
  local f r
  f=$(rdb_median ferrodis "$2") r=$(rdb_median redis "$2")
  is_number "${f#-}" && f=$(awk -v x="$f" -v d="$3" 'BEGIN { printf "%.*f", d, x }')
  is_number "${r#-}" && r=$(awk -v x="$r" -v d="$3" 'BEGIN { printf "%.*f", d, x }')
  printf '%-34s %14s %14s %7s\n' "$1" "$f" "$r" "$(ratio "$f" "$r")"
}

# target DESCRIPTION AWK-CONDITION-ON-f-AND-r METRIC: prints "DESCRIPTION: yes|no|n/a".
target() {
  local f r
  f=$(rdb_median ferrodis "$3") r=$(rdb_median redis "$3")
  if [[ $f == n/a || $r == n/a ]]; then echo "$1: n/a"; return; fi
  echo "$1: $(awk -v f="$f" -v r="$r" "BEGIN { print ($2) ? \"yes\" : \"no\" }")"
}

# The RDB section: dataset, alternating runs, table of medians.
run_rdb() {
  local file=$work/rdb.resp rep missing t0 bytes
  echo
  echo "rdb: $RDB_KEYS keys, $RDB_TYPES dataset, one fresh server at a time, alternating, median of $REPEAT run(s)"
  if [[ $RDB_TYPES == mixed ]]; then
    start_ferrodis || die "could not start ferrodis"
    missing=$(missing_type_commands "$ferrodis_port")
    stop_server ferrodis
    if [[ -n $missing ]]; then
      echo "rdb: BENCH_RDB_TYPES=mixed refused: ferrodis does not implement $missing yet;" \
        "run BENCH_RDB_TYPES=strings (section skipped)"
      return 0
    fi
  fi
  stop_server ferrodis
  stop_server redis
  t0=$SECONDS
  gen_rdb_dataset "$file"
  bytes=$(stat -c %s "$file")
  if [[ $RDB_TYPES == strings ]]; then
    echo "dataset: SET key:%012d; 45% short, 30% 100 random bytes, 5% 1 KB compressible, 20% integers (8-64 bit); 10% with EX"
  else
    echo "dataset: 60% strings as in 'strings', 10% each lists, hashes, sets, sorted sets (2% of them large); 10% with a TTL"
  fi
  echo "($((bytes / 1048576)) MiB of RESP, made in $((SECONDS - t0)) s); SET runs: redis-benchmark -t set -r $RDB_KEYS -c $C -P 16"
  for ((rep = 1; rep <= REPEAT; rep++)); do
    if ((rep % 2)); then
      rdb_run ferrodis "$file" || true
      rdb_run redis "$file" || true
    else
      rdb_run redis "$file" || true
      rdb_run ferrodis "$file" || true
    fi
  done
  rm -f "$file"
  printf '%-34s %14s %14s %7s\n' metric ferrodis redis ratio
  rdb_row "load_through_pipe_s" load_s 2
  rdb_row "save_ms" save_ms 1
  rdb_row "rdb_size_bytes" rdb_bytes 0
  rdb_row "bgsave_block_us (latest_fork_usec)" block_us 0
  rdb_row "bgsave_duration_under_sets_s" bgsave_s 2
  rdb_row "bgsave_peak_extra_mem_MiB (PSS)" peak_mib 1
  rdb_row "rdb_last_cow_size_MiB" cow_mib 1
  rdb_row "set_rps_without_bgsave" rps_normal 0
  rdb_row "set_rps_after_bgsave (reference)" rps_after 0
  rdb_row "set_rps_during_bgsave" rps_bgsave 0
  rdb_row "set_rps_fraction_during_bgsave" fraction 3
  rdb_row "same, memory sampled (reference)" fraction_sampled 3
  rdb_row "set_run_overlap_with_bgsave_pct" overlap_pct 0
  rdb_row "set_run_requests" set_n 0
  rdb_row "memory_samples_during_bgsave" samples 0
  echo "targets: $(target "rdb size within 2%" "f >= r * 0.98 && f <= r * 1.02" rdb_bytes);" \
    "$(target "block <= redis fork" "f <= r" block_us);" \
    "$(target "SAVE <= redis" "f <= r" save_ms);" \
    "$(target "SET during BGSAVE >= 90% of normal" "f >= 0.9" fraction)"
  if ((${#rdb_notes[@]})); then
    echo "rdb notes:"
    printf '  %s\n' "${rdb_notes[@]}"
  fi
}

# ---- repl section (issue 5): full sync time, throughput with replicas, replica lag.
declare -A repl_vals=()

# repl_offset PORT FIELD: an integer field of INFO replication (empty if absent).
repl_field() {
  timeout 5 redis-cli -p "$1" info replication 2>/dev/null | tr -d '\r' | sed -n "s/^$2://p"
}

# repl_wait_up PORT...: polls until every replica's master_link_status is up (600 s).
repl_wait_up() {
  local deadline=$((SECONDS + 600)) p ok
  while ((SECONDS < deadline)); do
    ok=1
    for p in "$@"; do [[ $(repl_field "$p" master_link_status) == up ]] || ok=0; done
    ((ok)) && return 0
    sleep 0.05
  done
  return 1
}

# repl_set_rps PORT P: SET requests/second of one redis-benchmark run against PORT with
# pipeline depth P.
repl_set_rps() {
  timeout "$TIMEOUT" redis-benchmark -p "$1" -t set -n "$N" -c "$C" -P "$2" -r "$REPL_KEYS" -q 2>/dev/null |
    tr '\r' '\n' | awk '/requests per second/ { v = $2 } END { print (v == "" ? "n/a" : v) }'
}

# repl_run KIND BIN: one run of every repl measurement for ferrodis or redis.
repl_run() {
  local kind=$1 bin=$2 m r1 r2 t0 p rps2 lag maxlag bpid m1 m2 r
  local -A rps0=()
  local args=(--repl-diskless-sync yes --repl-diskless-sync-delay 0)
  start_server "${kind}_m" "$bin" "${args[@]}" || return 1
  m=${kind}_m_port
  m=${!m}
  awk -v n="$REPL_KEYS" 'BEGIN { for (i = 0; i < n; i++) printf "SET key:%012d %s\n", i, "value-" i "-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" }' |
    redis-cli -p "$m" --pipe >/dev/null
  for p in $PIPELINES; do rps0[$p]=$(repl_set_rps "$m" "$p"); done
  t0=$(date +%s.%N)
  start_server "${kind}_r1" "$bin" "${args[@]}" --replicaof 127.0.0.1 "$m" || return 1
  r1=${kind}_r1_port
  r1=${!r1}
  repl_wait_up "$r1" || return 1
  repl_vals[$kind,sync1_s]+=" $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')"
  stop_server "${kind}_r1"
  t0=$(date +%s.%N)
  start_server "${kind}_r1" "$bin" "${args[@]}" --replicaof 127.0.0.1 "$m" || return 1
  start_server "${kind}_r2" "$bin" "${args[@]}" --replicaof 127.0.0.1 "$m" || return 1
  r1=${kind}_r1_port r2=${kind}_r2_port
  r1=${!r1} r2=${!r2}
  repl_wait_up "$r1" "$r2" || return 1
  repl_vals[$kind,sync2_s]+=" $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')"
  # Throughput with both replicas attached.
  for p in $PIPELINES; do
    rps2=$(repl_set_rps "$m" "$p")
    repl_vals[$kind,rps0_$p]+=" ${rps0[$p]}"
    repl_vals[$kind,rps2_$p]+=" $rps2"
    repl_vals[$kind,fraction_$p]+=" $(awk -v a="$rps2" -v b="${rps0[$p]}" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')"
  done
  # The lag of one replica, sampled under a load of its own. No pause between samples:
  # the INFO calls take a few ms, and a run may last only a fraction of a second. The
  # replica's offset is read between two reads of the master's and compared with their
  # mean: reading the master's alone first would count the replica's progress during
  # the second call against the lag (lags of a few ms would read as 0).
  repl_set_rps "$m" 16 >/dev/null &
  bpid=$!
  helper_pids+=("$bpid")
  maxlag=0
  while kill -0 "$bpid" 2>/dev/null; do
    m1=$(repl_field "$m" master_repl_offset)
    r=$(repl_field "$r1" slave_repl_offset)
    m2=$(repl_field "$m" master_repl_offset)
    lag=$(((m1 + m2) / 2 - r))
    ((lag > maxlag)) && maxlag=$lag
  done
  wait "$bpid" || true
  repl_vals[$kind,maxlag]+=" $maxlag"
  stop_server "${kind}_r1"
  stop_server "${kind}_r2"
  stop_server "${kind}_m"
}

# repl_row LABEL KEY: median of each server and the ratio.
repl_row() {
  local f r
  f=$(median ${repl_vals[ferrodis,$2]:-n/a}) r=$(median ${repl_vals[redis,$2]:-n/a})
  printf '%-40s %14s %14s %7s\n' "$1" "$f" "$r" "$(ratio "$f" "$r")"
}

run_repl() {
  local rep
  echo
  echo "repl: $REPL_KEYS keys (~60-byte values), diskless sync with delay 0 on both, median of $REPEAT run(s)"
  for ((rep = 1; rep <= REPEAT; rep++)); do
    if ((rep % 2)); then
      repl_run ferrodis "$FERRODIS_BIN" || echo "repl: a ferrodis run failed"
      repl_run redis "$REDIS_BIN" || echo "repl: a redis run failed"
    else
      repl_run redis "$REDIS_BIN" || echo "repl: a redis run failed"
      repl_run ferrodis "$FERRODIS_BIN" || echo "repl: a ferrodis run failed"
    fi
  done
  printf '%-40s %14s %14s %7s\n' metric ferrodis redis ratio
  repl_row "full_sync_one_replica_s" sync1_s
  repl_row "full_sync_two_replicas_s" sync2_s
  for p in $PIPELINES; do
    repl_row "set_rps_no_replica (-P $p)" "rps0_$p"
    repl_row "set_rps_two_replicas (-P $p)" "rps2_$p"
    repl_row "set_rps_fraction_two_replicas (-P $p)" "fraction_$p"
  done
  repl_row "replica_max_lag_bytes_under_set_load" maxlag
}

# ---- aof ------------------------------------------------------------------------------
declare -A aof_vals=()

# aof_start SERVER ARGS...: starts SERVER (ferrodis or redis) fresh with appendonly yes.
aof_start() {
  local server=$1 bin
  shift
  rm -rf "${work:?}/$server"
  if [[ $server == ferrodis ]]; then bin=$FERRODIS_BIN; else bin=$REDIS_BIN; fi
  start_server "$server" "$bin" --appendonly yes "$@"
}

# aof_dir_bytes SERVER: total size of the files of SERVER's AOF directory.
aof_dir_bytes() { du -cb "$work/$1/appendonlydir"/* 2>/dev/null | awk 'END { print $1 + 0 }'; }

# aof_wait_rewrite PORT: waits (up to BENCH_TIMEOUT) until no AOF rewrite runs.
aof_wait_rewrite() {
  local deadline=$((SECONDS + TIMEOUT))
  while ((SECONDS < deadline)); do
    [[ $(info_field "$1" persistence aof_rewrite_in_progress) == 0 ]] && return 0
    sleep 0.05
  done
  return 1
}

# aof_run SERVER: one round of every AOF measurement of SERVER.
aof_run() {
  local server=$1 port_var=${1}_port fsync p rps t0 t1 maxlat lat
  for fsync in everysec always; do
    aof_start "$server" --appendfsync "$fsync" || return 1
    for p in $PIPELINES; do
      rps=$(run_bench "${!port_var}" SET "$p")
      is_number "$rps" && aof_vals[$server,set_$fsync,$p]+=" $rps"
    done
    stop_server "$server"
  done
  aof_start "$server" || return 1
  redis-cli -p "${!port_var}" --pipe <"$work/aof-lines.txt" >/dev/null
  stop_server "$server"
  aof_vals[$server,size]+=" $(aof_dir_bytes "$server")"
  aof_start "$server" || return 1
  redis-cli -p "${!port_var}" --pipe <"$work/aof-keys.txt" >/dev/null
  t0=$(date +%s.%N)
  redis-cli -p "${!port_var}" bgrewriteaof >/dev/null
  maxlat=0
  while [[ $(info_field "${!port_var}" persistence aof_rewrite_in_progress) == 1 ]]; do
    lat=$(timeout 5 redis-cli -p "${!port_var}" --latency --raw -i 1 2>/dev/null | awk '{ print $2 }')
    [[ -n $lat ]] && ((lat > maxlat)) && maxlat=$lat
  done
  aof_wait_rewrite "${!port_var}" || { stop_server "$server"; return 1; }
  t1=$(date +%s.%N)
  aof_vals[$server,rewrite_s]+=" $(calc "$t0" "$t1" 2 1)"
  aof_vals[$server,fork_us]+=" $(info_field "${!port_var}" stats latest_fork_usec)"
  aof_vals[$server,maxlat_ms]+=" $maxlat"
  stop_server "$server"
}

# aof_row LABEL KEY: median of each server and the ratio.
# shellcheck disable=SC2086  # the stored values are split on purpose
aof_row() {
  local f r
  f=$(median ${aof_vals[ferrodis,$2]:-n/a}) r=$(median ${aof_vals[redis,$2]:-n/a})
  printf '%-40s %14s %14s %7s\n' "$1" "$f" "$r" "$(ratio "$f" "$r")"
}

run_aof() {
  local rep p fsync
  echo
  echo "aof: SET -c $C -n $N; size after $AOF_LINES 'set k<i> v<i>'; rewrite of $AOF_KEYS keys; median of $REPEAT run(s)"
  awk -v n="$AOF_LINES" 'BEGIN { for (i = 1; i <= n; i++) printf "set k%d v%d\n", i, i }' >"$work/aof-lines.txt"
  awk -v n="$AOF_KEYS" 'BEGIN { for (i = 1; i <= n; i++) printf "SET key:%d value:%d\n", i, i }' >"$work/aof-keys.txt"
  for ((rep = 1; rep <= REPEAT; rep++)); do
    if ((rep % 2)); then
      aof_run ferrodis || echo "aof: a ferrodis run failed"
      aof_run redis || echo "aof: a redis run failed"
    else
      aof_run redis || echo "aof: a redis run failed"
      aof_run ferrodis || echo "aof: a ferrodis run failed"
    fi
  done
  printf '%-40s %14s %14s %7s\n' metric ferrodis redis ratio
  for fsync in everysec always; do
    for p in $PIPELINES; do aof_row "set_rps_appendfsync_${fsync} (-P $p)" "set_$fsync,$p"; done
  done
  aof_row "aof_dir_bytes_after_${AOF_LINES}_sets" size
  aof_row "bgrewriteaof_seconds_${AOF_KEYS}_keys" rewrite_s
  aof_row "rewrite_start_block_us (latest_fork_usec)" fork_us
  aof_row "max_ping_latency_ms_during_rewrite" maxlat_ms
}

# ---------------------------------------------------------------------------------------
# Memory of the data types (issue 6)

# gen_mem_dataset NAME FILE: writes to FILE, in RESP, the commands that build dataset
# NAME; fails for an unknown name.
gen_mem_dataset() {
  case $1 in
    list_1m)
      # RPUSH biglist, 100 elements per command: "elem:<i>" for even i, the integer i
      # for odd i.
      awk 'BEGIN {
          for (c = 0; c < 10000; c++) {
            printf "*102\r\n$5\r\nRPUSH\r\n$7\r\nbiglist\r\n"
            for (j = 0; j < 100; j++) {
              i = c * 100 + j
              v = (i % 2) ? i : "elem:" i
              printf "$%d\r\n%s\r\n", length(v), v
            }
          }
        }' >"$2" ;;
    zset_1m)
      # ZADD bigzset, 100 members per command: member:<i> with score (i * 7919) % 1000003.
      awk 'BEGIN {
          for (c = 0; c < 10000; c++) {
            printf "*202\r\n$4\r\nZADD\r\n$7\r\nbigzset\r\n"
            for (j = 0; j < 100; j++) {
              i = c * 100 + j
              m = "member:" i
              s = sprintf("%d", (i * 7919) % 1000003)
              printf "$%d\r\n%s\r\n$%d\r\n%s\r\n", length(s), s, length(m), m
            }
          }
        }' >"$2" ;;
    hash_100k)
      # 100k hashes hash:<i> of 10 small fields: field0..field9, even ones holding
      # "value-<j>-<i>", odd ones the integer i * 10 + j.
      awk 'BEGIN {
          for (i = 0; i < 100000; i++) {
            k = sprintf("hash:%06d", i)
            printf "*22\r\n$4\r\nHSET\r\n$%d\r\n%s\r\n", length(k), k
            for (j = 0; j < 10; j++) {
              v = (j % 2) ? i * 10 + j : "value-" j "-" i
              printf "$6\r\nfield%d\r\n$%d\r\n%s\r\n", j, length(v), v
            }
          }
        }' >"$2" ;;
    set_100k | strset_100k)
      # 100k small sets of 8 members: integers i + 7j (intsets), or for strset_100k
      # "member-<(i + j) % 1000>" (hash tables: Redis 7.0 has no listpack sets).
      awk -v strs="$([[ $1 == strset_100k ]] && echo 1 || echo 0)" 'BEGIN {
          for (i = 0; i < 100000; i++) {
            k = sprintf("set:%06d", i)
            printf "*10\r\n$4\r\nSADD\r\n$%d\r\n%s\r\n", length(k), k
            for (j = 0; j < 8; j++) {
              m = strs ? "member-" ((i + j) % 1000) : i + j * 7
              printf "$%d\r\n%s\r\n", length(m), m
            }
          }
        }' >"$2" ;;
    *) return 1 ;;
  esac
}

# mem_load_one SERVER FILE: starts SERVER fresh, pipes FILE into it and stops it; sets
# REPLY to "RSS_KB_AFTER GROWTH_KB" (empty on failure).
mem_load_one() {
  local server=$1 port_var=${1}_port pid_var=${1}_pid before after
  REPLY=""
  stop_server "$server"
  "start_$server" || return 1
  before=$(vm_rss_kb "${!pid_var}")
  if timeout 600 redis-cli -p "${!port_var}" --pipe <"$2" >"$work/mem-pipe.out" 2>&1; then
    after=$(vm_rss_kb "${!pid_var}")
    REPLY="$after $((after - before))"
  else
    notes+=("$server: loading $2 failed: $(tail -n 1 "$work/mem-pipe.out")")
  fi
  stop_server "$server"
}

# The types section: one row per dataset, MiB of VmRSS after the load and growth.
run_types_mem() {
  local set file f_rss f_grow r_rss r_grow
  echo
  echo "types memory: VmRSS after loading each dataset into a fresh server (MiB), and growth"
  printf '%-12s %12s %12s %7s %14s %14s %7s\n' dataset ferrodis redis ratio \
    ferrodis_grow redis_grow ratio
  for set in $MEM_SETS; do
    file=$work/mem-$set.resp
    gen_mem_dataset "$set" "$file" || { echo "$set: unknown dataset"; continue; }
    mem_load_one ferrodis "$file"
    read -r f_rss f_grow <<<"${REPLY:-n/a n/a}"
    mem_load_one redis "$file"
    read -r r_rss r_grow <<<"${REPLY:-n/a n/a}"
    rm -f "$file"
    mib() { if is_number "$1"; then awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; else echo n/a; fi; }
    printf '%-12s %12s %12s %7s %14s %14s %7s\n' "$set" "$(mib "$f_rss")" "$(mib "$r_rss")" \
      "$(ratio "$f_rss" "$r_rss")" "$(mib "$f_grow")" "$(mib "$r_grow")" "$(ratio "$f_grow" "$r_grow")"
  done
}

notes=()
echo "ferrodis: $FERRODIS_BIN ${FERRODIS_ARGS:-}"
echo "redis:    $(command -v "$REDIS_BIN") ($("$REDIS_BIN" --version | awk '{ print $3 }')); $(nproc) cores"
if want commands; then
  echo "redis-benchmark -c $C -n $N, pipelines: $PIPELINES, median of $REPEAT run(s)"
  echo
  start_ferrodis || die "could not start ferrodis"
  start_redis || die "could not start redis-server"
  run_benchmarks
  if ((${#notes[@]})); then
    echo
    echo "notes:"
    printf '  %s\n' "${notes[@]}"
  fi
fi
if want bulk && ((KEYS > 0)); then run_bulk_load; fi
if want rdb && ((RDB_KEYS > 0)); then run_rdb; fi
if want repl && ((REPL_KEYS > 0)); then run_repl; fi
if want types; then
  stop_server ferrodis
  stop_server redis
  run_types_mem
  if ((${#notes[@]})); then printf '  note: %s\n' "${notes[@]}"; fi
fi
if want aof && ((AOF_KEYS > 0)); then run_aof; fi
exit 0
