#!/usr/bin/env bash
# Captures the TSIG vectors of tsig-vectors.ts from BIND's named and nsupdate:
# each update goes through a UDP relay that prints request and answer as a
# JSON line ({"label", "request", "response"}, hex). Needs named, nsupdate and
# node 24 on PATH; run as root (named drops to the bind user) or as any user
# when named may write the temporary directory.
set -euo pipefail

SECRET=Y2VydG9wcy10c2lnLXRlc3QtdmVjdG9yLWtleS0wMQ== # base64 of certops-tsig-test-vector-key-01
NAMED_PORT=15353
RELAY_PORT=15354
dir=$(mktemp -d)
chmod 711 "$dir"
named_pid=""
stop() {
  if [ -n "$named_pid" ]; then
    kill "$named_pid" 2>/dev/null || true
    wait "$named_pid" 2>/dev/null || true # named writes its journal on the way out
  fi
  rm -rf "$dir"
}
trap stop EXIT

keys=""
allow=""
for alg in md5 sha1 sha256 sha384 sha512; do
  keys+="key \"vector-$alg.\" { algorithm hmac-$alg; secret \"$SECRET\"; };"$'\n'
  allow+="key \"vector-$alg.\"; "
done
cat >"$dir/named.conf" <<EOF
options {
  directory "$dir"; pid-file "$dir/named.pid"; session-keyfile "$dir/session.key"; managed-keys-directory "$dir";
  listen-on port $NAMED_PORT { 127.0.0.1; }; listen-on-v6 { none; };
  recursion no; dnssec-validation no; notify no;
};
controls { };
$keys
zone "vectors.test" { type primary; file "$dir/vectors.test.zone"; allow-update { $allow}; };
EOF
printf '$TTL 5\n@ IN SOA ns.vectors.test. hostmaster.vectors.test. ( 1 60 60 3600 5 )\n@ IN NS ns.vectors.test.\n@ IN A 127.0.0.1\n* IN A 127.0.0.1\n' >"$dir/vectors.test.zone"
if [ "$(id -u)" = 0 ]; then chown -R bind:bind "$dir"; user=(-u bind); else user=(); fi
named -g -4 -c "$dir/named.conf" "${user[@]}" >"$dir/named.log" 2>&1 &
named_pid=$!
sleep 2

relay='
const dgram = require("node:dgram")
const relay = dgram.createSocket("udp4")
relay.on("message", (request, client) => {
  const upstream = dgram.createSocket("udp4")
  upstream.on("message", (response) => {
    console.log(JSON.stringify({ label: process.env.LABEL, request: request.toString("hex"), response: response.toString("hex") }))
    relay.send(response, client.port, client.address, () => process.exit(0))
  })
  upstream.send(request, Number(process.env.NAMED_PORT), "127.0.0.1")
})
relay.bind(Number(process.env.RELAY_PORT), "127.0.0.1")
'

capture() { # label alg:key:secret zone update-line
  LABEL=$1 NAMED_PORT=$NAMED_PORT RELAY_PORT=$RELAY_PORT node -e "$relay" &
  local relay_pid=$!
  sleep 0.5
  printf 'server 127.0.0.1 %s\nzone %s\n%s\nsend\n' "$RELAY_PORT" "$3" "$4" | nsupdate -y "$2" >&2 || true
  wait "$relay_pid"
}

for alg in md5 sha1 sha256 sha384 sha512; do
  capture "$alg" "hmac-$alg:vector-$alg.:$SECRET" vectors.test "update add _acme-challenge.www.vectors.test. 60 TXT \"value-$alg\""
done
capture badsig "hmac-sha256:vector-sha256.:$(printf wrong-secret-wrong-secret-wrong | base64)" vectors.test 'update add _acme-challenge.www.vectors.test. 60 TXT "value-badsig"'
capture badkey "hmac-sha256:vector-unknown.:$SECRET" vectors.test 'update add _acme-challenge.www.vectors.test. 60 TXT "value-badkey"'
capture delete "hmac-sha256:vector-sha256.:$SECRET" vectors.test 'update delete _acme-challenge.www.vectors.test. TXT "value-sha256"'
capture notauth-zone "hmac-sha256:vector-sha256.:$SECRET" other.test 'update add _acme-challenge.www.other.test. 60 TXT "x"'
