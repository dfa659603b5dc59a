#!/bin/sh
# wfc-agent: the Wi-Fi federation controller's reference agent for OpenWrt.
#
# Enrols once with a one-time token, then long-polls its configuration
# through NAT (GET /v1/agent/config?wait=N, If-None-Match), checks the
# bundle's sha256, backs up what it will touch, merges the UCI files into
# the device configuration (rendered sections replace theirs by name, stale
# wfc_* sections go, the rest of the device configuration stays), runs the
# apply hook, rolls everything back if the hook fails, and reports applied
# or error. POSIX sh, awk, sed, sha256sum and curl; nothing else.
#
# Usage: wfc-agent.sh run | once | enrol
#   run    poll forever (the service)       once   one poll, apply, exit
#   enrol  only exchange the token
#
# Settings (environment, or /etc/wfc-agent.conf, or $WFC_CONF):
#   WFC_URL              controller base URL, e.g. https://wifi-admin.example.org (required)
#   WFC_ENROLMENT_TOKEN  one-time token from the controller (first start, re-enrolment)
#   WFC_ROOT             root of the files to configure (default /; tests use a temp dir)
#   WFC_STATE_DIR        agent state (default $WFC_ROOT/etc/wfc-agent)
#   WFC_WAIT             long-poll seconds (default 60; 0 = plain poll)
#   WFC_INTERVAL         pause after an error or without long-poll (default 30)
#   WFC_APPLY_HOOK       command run after the files are written, with WFC_ROOT,
#                        WFC_VERSION and WFC_CHANGED exported; a non-zero exit
#                        rolls back. Default on a device: reload_config.
#   WFC_CERT             1: ask for a client certificate (needs openssl for the CSR)
#   WFC_CURL_OPTS        extra curl options (e.g. --cacert /etc/wfc-agent/server-ca.pem)
#   WFC_MAX_POLLS        stop after this many polls (0: never; for tests)
#
# Exit status (once, enrol): 0 ok or nothing new, 1 apply failed (rolled
# back), 2 enrolment refused, 3 controller unreachable or refusing.

set -u
AGENT_VERSION=1.0.0
# shellcheck source=/dev/null
[ -r "${WFC_CONF:-/etc/wfc-agent.conf}" ] && . "${WFC_CONF:-/etc/wfc-agent.conf}"

: "${WFC_URL:?WFC_URL is required}"
ROOT=${WFC_ROOT:-/}
ROOT=${ROOT%/}
STATE=${WFC_STATE_DIR:-$ROOT/etc/wfc-agent}
WAIT=${WFC_WAIT:-60}
INTERVAL=${WFC_INTERVAL:-30}
MAX_POLLS=${WFC_MAX_POLLS:-0}
API=${WFC_URL%/}/v1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/wfc-agent.XXXXXX") || exit 3
trap 'rm -rf "$TMP"' EXIT INT TERM
umask 077
mkdir -p "$STATE"

