package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"mailbot/internal/envbool"
	"mailbot/mailbot/inbound"
	"mailbot/mailbot/mailin"
	"mailbot/mailbot/mailout"
	"mailbot/mailbot/senderauth"
	"mailbot/threads"
)

// config is the service's configuration, read once from the environment and
// validated before anything starts.
type config struct {
	DatabaseURL string
	HTTPAddr    string
	// HTTPS is the web server's certificate; nil serves plain HTTP.
	HTTPS     *tls.Certificate
	TokenKey  []byte
	Mail      mailout.Options
	SMTP      mailout.SMTPOptions
	Workers   int
	RetryFor  time.Duration
	RetryBase time.Duration
	Lease     time.Duration
	DBWait    time.Duration
	Retention threads.Retention
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client.
	TrustedProxies []netip.Prefix
	In             inConfig
	// BlobURL names the bucket that keeps file bodies; "" keeps them in
	// Postgres.
	BlobURL string
	Files   threads.FileLimits
}

// inConfig is the mail-in side: the pipeline and its intakes.
type inConfig struct {
	Pipeline   mailin.Options
	IMAP       *mailin.IMAPOptions // nil: no IMAP intake
	SMTPListen string              // "": no SMTP/LMTP intake
	LMTP       bool
	Domain     string // the reply domain, which the SMTP/LMTP intake greets as
}

type configVar struct{ name, def, meaning string }

