# Sourced by the benchmark scripts: one nginx worker on 127.0.0.1 serving the files of a
# directory with keep-alive and no access log, the static-file ceiling of this machine.
# nginx_static NGINX WORK PORT: serves $WORK/www on 127.0.0.1:$PORT, pid in $WORK/nginx.pid;
# returns once the port accepts connections.
nginx_static() {
    local nginx=$1 work=$2 port=$3
    mkdir -p "$work/www" "$work/tmp"
    cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 10000000;
    keepalive_timeout 60s;
    default_type application/json;
    client_body_temp_path $work/tmp;
    proxy_temp_path $work/tmp;
    fastcgi_temp_path $work/tmp;
    uwsgi_temp_path $work/tmp;
    scgi_temp_path $work/tmp;
    server {
        listen 127.0.0.1:$port;
        root $work/www;
    }
}
CONF
    # Started as root, nginx's worker runs as an unprivileged user: let it read the files
    # (mktemp -d makes a private directory).
    chmod a+x "$work"
    chmod -R a+rX "$work/www"
    "$nginx" -p "$work" -c "$work/nginx.conf"
    for _ in $(seq 50); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "nginx did not start on 127.0.0.1:$port" >&2
    return 1
}
