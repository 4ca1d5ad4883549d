#!/usr/bin/env bash
# Measures `mailbot bench ingest` against a real Dovecot IMAP server that
# this script runs from a temporary directory and stops afterwards.
#
#   scripts/bench-dovecot.sh [-n N] [--json]
#
# Needs Dovecot (Debian/Ubuntu: apt-get install dovecot-imapd); as root it
# installs it when missing. Extra arguments go to `mailbot bench ingest`.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dovecot >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null
  else
    echo "bench-dovecot: install Dovecot first (apt-get install dovecot-imapd)" >&2
    exit 1
  fi
fi

dir="$(mktemp -d /tmp/mailbot-dovecot-XXXXXX)"
chmod 755 "$dir"
mkdir -p "$dir/run" "$dir/state" "$dir/home"
port=$((20000 + RANDOM % 20000))
mail_user="$(id -un)"
if [ "$(id -u)" = 0 ]; then
  # Dovecot will not store mail as root.
  id mailbot-bench >/dev/null 2>&1 || useradd -r -M -s /usr/sbin/nologin mailbot-bench
  mail_user=mailbot-bench
  chown mailbot-bench "$dir/home"
fi
echo 'bench:{PLAIN}bench-password' > "$dir/users"
cat > "$dir/dovecot.conf" <<CONF
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/users
}
userdb {
  driver = static
  args = uid=$mail_user gid=$(id -gn "$mail_user") home=$dir/home/%u
}
mail_location = maildir:~/Maildir
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
}
CONF
dovecot -c "$dir/dovecot.conf"
trap 'dovecot -c "$dir/dovecot.conf" stop 2>/dev/null || true; sleep 1; rm -rf "$dir"' EXIT
sleep 1

echo "Dovecot $(dovecot --version | cut -d' ' -f1) on 127.0.0.1:$port, mail in $dir/home" >&2
go run ./cmd/mailbot bench ingest --imap-addr "127.0.0.1:$port" --imap-tls none \
  --imap-user bench --imap-password bench-password --imap-mailbox "bench-$(date +%s)" "$@"