// configVars documents every variable; `mailbot serve --env` prints them and
// the README's table follows them.
var configVars = []configVar{
	{"DATABASE_URL", "(required)", "Postgres connection string, e.g. postgres://mailbot:secret@db:5432/mailbot?sslmode=require; a local server without TLS needs ?sslmode=disable (the driver asks for TLS otherwise)"},
	{"MAILBOT_TOKEN_KEY", "(required)", "at least 32 random bytes in hex (`openssl rand -hex 32`) that reply tokens and links derive from; changing it invalidates every reply address sent so far"},
	{"MAILBOT_BASE_URL", "(required)", "where people reach the web pages, used in email links: https://mailbot.example.com"},
	{"MAILBOT_FROM", "(required)", "sender of notification emails: notifications@example.com"},
	{"MAILBOT_REPLY_ADDRESS", "(required)", "reply address pattern; {token} becomes the reply token: reply+{token}@reply.example.com"},
	{"MAILBOT_SMTP_ADDR", "(required)", "SMTP relay host:port for outgoing mail"},
	{"MAILBOT_HTTP_ADDR", "127.0.0.1:8080", "address the web server listens on; loopback unless told otherwise (:8080 for every interface), for a reverse proxy on the same machine"},
	{"MAILBOT_TRUSTED_PROXIES", "", "comma-separated CIDRs (or addresses) of the reverse proxies in front of the web server, e.g. 10.0.0.0/8,::1/128; sign-in throttling takes the client's address from X-Forwarded-For only when the request comes from one of them, else the connection's address"},
	{"MAILBOT_DB_WAIT", "2m", "how long serve waits at start for a database it cannot reach yet (starting, restarting), logging each try; 0 reports it at once"},
	{"MAILBOT_RETAIN_RAW", "90d", "how long an inbound mail's whole source is kept (for /admin and Reprocess); after it only its header, verdict and what was read of it stay. Days (90d) or a duration (2160h); 0 keeps it forever"},
	{"MAILBOT_RETAIN_OUTBOX", "30d", "how long the rows of sent and muted emails are kept; failed ones stay until retried, and the newest per recipient and transaction stays (its Message-ID still matches replies). Days or a duration; 0 keeps them forever"},
	{"MAILBOT_SERVICE_NAME", "Mailbot", "name in the From line: \"<Author> via <name>\""},
	{"MAILBOT_SMTP_TLS", "starttls", "starttls, tls (implicit, port 465) or none (loopback relays only)"},
	{"MAILBOT_SMTP_USERNAME", "", "SMTP AUTH user name; no AUTH when empty"},
	{"MAILBOT_SMTP_PASSWORD", "", "SMTP AUTH password"},
	{"MAILBOT_SMTP_AUTH", "PLAIN", "PLAIN, LOGIN or XOAUTH2 (OAuth 2.0 access tokens for Gmail and Microsoft 365, from the MAILBOT_IMAP_OAUTH_* settings the IMAP intake uses; the token must be good for MAILBOT_SMTP_USERNAME)"},
	{"MAILBOT_SMTP_CA_FILE", "", "PEM file of CA certificates trusted for the relay besides the system's (a private CA, a self-signed relay)"},
	{"MAILBOT_SMTP_HELO", "", "name the service gives itself in EHLO; empty: the domain of MAILBOT_FROM"},
	{"MAILBOT_TLS_CERT_FILE", "", "PEM certificate chain: the web server speaks HTTPS itself (with MAILBOT_TLS_KEY_FILE); read at start"},
	{"MAILBOT_TLS_KEY_FILE", "", "PEM private key of MAILBOT_TLS_CERT_FILE"},
	{"MAILBOT_SMTP_WORKERS", "2", "outbox workers in this process, each with its own SMTP connection"},
	{"MAILBOT_SMTP_RETRY_FOR", "48h", "how long transient SMTP failures are retried before a notification is marked failed"},
	{"MAILBOT_SMTP_RETRY_BASE", "30s", "first wait after a transient SMTP failure; it doubles on each further failure, up to 30m"},
	{"MAILBOT_SMTP_LEASE", "1m", "how long a worker's claim on queued notifications holds unless renewed; a live worker renews it every third of it, so the notifications a dead process had claimed go to the others within this long"},
	{"MAILBOT_DKIM_DOMAIN", "", "DKIM signing domain; signing is on when the three DKIM variables are set"},
	{"MAILBOT_DKIM_SELECTOR", "", "DKIM selector"},
	{"MAILBOT_DKIM_KEY_FILE", "", "PEM private key (RSA or Ed25519) for DKIM"},
	{"MAILBOT_ATTACH_MAX_MB", "10", "largest total of a message's files, in MiB, that its notification email carries as attachments (the email is about a third larger); above it, or when 0, the email lists the files with links only"},
	{"MAILBOT_MAX_MAIL_MB", "25", "largest inbound mail kept whole, in MiB; larger mail is logged as rejected_too_large with its header (and refused by the SMTP intake)"},
	{"MAILBOT_AUTHSERV_ID", "", "authserv-ids (comma-separated) of the receiving mail servers whose Authentication-Results fields are trusted: mx.google.com, the Postfix host's OpenDMARC or rspamd id; every other such field is ignored. A mail without trusted results has its DKIM signatures verified by the service"},
	{"MAILBOT_SENDER_AUTH", "enforce", "what sender authentication refuses: report (nothing; results recorded), enforce (replies whose From domain fails DMARC or its own DKIM/SPF), require (also replies nothing verifies)"},
	{"MAILBOT_IMAP_ADDR", "", "IMAP server host:port of the reply mailbox; the IMAP intake runs when set"},
	{"MAILBOT_IMAP_TLS", "tls", "tls (port 993), starttls or none (loopback only)"},
	{"MAILBOT_IMAP_USERNAME", "", "IMAP user name"},
	{"MAILBOT_IMAP_PASSWORD", "", "IMAP password"},
	{"MAILBOT_IMAP_AUTH", "password", "password (LOGIN) or xoauth2 (OAuth 2.0 access tokens, for Gmail and Microsoft 365; set the MAILBOT_IMAP_OAUTH_* variables)"},
	{"MAILBOT_IMAP_OAUTH_TOKEN_URL", "", "OAuth 2.0 token endpoint: https://oauth2.googleapis.com/token, https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token"},
	{"MAILBOT_IMAP_OAUTH_CLIENT_ID", "", "OAuth 2.0 client (application) id"},
	{"MAILBOT_IMAP_OAUTH_CLIENT_SECRET", "", "OAuth 2.0 client secret"},
	{"MAILBOT_IMAP_OAUTH_REFRESH_TOKEN", "", "refresh token of the mailbox's user (Gmail); empty: the client-credentials grant (Microsoft 365 app access)"},
	{"MAILBOT_IMAP_OAUTH_SCOPES", "", "space-separated scopes: https://mail.google.com/, or https://outlook.office365.com/.default"},
	{"MAILBOT_IMAP_MAILBOX", "INBOX", "mailbox the replies arrive in"},
	{"MAILBOT_IMAP_MOVE_TO", "", "folder handled mail is moved to; empty marks it \\Seen instead"},
	{"MAILBOT_IMAP_POLL", "1m", "how often the mailbox is searched besides IDLE"},
	{"MAILBOT_SMTP_LISTEN", "", "address of the SMTP intake an MTA delivers replies to (e.g. 127.0.0.1:2525); off when empty"},
	{"MAILBOT_SMTP_LISTEN_LMTP", "false", "speak LMTP instead of SMTP on MAILBOT_SMTP_LISTEN: true/false, 1/0, yes/no or on/off"},
	{"MAILBOT_BLOB_URL", "", "where file bodies are kept: empty keeps them in Postgres; a bucket URL keeps them there: file:///var/lib/mailbot/files, s3://bucket?region=eu-west-1 (S3-compatible stores such as MinIO, Ceph or R2 add &endpoint=https://host&use_path_style=true), gs://bucket, azblob://container; credentials come from each provider's usual environment variables. Checked at start by writing and deleting a probe object"},
	{"MAILBOT_FILE_MAX_MB", "20", "largest file accepted, in MiB; a larger one is refused and the message says so (a message's files together may reach 25 MiB, or this when it is larger)"},
	{"MAILBOT_FILES_MAX", "10", "most files one message carries; further ones are refused and the message says so"},
}

