#!/usr/bin/env bash
# Installs the reference brokers from Debian (RabbitMQ for AMQP, Mosquitto for MQTT) for the differential
# conformance tests (npm test) and the side-by-side benchmarks (npm run bench). Their system services are not started: our scripts run
# them on their own ports with a temp config.
set -euo pipefail
need=()
command -v rabbitmq-server >/dev/null 2>&1 || [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || need+=(rabbitmq-server)
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "reference brokers: not root, cannot apt-get ${need[*]}; differential tests and side-by-side benches will skip them" >&2
  exit 0
fi
# Keep the packages' maintainer scripts from starting the services.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }; then
  echo "reference brokers: apt-get failed for ${need[*]}; differential tests and side-by-side benches will skip them" >&2
  exit 0
fi
