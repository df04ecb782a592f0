#!/usr/bin/env bash
# Give untrusted workers a RabbitMQ user of their own in VHOST: they may take work orders from
# sandbox, browser and attempts, and post results to the remixbank.results exchange only (never
# to the default exchange, which reaches every queue, so never to `checks`).
#   deploy/rabbitmq-untrusted-user.sh VHOST USER PASSWORD
# The three patterns are configure, write and read (RabbitMQ's access control). Writing to the
# `results` queue is binding it to remixbank.results (publishing needs the exchange); a worker
# binds the queues it consumes too, so it may write to sandbox, browser and attempts. Patterns
# match exchanges of those names as well: an escaped worker could post work orders to other
# untrusted workers (which hold nothing either, and whose results count only for a nonce the
# trusted side gave), never to a trusted queue. It may also bind `results` to those exchanges
# (or to a `*.celery.pidbox` one of its own) under any routing key, so trusted workers run a
# task only if it is a result or came through their own exchanges (deploy/celery.py); the pidbox
# names let a worker answer remote control; start untrusted workers with --without-gossip
# --without-mingle --without-heartbeat so they need no event exchanges.
set -euo pipefail
vhost=${1:?VHOST}
user=${2:?USER}
password=${3:?PASSWORD}
rabbitmqctl -q add_vhost "$vhost" 2>/dev/null || true
rabbitmqctl -q add_user "$user" "$password" 2>/dev/null || rabbitmqctl -q change_password "$user" "$password"
rabbitmqctl -q set_permissions -p "$vhost" "$user" \
  '^(sandbox|browser|attempts|results|remixbank\.results|celery\.pidbox|.*\.celery\.pidbox)$' \
  '^(sandbox|browser|attempts|results|remixbank\.results|reply\.celery\.pidbox|.*\.celery\.pidbox)$' \
  '^(sandbox|browser|attempts|remixbank\.results|celery\.pidbox|.*\.celery\.pidbox)$'