// printConfigVars writes the variables as a Markdown table.
func printConfigVars(w io.Writer) {
	fmt.Fprintln(w, "| variable | default | meaning |\n| --- | --- | --- |")
	for _, v := range configVars {
		fmt.Fprintf(w, "| `%s` | %s | %s |\n", v.name, v.def, v.meaning)
	}
}

// envReader reads variables with their documented defaults and keeps the
// first problem, so loadConfig reads straight through.
type envReader struct {
	env func(string) string
	err error
	// tokens is the OAuth 2.0 token source, made once for IMAP and SMTP.
	tokens mailin.TokenFunc
}

func (r *envReader) get(name string) string {
	v := strings.TrimSpace(r.env(name))
	for _, cv := range configVars {
		if cv.name != name {
			continue
		}
		if v == "" && cv.def == "(required)" && r.err == nil {
			r.err = fmt.Errorf("%s is not set: %s", name, cv.meaning)
		}
		if v == "" && cv.def != "(required)" {
			v = cv.def
		}
	}
	return v
}

// bool reads an on/off variable; anything but the accepted spellings stops
// the start rather than counting as off.
func (r *envReader) bool(name string) bool {
	s := r.get(name)
	v, ok := envbool.Parse(s)
	if !ok {
		r.fail("%s must be %s, not %q", name, envbool.Spellings, s)
	}
	return v
}

// retention reads how long something is kept: days (90d) or a Go duration
// of at least an hour, or 0 for forever.
func (r *envReader) retention(name string) time.Duration {
	s := r.get(name)
	d, err := time.ParseDuration(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, aerr := strconv.Atoi(days)
		d, err = time.Duration(min(max(n, -1), 36500))*24*time.Hour, aerr
	}
	if err != nil || d < 0 || (d > 0 && d < time.Hour) {
		r.fail("%s must be a number of days such as 90d, a duration of at least 1h, or 0 to keep forever", name)
	}
	return d
}

func (r *envReader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf(format, args...)
	}
}

