#!/usr/bin/env bash
# The master/replica tutorial, as a script: one master and two replicas with
# `appendonly yes`, `requirepass` on the master and `masterauth` on the replicas, started
# on free ports in a temporary directory; a key written on the master is read from both
# replicas; 100,000 `set k$i v$i` lines are piped into the master with redis-cli --pipe;
# once both replicas' offsets match the master's, each node's key count, replication
# offset and AOF size are printed side by side. Everything is stopped at the end.
#
# Environment (all optional):
#   FERRODIS_BIN   the server binary (default: target/release/ferrodis-server, built)
#   DEMO_KEYS      lines to pipe (100000)
#   DEMO_TIMEOUT   seconds to wait for each step (120)
#   DEMO_KEEP=1    keep the temporary directory (its path is printed)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KEYS=${DEMO_KEYS:-100000}
TIMEOUT=${DEMO_TIMEOUT:-120}
PASS=123456

if [[ -z ${FERRODIS_BIN:-} ]]; then
  (cd "$root" && cargo build --release --bin ferrodis-server >&2)
  FERRODIS_BIN=$root/target/release/ferrodis-server
fi
command -v redis-cli >/dev/null || { echo "redis-cli is needed" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/ferrodis-demo.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ ${DEMO_KEEP:-0} == 1 ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# A TCP port nobody listens on now.
free_port() {
  local p
  while :; do
    # Below Linux's ephemeral range (32768+), so no outgoing connection holds it.
    p=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
}

# Polls "$@" once a 0.1 s until it succeeds or TIMEOUT seconds pass.
wait_for() {
  local deadline=$((SECONDS + TIMEOUT))
  until "$@"; do
    if ((SECONDS >= deadline)); then
      echo "timed out waiting for: $*" >&2
      return 1
    fi
    sleep 0.1
  done
}

mport=$(free_port)
r1port=$(free_port)
r2port=$(free_port)
while [[ $r1port == "$mport" ]]; do r1port=$(free_port); done
while [[ $r2port == "$mport" || $r2port == "$r1port" ]]; do r2port=$(free_port); done

# The config files, written the way the tutorial writes them.
mkdir -p "$work/master" "$work/replica1" "$work/replica2"
cat >"$work/master/redis.conf" <<EOF
port $mport
dir $work/master
appendonly yes
requirepass $PASS #the password clients and replicas must give
bind 0.0.0.0 #listen on every interface
repl-diskless-sync-delay 0
save ""
EOF
for n in 1 2; do
  port_var=r${n}port
  cat >"$work/replica$n/redis.conf" <<EOF
port ${!port_var}
dir $work/replica$n
appendonly yes
replicaof 127.0.0.1 $mport
masterauth $PASS
save ""
EOF
done

start() { # name
  "$FERRODIS_BIN" "$work/$1/redis.conf" >"$work/$1/server.log" 2>&1 &
  pids+=("$!")
}
cli() { # port args... (only the master has a password)
  local port=$1
  shift
  if [[ $port == "$mport" ]]; then
    redis-cli -p "$port" -a "$PASS" --no-auth-warning "$@"
  else
    redis-cli -p "$port" "$@"
  fi
}
info_field() { # port section field
  cli "$1" info "$2" | tr -d '\r' | sed -n "s/^$3://p"
}
synced() {
  local target
  target=$(info_field "$mport" replication master_repl_offset)
  for p in $r1port $r2port; do
    [[ $(info_field "$p" replication master_link_status) == up ]] || return 1
    [[ $(info_field "$p" replication master_repl_offset) == "$target" ]] || return 1
  done
}
aof_bytes() { # name
  local dir=$work/$1/appendonlydir
  if [[ -d $dir ]]; then
    du -cb "$dir"/* 2>/dev/null | tail -1 | cut -f1
  elif [[ -f $work/$1/appendonly.aof ]]; then
    stat -c %s "$work/$1/appendonly.aof"
  else
    echo 0
  fi
}

start master
start replica1
start replica2
# Succeeds once the server on port $1 answers; fails at once, showing its log, if the
# server (pid $2, logging to $3) has exited.
answers() {
  if ! kill -0 "$2" 2>/dev/null; then
    echo "the server on port $1 exited; its log:" >&2
    tail -n 20 "$3" >&2
    exit 1
  fi
  redis-cli -p "$1" ping 2>/dev/null | grep -q -e PONG -e NOAUTH
}
wait_for answers "$mport" "${pids[0]}" "$work/master/server.log"
wait_for answers "$r1port" "${pids[1]}" "$work/replica1/server.log"
wait_for answers "$r2port" "${pids[2]}" "$work/replica2/server.log"
wait_for synced

echo "master on $mport, replicas on $r1port and $r2port (in $work)"
cli "$mport" set name "hello Redis" >/dev/null
wait_for synced
echo "replica1 name: $(cli "$r1port" get name)"
echo "replica2 name: $(cli "$r2port" get name)"

start_s=$SECONDS
for ((i = 1; i <= KEYS; i++)); do echo "set k$i v$i"; done | cli "$mport" --pipe
wait_for synced
echo "piped $KEYS keys; replicas caught up in $((SECONDS - start_s)) s"

printf '%-10s %6s %10s %12s %12s\n' node port keys offset aof_bytes
for node in master:$mport replica1:$r1port replica2:$r2port; do
  name=${node%%:*}
  port=${node##*:}
  printf '%-10s %6s %10s %12s %12s\n' "$name" "$port" "$(cli "$port" dbsize)" \
    "$(info_field "$port" replication master_repl_offset)" "$(aof_bytes "$name")"
done
