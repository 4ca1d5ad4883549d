package demomail

import (
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mailbot/internal/smtptest"
)

const testPassword = "demo-secret"

func testOptions(t *testing.T) Options {
	return Options{SMTPAddr: smtptest.FreeAddr(t), IMAPAddr: smtptest.FreeAddr(t),
		Users: []string{"dana@client.test"}, Password: testPassword, BotUser: "replies@bot.test",
		IsReplyAddress: func(a string) bool { return strings.HasPrefix(a, "reply+") && strings.HasSuffix(a, "@reply.bot.test") },
		MaxBytes:       1 << 20}
}

func startWorld(t *testing.T, opts Options, now time.Time) *World {
	t.Helper()
	w, err := start(opts, now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	return w
}

func login(t *testing.T, w *World, user string) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(w.opts.IMAPAddr, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(user, w.opts.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}

// uidValidities is what the server says of INBOX's UIDVALIDITY to SELECT,
// STATUS and APPEND.
func uidValidities(t *testing.T, c *imapclient.Client) (sel, status, appended uint32) {
	t.Helper()
	raw := "From: dana@client.test\r\nSubject: x\r\n\r\nHello.\r\n"
	cmd := c.Append("INBOX", int64(len(raw)), nil)
	io.Copy(cmd, strings.NewReader(raw))
	cmd.Close()
	app, err := cmd.Wait()
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Status("INBOX", &imap.StatusOptions{UIDValidity: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	return s.UIDValidity, st.UIDValidity, app.UIDValidity
}

// The world's mail is gone when it stops and its UIDs start at 1 again; a
// new UIDVALIDITY per start tells clients that remembered UIDs to forget
// them, as the service's poller does.
func TestRestartedWorldHasANewUIDValidity(t *testing.T) {
	opts := testOptions(t)
	t0 := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	first := startWorld(t, opts, t0)
	sel, status, appended := uidValidities(t, login(t, first, opts.BotUser))
	if want := uint32(t0.Unix()); sel != want || status != want || appended != want {
		t.Errorf("UIDVALIDITY %d (SELECT), %d (STATUS), %d (APPEND); want the start time, %d", sel, status, appended, want)
	}
	first.Close()

	second := startWorld(t, opts, t0.Add(40*time.Second))
	if sel2, _, _ := uidValidities(t, login(t, second, opts.BotUser)); sel2 <= sel {
		t.Errorf("UIDVALIDITY after a restart %d, want above %d", sel2, sel)
	}
}

// Start takes the UIDVALIDITY from the clock.
func TestStartUsesTheClockForUIDValidity(t *testing.T) {
	opts := testOptions(t)
	before := uint32(time.Now().Unix())
	w, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	after := uint32(time.Now().Unix())
	sel, _, _ := uidValidities(t, login(t, w, "dana@client.test"))
	if sel < before || sel > after {
		t.Errorf("UIDVALIDITY %d, want the start time (%d to %d)", sel, before, after)
	}
}

// A port in use is reported as the server that could not listen, so the
// demo can name the flag that moves it.
func TestStartNamesTheServerThatCannotListen(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, c := range []struct{ server, smtp, imap string }{
		{"smtp", busy.Addr().String(), "127.0.0.1:0"},
		{"imap", "127.0.0.1:0", busy.Addr().String()},
	} {
		w, err := Start(Options{SMTPAddr: c.smtp, IMAPAddr: c.imap, BotUser: "bot@example.test", Password: "pw"})
		if err == nil {
			w.Close()
			t.Fatalf("%s: started on a port in use", c.server)
		}
		le, ok := errors.AsType[*ListenError](err)
		if !ok || le.Server != c.server || !errors.Is(err, syscall.EADDRINUSE) {
			t.Errorf("%s: error %v (%T), want a ListenError of %s wrapping EADDRINUSE", c.server, err, err, c.server)
		}
	}
}