func loadConfig(env func(string) string) (config, error) {
	r := &envReader{env: env}
	c := loadCore(r)
	c.HTTPAddr = r.get("MAILBOT_HTTP_ADDR")
	c.HTTPS = loadHTTPS(r)
	c.SMTP = loadSMTP(r, c.Mail.FromAddress)
	var err error
	if c.Workers, err = strconv.Atoi(r.get("MAILBOT_SMTP_WORKERS")); err != nil || c.Workers < 1 || c.Workers > 64 {
		r.fail("MAILBOT_SMTP_WORKERS must be a number from 1 to 64")
	}
	if c.RetryFor, err = time.ParseDuration(r.get("MAILBOT_SMTP_RETRY_FOR")); err != nil || c.RetryFor <= 0 {
		r.fail("MAILBOT_SMTP_RETRY_FOR must be a duration such as 48h or 30m")
	}
	if c.RetryBase, err = time.ParseDuration(r.get("MAILBOT_SMTP_RETRY_BASE")); err != nil || c.RetryBase <= 0 {
		r.fail("MAILBOT_SMTP_RETRY_BASE must be a duration such as 30s")
	}
	if c.DBWait, err = time.ParseDuration(r.get("MAILBOT_DB_WAIT")); err != nil || c.DBWait < 0 {
		r.fail("MAILBOT_DB_WAIT must be a duration such as 2m, or 0")
	}
	c.Retention = threads.Retention{RawMail: r.retention("MAILBOT_RETAIN_RAW"), Outbox: r.retention("MAILBOT_RETAIN_OUTBOX")}
	if c.Lease, err = time.ParseDuration(r.get("MAILBOT_SMTP_LEASE")); err != nil || c.Lease < time.Second {
		r.fail("MAILBOT_SMTP_LEASE must be a duration of at least 1s, such as 5m")
	}
	if c.TrustedProxies, err = parsePrefixes(r.get("MAILBOT_TRUSTED_PROXIES")); err != nil {
		r.fail("MAILBOT_TRUSTED_PROXIES: %v", err)
	}
	c.Mail.DKIM = loadDKIM(r)
	attachMB, err := strconv.Atoi(r.get("MAILBOT_ATTACH_MAX_MB"))
	if err != nil || attachMB < 0 || attachMB > 100 {
		r.fail("MAILBOT_ATTACH_MAX_MB must be a number of MiB from 0 (never attach) to 100")
	}
	c.Mail.AttachMaxBytes = int64(attachMB) << 20
	loadIntakes(r, &c.In)
	return c, r.err
}

// loadCore reads what every command that touches mail needs: the database,
// the token key, the addresses and the pipeline's limits.
func loadCore(r *envReader) config {
	c := config{DatabaseURL: r.get("DATABASE_URL")}
	if key := r.get("MAILBOT_TOKEN_KEY"); r.err == nil {
		c.TokenKey, r.err = parseTokenKey(key)
	}
	c.Mail = mailout.Options{ServiceName: r.get("MAILBOT_SERVICE_NAME"), FromAddress: r.get("MAILBOT_FROM"),
		ReplyAddress: r.get("MAILBOT_REPLY_ADDRESS"), BaseURL: r.get("MAILBOT_BASE_URL")}
	mb, err := strconv.Atoi(r.get("MAILBOT_MAX_MAIL_MB"))
	if err != nil || mb < 1 || mb > 1024 {
		r.fail("MAILBOT_MAX_MAIL_MB must be a number of MiB from 1 to 1024")
	}
	from := strings.ToLower(c.Mail.FromAddress)
	c.In.Pipeline = mailin.Options{MaxSize: int64(mb) << 20, Addressing: inbound.Addressing{
		ReplyPattern: c.Mail.ReplyAddress, IDDomain: from[strings.LastIndexByte(from, '@')+1:], OwnAddresses: []string{from}}}
	loadSenderAuth(r, &c.In.Pipeline)
	reply := strings.ToLower(c.Mail.ReplyAddress)
	c.In.Domain = reply[strings.LastIndexByte(reply, '@')+1:]
	loadFiles(r, &c)
	return c
}

