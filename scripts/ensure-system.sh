#!/usr/bin/env bash
# Make sure the machine has what dnsdeck's tests need: Debian's PostgreSQL server (running, reachable as
# postgres/postgres on 127.0.0.1:5432), Debian's Chromium, Debian's Prometheus (with promtool) and Pushgateway, and the
# real DNS clients the twin's conformance suite runs (dig from bind9-dnsutils, kdig from knot-dnsutils). Prometheus and
# the Pushgateway are only installed here: the demo and the tests start their own instances on their own ports
# (scripts/lib/prometheus.ts), never the system services, which this script keeps from starting at install time.
# kubectl is not installed here: this kind of machine's image ships kubectl 1.32 (/usr/bin/kubectl); Debian's own
# kubernetes-client is 1.20, too old for server-side apply as the suite uses it, so a missing kubectl is reported and
# the conformance suite fails rather than testing an older client.
# Idempotent; installs only what is missing.
set -euo pipefail

need_apt=()
command -v pg_ctlcluster >/dev/null 2>&1 || need_apt+=(postgresql)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v dig >/dev/null 2>&1 || need_apt+=(bind9-dnsutils)
command -v kdig >/dev/null 2>&1 || need_apt+=(knot-dnsutils)
[ -x /usr/bin/prometheus ] && [ -x /usr/bin/promtool ] || need_apt+=(prometheus)
[ -x /usr/bin/prometheus-pushgateway ] || need_apt+=(prometheus-pushgateway)

if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "ensure-system: missing ${need_apt[*]}; run as root or install them with apt-get" >&2
    exit 1
  fi
  echo "ensure-system: installing ${need_apt[*]} from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  # Keep the packages' maintainer scripts from starting system services (prometheus on :9090, the pushgateway on
  # :9091): nothing of dnsdeck uses them, and they would hold ports. Only when no policy is in place already.
  policy=/usr/sbin/policy-rc.d
  own_policy=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && own_policy=1
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null || { [ -n "$own_policy" ] && rm -f "$policy"; exit 1; }
  [ -n "$own_policy" ] && rm -f "$policy"
fi

pg_running() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
if ! pg_running; then
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$version" ]; then
    echo "ensure-system: PostgreSQL is installed but has no cluster" >&2
    exit 1
  fi
  echo "ensure-system: starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_running && break; sleep 1; done
  pg_running || { echo "ensure-system: PostgreSQL did not start" >&2; exit 1; }
fi

# A fresh Debian cluster asks for a password on TCP; give the postgres role the one the tests use.
if ! PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
  fi
  PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select 1' >/dev/null || {
    echo "ensure-system: cannot log in to PostgreSQL as postgres on 127.0.0.1:5432" >&2
    exit 1
  }
fi
command -v kubectl >/dev/null 2>&1 || echo "ensure-system: kubectl is missing (the image of this kind of machine ships 1.32); the twin's conformance suite will fail" >&2
echo "ensure-system: PostgreSQL, Chromium, Prometheus, the Pushgateway, dig and kdig ready"