log() { printf '%s wfc-agent: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }

# JSON string body: drop control characters, escape backslashes and quotes.
json_escape() { printf '%s' "$1" | tr -d '\000-\037' | sed 's/\\/\\\\/g; s/"/\\"/g' | cut -c1-1000; }

# curl METHOD PATH [BODY-FILE] [EXTRA-HEADER]: body to $TMP/body, headers to
# $TMP/headers; prints the HTTP status (000 when the controller is unreachable).
http() {
	_method=$1 _path=$2 _data=${3:-} _extra=${4:-}
	set -- -s -S -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' -X "$_method" --max-time $((WAIT + 30))
	[ -s "$STATE/api-key" ] && set -- "$@" -H "Authorization: Bearer $(cat "$STATE/api-key")"
	[ -n "$_data" ] && set -- "$@" -H 'Content-Type: application/json' --data-binary "@$_data"
	[ -n "$_extra" ] && set -- "$@" -H "$_extra"
	# shellcheck disable=SC2086
	curl "$@" ${WFC_CURL_OPTS:-} "$API$_path" 2>"$TMP/curl-error" || true
}

# The last value of a response header, case-insensitively, without quotes.
header() {
	awk -v h="$1" 'BEGIN { h = tolower(h) } { sub(/\r$/, ""); i = index($0, ":"); if (i > 0 && tolower(substr($0, 1, i - 1)) == h) v = substr($0, i + 1) }
		END { gsub(/^ +|"/, "", v); print v }' "$TMP/headers"
}

enrol() {
	[ -s "$STATE/api-key" ] && return 0
	if [ -z "${WFC_ENROLMENT_TOKEN:-}" ]; then
		log "not enrolled and no WFC_ENROLMENT_TOKEN"
		return 2
	fi
	csr=''
	if [ "${WFC_CERT:-0}" = 1 ] && command -v openssl >/dev/null 2>&1; then
		openssl req -new -newkey rsa:2048 -nodes -keyout "$STATE/client-key.pem" -subj "/CN=wfc-agent" -out "$TMP/csr.pem" 2>/dev/null &&
			csr=$(awk '{ printf "%s\\n", $0 }' "$TMP/csr.pem")
	fi
	if [ -n "$csr" ]; then
		printf '{"token":"%s","csr":"%s"}' "$(json_escape "$WFC_ENROLMENT_TOKEN")" "$csr" >"$TMP/enrol.json"
	else
		printf '{"token":"%s"}' "$(json_escape "$WFC_ENROLMENT_TOKEN")" >"$TMP/enrol.json"
	fi
	status=$(http POST /agent/enrol "$TMP/enrol.json")
	if [ "$status" != 201 ]; then
		log "enrolment refused ($status): $(sed -n 's/.*"message":"\([^"]*\)".*/\1/p' "$TMP/body")"
		[ "$status" = 000 ] && return 3
		return 2
	fi
	key=$(sed -n 's/.*"apiKey":"\([^"]*\)".*/\1/p' "$TMP/body")
	[ -n "$key" ] || { log "enrolment answer without a key"; return 3; }
	printf '%s\n' "$key" >"$STATE/api-key"
	chmod 600 "$STATE/api-key"
	rm -f "$STATE/applied" "$STATE/failed"
	if [ -n "$csr" ]; then
		[ "$(http GET /agent/certificate)" = 200 ] && cp "$TMP/body" "$STATE/client-cert.pem"
		[ "$(http GET /ca.pem)" = 200 ] && cp "$TMP/body" "$STATE/federation-ca.pem"
	fi
	log "enrolled as $(sed -n 's/.*"mac":"\([^"]*\)".*/\1/p' "$TMP/body")"
	return 0
}

report() { # version status [message]
	if [ "$2" = applied ]; then
		printf '{"version":%s,"status":"applied"}' "$1" >"$TMP/report.json"
	else
		printf '{"version":%s,"status":"error","message":"%s"}' "$1" "$(json_escape "${3:-failed}")" >"$TMP/report.json"
	fi
	# A lost report is not fatal: the next poll tells the controller what runs.
	s=$(http POST /agent/report "$TMP/report.json")
	[ "$s" = 200 ] || log "report not recorded ($s); the next poll recovers it"
}

heartbeat() {
	fw=$(sed -n "s/^DISTRIB_DESCRIPTION='\(.*\)'/\1/p" "$ROOT/etc/openwrt_release" 2>/dev/null)
	up=$(cut -d. -f1 /proc/uptime 2>/dev/null || echo 0)
	printf '{"agentVersion":"%s","firmware":"%s","uptime":%s}' "$AGENT_VERSION" "$(json_escape "${fw:-unknown}")" "${up:-0}" >"$TMP/hb.json"
	http POST /agent/heartbeat "$TMP/hb.json" >/dev/null
}

# Splits a bundle into $TMP/new/<path>; prints the paths. Refuses absolute
# paths and "..": a bundle never writes outside the root.
unbundle() {
	rm -rf "$TMP/new" && mkdir -p "$TMP/new"
	awk -v dir="$TMP/new" '
		NR == 1 { if ($0 != "wfc-bundle 1") { print "bad" > "/dev/stderr"; exit 1 } next }
		left > 0 { print > (dir "/" path); left--; if (left == 0) close(dir "/" path); next }
		/^file / {
			path = $2; left = $3 + 0
			if (path ~ /^\// || path ~ /(^|\/)\.\.(\/|$)/ || path !~ /^[a-z0-9_.\/-]+$/) { print "bad path " path > "/dev/stderr"; exit 1 }
			print path
			n = split(path, seg, "/"); d = dir
			for (i = 1; i < n; i++) { d = d "/" seg[i]; system("mkdir -p \"" d "\"") }
			printf "" > (dir "/" path)
			next
		}
		{ print "bad line " NR > "/dev/stderr"; exit 1 }
	' "$1"
}

# merge_uci RENDERED LIVE > OUT: libuci-style merge by section name.
merge_uci() {
	awk '
		function unq(s) { gsub(/^[\047"]|[\047"]$/, "", s); return s }
		FNR == NR {
			if ($1 == "config") { rn++; rname[rn] = unq($3); rtype[rn] = $2; rhas[unq($3)] = rn; rbody[rn] = ""; next }
			if (($1 == "option" || $1 == "list") && rn > 0) { rbody[rn] = rbody[rn] $0 "\n"; rkey[rn, $2] = 1 }
			next
		}
		function block(i, kept) { return "config " rtype[i] " \047" rname[i] "\047\n" kept rbody[i] "\n" }
		function flush(   m, j, L, F, kept, i) {
			if (!inb) return
			if (cur != "" && (cur in rhas)) {
				i = rhas[cur]; done[i] = 1; kept = ""
				m = split(body, L, "\n")
				for (j = 1; j < m; j++) {
					split(L[j], F)
					if ((F[1] == "option" || F[1] == "list") && ((i SUBSEP F[2]) in rkey)) continue
					if (L[j] ~ /^[ \t]*$/) continue
					kept = kept L[j] "\n"
				}
				out = out block(i, kept)
			} else if (cur !~ /^wfc_/) {
				out = out head body
			}
			inb = 0
		}
		$1 == "config" { flush(); inb = 1; cur = ($3 == "" ? "" : unq($3)); head = $0 "\n"; body = ""; next }
		!inb { pre = pre $0 "\n"; next }
		{ body = body $0 "\n" }
		END {
			flush()
			for (i = 1; i <= rn; i++) if (!done[i]) {
				if (out != "" && out !~ /\n\n$/) out = out "\n"
				out = out block(i, "")
			}
			printf "%s%s", pre, out
		}
	' "$1" "$2"
}

apply() { # bundle version etag
	paths=$(unbundle "$1") || { log "malformed bundle"; return 1; }
	# One line, space-separated, for the hook.
	changed=$(printf '%s\n' "$paths" | tr '\n' ' ' | sed 's/ $//')
	rm -rf "$TMP/backup" && mkdir -p "$TMP/backup"
	: >"$TMP/absent"
	for p in $paths; do
		if [ -e "$ROOT/$p" ]; then
			mkdir -p "$TMP/backup/$(dirname "$p")" && cp -p "$ROOT/$p" "$TMP/backup/$p"
		else
			echo "$p" >>"$TMP/absent"
		fi
	done
	# Kept until the next success, for an operator to look at.
	rm -rf "$STATE/backup" && cp -R "$TMP/backup" "$STATE/backup"
	ok=1
	for p in $paths; do
		mkdir -p "$ROOT/$(dirname "$p")"
		case $p in
		etc/config/*)
			if [ -e "$ROOT/$p" ]; then live="$ROOT/$p"; else live=/dev/null; fi
			merge_uci "$TMP/new/$p" "$live" >"$ROOT/$p.wfc-new" || ok=0 ;;
		*) cp "$TMP/new/$p" "$ROOT/$p.wfc-new" || ok=0 ;;
		esac
		if [ $ok = 0 ] || ! mv "$ROOT/$p.wfc-new" "$ROOT/$p"; then ok=0; break; fi
	done
	if [ $ok = 1 ]; then
		hook=${WFC_APPLY_HOOK:-}
		[ -z "$hook" ] && [ "$ROOT" = "" ] && command -v reload_config >/dev/null 2>&1 && hook=reload_config
		if [ -n "$hook" ]; then
			WFC_ROOT="${ROOT:-/}" WFC_VERSION="$2" WFC_CHANGED="$changed" sh -c "$hook" >"$TMP/hook.log" 2>&1 || ok=0
		fi
	fi
	[ $ok = 1 ] && return 0
	# Roll back: every file as it was, then the hook again so services follow.
	for p in $paths; do
		if grep -qx "$p" "$TMP/absent"; then rm -f "$ROOT/$p"; else cp -p "$TMP/backup/$p" "$ROOT/$p"; fi
		rm -f "$ROOT/$p.wfc-new"
	done
	[ -n "${hook:-}" ] && WFC_ROOT="${ROOT:-/}" WFC_VERSION="$2" WFC_CHANGED="$changed" sh -c "$hook" >/dev/null 2>&1
	return 1
}

# One poll. Returns 0 (nothing new, or applied), 1 (apply failed), 3 (controller problem).
poll_once() {
	wait=$1
	tags=''
	[ -s "$STATE/applied" ] && tags="\"$(cat "$STATE/applied")\""
	[ -s "$STATE/failed" ] && tags="${tags:+$tags, }\"$(cat "$STATE/failed")\""
	status=$(http GET "/agent/config?wait=$wait" '' "${tags:+If-None-Match: $tags}")
	case $status in
	304) return 0 ;;
	200) ;;
	401)
		log "device key refused: re-enrolling"
		rm -f "$STATE/api-key"
		enrol || return 3
		return 0 ;;
	404) log "no configuration published yet"; return 3 ;;
	*) log "poll failed ($status) $(cat "$TMP/curl-error" 2>/dev/null)"; return 3 ;;
	esac
	etag=$(header ETag)
	version=$(header X-Config-Version)
	sum=$(sha256sum "$TMP/body" | cut -d' ' -f1)
	if [ "$sum" != "$etag" ]; then
		log "checksum mismatch (got $sum, ETag $etag): not applied"
		return 3
	fi
	cp "$TMP/body" "$TMP/bundle"
	if apply "$TMP/bundle" "$version" "$etag"; then
		printf '%s\n' "$etag" >"$STATE/applied"
		rm -f "$STATE/failed"
		log "version $version applied"
		report "$version" applied
		return 0
	fi
	printf '%s\n' "$etag" >"$STATE/failed"
	msg=$(tail -c 600 "$TMP/hook.log" 2>/dev/null | tr '\n' ' ')
	log "version $version failed and was rolled back: $msg"
	report "$version" error "apply failed, rolled back: ${msg:-could not write the files}"
	return 1
}

case ${1:-run} in
enrol) enrol; exit $? ;;
once)
	enrol || exit $?
	poll_once 0
	exit $? ;;
run)
	polls=0
	until enrol; do sleep "$INTERVAL"; done
	heartbeat
	while :; do
		poll_once "$WAIT"
		rc=$?
		polls=$((polls + 1))
		[ "$MAX_POLLS" -gt 0 ] && [ "$polls" -ge "$MAX_POLLS" ] && exit $rc
		[ $((polls % 10)) = 0 ] && heartbeat
		# Without a long poll, or after a failure, do not hammer the controller.
		if [ "$rc" != 0 ] || [ "$WAIT" = 0 ]; then sleep "$INTERVAL"; fi
	done ;;
*) echo "usage: $0 run | once | enrol" >&2; exit 64 ;;
esac