func loadSenderAuth(r *envReader, p *mailin.Options) {
	mode, err := senderauth.ParseMode(r.get("MAILBOT_SENDER_AUTH"))
	if err != nil {
		r.fail("MAILBOT_SENDER_AUTH: %v", err)
	}
	var ids []string
	for _, id := range strings.Split(r.get("MAILBOT_AUTHSERV_ID"), ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	p.AuthMode, p.SenderAuth = mode, senderauth.NewChecker(senderauth.Options{AuthservIDs: ids})
}

func loadIntakes(r *envReader, in *inConfig) {
	in.SMTPListen = r.get("MAILBOT_SMTP_LISTEN")
	in.LMTP = r.bool("MAILBOT_SMTP_LISTEN_LMTP")
	addr := r.get("MAILBOT_IMAP_ADDR")
	if addr == "" {
		return
	}
	poll, err := time.ParseDuration(r.get("MAILBOT_IMAP_POLL"))
	if err != nil || poll < time.Second {
		r.fail("MAILBOT_IMAP_POLL must be a duration of at least 1s, such as 1m")
	}
	in.IMAP = &mailin.IMAPOptions{Addr: addr, TLS: r.get("MAILBOT_IMAP_TLS"), Username: r.get("MAILBOT_IMAP_USERNAME"),
		Password: r.get("MAILBOT_IMAP_PASSWORD"), Mailbox: r.get("MAILBOT_IMAP_MAILBOX"),
		MoveTo: r.get("MAILBOT_IMAP_MOVE_TO"), PollInterval: poll}
	if in.IMAP.Username == "" {
		r.fail("MAILBOT_IMAP_USERNAME is not set: the IMAP intake (MAILBOT_IMAP_ADDR) needs the mailbox's user name")
	}
	switch r.get("MAILBOT_IMAP_AUTH") {
	case "password":
	case "xoauth2":
		in.IMAP.Token = r.oauth("MAILBOT_IMAP_AUTH")
	default:
		r.fail("MAILBOT_IMAP_AUTH must be password or xoauth2")
	}
}

// oauth returns the token source of the MAILBOT_IMAP_OAUTH_* settings,
// one for the process, so IMAP and SMTP share its tokens; setting names
// the variable that asked for it.
func (r *envReader) oauth(setting string) mailin.TokenFunc {
	if r.tokens != nil {
		return r.tokens
	}
	tokenURL, clientID := r.get("MAILBOT_IMAP_OAUTH_TOKEN_URL"), r.get("MAILBOT_IMAP_OAUTH_CLIENT_ID")
	if tokenURL == "" || clientID == "" {
		r.fail("%s=xoauth2 needs MAILBOT_IMAP_OAUTH_TOKEN_URL and MAILBOT_IMAP_OAUTH_CLIENT_ID", setting)
		return nil
	}
	r.tokens = oauthTokens(tokenURL, clientID, r.get("MAILBOT_IMAP_OAUTH_CLIENT_SECRET"),
		r.get("MAILBOT_IMAP_OAUTH_REFRESH_TOKEN"), strings.Fields(r.get("MAILBOT_IMAP_OAUTH_SCOPES")))
	return r.tokens
}

// oauthTokens fetches access tokens from tokenURL, with the refresh token
// when there is one (a user's mailbox) or else the client-credentials grant
// (an application's access to a mailbox), and reuses each until it expires.
func oauthTokens(tokenURL, clientID, secret, refresh string, scopes []string) mailin.TokenFunc {
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Timeout: 30 * time.Second})
	var ts oauth2.TokenSource
	if refresh != "" {
		cfg := &oauth2.Config{ClientID: clientID, ClientSecret: secret, Scopes: scopes,
			Endpoint: oauth2.Endpoint{TokenURL: tokenURL}}
		ts = cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: refresh})
	} else {
		cfg := &clientcredentials.Config{ClientID: clientID, ClientSecret: secret, TokenURL: tokenURL, Scopes: scopes}
		ts = cfg.TokenSource(ctx)
	}
	return func(context.Context) (string, error) {
		t, err := ts.Token()
		if err != nil {
			return "", err
		}
		return t.AccessToken, nil
	}
}

