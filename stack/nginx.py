"""nginx as the balancer of a run, configured as ``deploy/nginx/bhxh.conf`` does in production.

``stack.balancer`` (Python) is always there and is what the tests use; when Debian's nginx is
installed (``apt-get install nginx-light``), benchmarks can put nginx in front instead, as in
production: it costs the shared cores far less CPU per message than a Python proxy, which on a
2-core machine weighs on the comparison of one instance with two.

The configuration follows the production file: round robin, keep-alive to the upstreams, a POST
passed to the next upstream only when the connection failed (nothing was sent), and a small
``GET /__balancer__`` answer so that callers can tell which balancer runs.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

__all__ = ["NGINX", "nginx_command", "nginx_path", "write_nginx_config"]

NGINX = "nginx"
"""The balancer kind of :class:`stack.system.StackConfig` that uses nginx."""


def nginx_path() -> str | None:
    """The nginx program, or None when it is not installed."""
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).is_file()), None
    )


def write_nginx_config(path: Path, port: int, upstreams: Sequence[int], work: Path) -> Path:
    """Writes an nginx configuration balancing ``127.0.0.1:port`` over the upstream ports.

    Every file nginx writes (pid, logs, temporary bodies) stays in ``work``.
    """
    work.mkdir(parents=True, exist_ok=True)
    servers = "\n".join(
        f"        server 127.0.0.1:{upstream} max_fails=1 fail_timeout=2s;"
        for upstream in upstreams
    )
    temp = "\n".join(
        f"    {kind}_temp_path {work / (path.stem + '-' + kind)};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    path.write_text(
        f"""# written by stack.nginx for one run (production: deploy/nginx/bhxh.conf)
daemon off;
master_process on;
worker_processes 1;
pid {work / (path.stem + '.pid')};
error_log {work / (path.stem + '-error.log')} warn;
events {{
    worker_connections 1024;
}}
http {{
    access_log off;
{temp}
    upstream backends {{
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 16m;
        # bodies and answers stay in memory: nginx's workers (another user when started as
        # root) could not write temporary files into the run's folder
        client_body_buffer_size 16m;
        proxy_buffers 64 16k;
        proxy_max_temp_file_size 0;
        location = /__balancer__ {{
            default_type application/json;
            return 200 '{{"balancer": "nginx", "upstreams": {len(upstreams)}}}';
        }}
        location / {{
            proxy_pass http://backends;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_next_upstream error timeout;
            proxy_next_upstream_tries 2;
            proxy_connect_timeout 2s;
            proxy_read_timeout 180s;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
""",
        encoding="utf-8",
    )
    return path


def nginx_command(config: Path) -> list[str]:
    """The command line running nginx in the foreground on ``config``.

    Raises:
        FileNotFoundError: nginx is not installed.
    """
    program = nginx_path()
    if program is None:
        raise FileNotFoundError("nginx is not installed (apt-get install nginx-light)")
    return [program, "-c", str(config), "-p", str(config.parent), "-e", "stderr"]
