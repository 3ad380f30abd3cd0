#!/usr/bin/env bash
# Installs the reference brokers from Debian (RabbitMQ for AMQP, Mosquitto for MQTT) for the side-by-side
# benchmarks and the differential conformance runs. Their system services are not started: our scripts run
# them on their own ports with a temp config.
set -euo pipefail
need=()
command -v rabbitmq-server >/dev/null 2>&1 || [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || need+=(rabbitmq-server)
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then echo "install-reference-brokers: need root for apt-get (missing: ${need[*]})" >&2; exit 1; fi
# Keep the packages' maintainer scripts from starting the services.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