// loadSMTP reads the relay's settings; the EHLO name defaults to the
// sender's domain, which the relay can check, rather than "localhost".
func loadSMTP(r *envReader, from string) mailout.SMTPOptions {
	o := mailout.SMTPOptions{Addr: r.get("MAILBOT_SMTP_ADDR"), TLS: r.get("MAILBOT_SMTP_TLS"),
		Username: r.get("MAILBOT_SMTP_USERNAME"), Password: r.get("MAILBOT_SMTP_PASSWORD"),
		AuthMechanism: strings.ToUpper(r.get("MAILBOT_SMTP_AUTH")), HELO: r.get("MAILBOT_SMTP_HELO")}
	if o.HELO == "" {
		o.HELO = strings.ToLower(from[strings.LastIndexByte(from, '@')+1:])
	}
	if o.AuthMechanism == "XOAUTH2" {
		if o.Username == "" {
			r.fail("MAILBOT_SMTP_AUTH=xoauth2 needs MAILBOT_SMTP_USERNAME: the address of the mailbox that sends")
		}
		o.Token = r.oauth("MAILBOT_SMTP_AUTH")
	}
	if file := r.get("MAILBOT_SMTP_CA_FILE"); file != "" {
		pool, err := loadCAFile(file)
		if err != nil {
			r.fail("MAILBOT_SMTP_CA_FILE: %v", err)
		}
		o.RootCAs = pool
	}
	return o
}

// loadCAFile adds a PEM bundle's certificates to the system's roots.
func loadCAFile(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("no PEM certificate in %s", file)
	}
	return pool, nil
}

// loadHTTPS reads the web server's certificate, when there is one.
func loadHTTPS(r *envReader) *tls.Certificate {
	certFile, keyFile := r.get("MAILBOT_TLS_CERT_FILE"), r.get("MAILBOT_TLS_KEY_FILE")
	if certFile == "" && keyFile == "" {
		return nil
	}
	if certFile == "" || keyFile == "" {
		r.fail("HTTPS needs MAILBOT_TLS_CERT_FILE and MAILBOT_TLS_KEY_FILE together")
		return nil
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		r.fail("MAILBOT_TLS_CERT_FILE, MAILBOT_TLS_KEY_FILE: %v", err)
		return nil
	}
	return &cert
}

func loadDKIM(r *envReader) *mailout.DKIMOptions {
	domain, selector, file := r.get("MAILBOT_DKIM_DOMAIN"), r.get("MAILBOT_DKIM_SELECTOR"), r.get("MAILBOT_DKIM_KEY_FILE")
	if domain == "" && selector == "" && file == "" {
		return nil
	}
	if domain == "" || selector == "" || file == "" {
		r.fail("DKIM needs MAILBOT_DKIM_DOMAIN, MAILBOT_DKIM_SELECTOR and MAILBOT_DKIM_KEY_FILE together")
		return nil
	}
	signer, err := mailout.LoadDKIMKey(file)
	if err != nil {
		r.fail("MAILBOT_DKIM_KEY_FILE: %v", err)
		return nil
	}
	return &mailout.DKIMOptions{Domain: domain, Selector: selector, Signer: signer}
}

// parsePrefixes reads comma-separated CIDRs; a bare address stands for
// itself alone.
func parsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		p, err := netip.ParsePrefix(item)
		if a, aerr := netip.ParseAddr(item); err != nil && aerr == nil {
			p, err = a.Unmap().Prefix(a.Unmap().BitLen())
		}
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8 or fd00::/8, nor an address", item)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func databaseURL(env func(string) string) (string, error) {
	r := &envReader{env: env}
	url := r.get("DATABASE_URL")
	return url, r.err
}

func parseTokenKey(s string) ([]byte, error) {
	key, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(key) < threads.MinTokenKeyLen {
		return nil, fmt.Errorf("MAILBOT_TOKEN_KEY must be at least %d bytes written in hex (%d hex digits): generate one with `openssl rand -hex 32`",
			threads.MinTokenKeyLen, 2*threads.MinTokenKeyLen)
	}
	return key, nil
}
