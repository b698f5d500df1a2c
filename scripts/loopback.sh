# Loopback helpers shared by the scripts that start servers for tests, benchmarks and the
# one-machine cluster (sourced, not run).

# A TCP port free on 127.0.0.1 now (the kernel's pick).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# wait_port PORT SECONDS: returns 0 once something accepts connections on 127.0.0.1:PORT,
# 1 after SECONDS.
wait_port() {
    for _ in $(seq 1 $(($2 * 10))); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1', $1), 0.2)" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
