package demomail

import (
	"bytes"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"mailbot/mailbot/inbound"
)

// Replying on the page sends the text as written, one line end for each the
// browser sent, and says where the reply went, '+' and all.
func TestInboxReply(t *testing.T) {
	opts, w, srv := inboxWithNotice(t, "What was this charge for?")
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	// What a browser sends from the textarea: CRLF line ends.
	resp, err := noFollow.PostForm(srv.URL+"/demo/inbox/reply",
		url.Values{"who": {"dana@client.test"}, "uid": {"1"}, "text": {"It was the spring order.\r\n\r\nThanks,\r\nDana"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply: %s, Location %q", resp.Status, resp.Header.Get("Location"))
	}
	const flash = "Reply sent to reply+k7d2q@reply.bot.test"
	if got := loc.Query().Get("sent"); got != "reply+k7d2q@reply.bot.test" {
		t.Errorf("redirect names %q, want the reply address", got)
	}
	if page := get(t, srv.URL+loc.String()); !strings.Contains(html.UnescapeString(page), flash) {
		t.Errorf("the page after the reply does not say %q", flash)
	}
	// A browser that asks for Spanish gets the page in Spanish.
	req, _ := http.NewRequest("GET", srv.URL+loc.String(), nil)
	req.Header.Set("Accept-Language", "es-ES,es;q=0.9,en;q=0.5")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`<html lang="es">`, "Buzón de la demostración", "Respuesta enviada a reply+k7d2q@reply.bot.test", "Responder a"} {
		if !strings.Contains(html.UnescapeString(string(b)), want) {
			t.Errorf("the Spanish page lacks %q", want)
		}
	}

	sent := inboxRaw(t, w, opts.BotUser)
	if len(sent) != 1 {
		t.Fatalf("%d mails reached the reply mailbox, want 1", len(sent))
	}
	_, body, _ := bytes.Cut(sent[0], []byte("\r\n\r\n"))
	if want := "It was the spring order.\r\n\r\nThanks,\r\nDana\r\n\r\nOn "; !bytes.HasPrefix(body, []byte(want)) || bytes.Contains(body, []byte("\r\r")) {
		t.Errorf("reply body %q, want it to start %q with no bare CR", body, want)
	}
}

// inboxWithNotice starts a mail world whose Dana got one notification
// asking question, and serves her inbox page.
func inboxWithNotice(t *testing.T, question string) (Options, *World, *httptest.Server) {
	t.Helper()
	opts := testOptions(t)
	w := startWorld(t, opts, time.Now())
	notice := "From: Avery Quill via Mailbot <notifications@bot.test>\r\nTo: dana@client.test\r\n" +
		"Reply-To: reply+k7d2q@reply.bot.test\r\nSubject: Invoice A-1001\r\nMessage-ID: <n1@bot.test>\r\n" +
		"Date: Tue, 03 Mar 2026 10:00:00 +0000\r\n\r\n" + question + "\r\n"
	if err := w.Deliver("dana@client.test", []byte(notice)); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	NewInbox(w, map[string]string{"dana@client.test": "Dana Harbor"}).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return opts, w, srv
}

func get(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// inboxRaw returns the raw messages in a user's INBOX, oldest first.
func inboxRaw(t *testing.T, w *World, user string) [][]byte {
	t.Helper()
	c := login(t, w, user)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	var all imap.SeqSet
	all.AddRange(1, 0)
	msgs, err := c.Fetch(all, &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, m := range msgs {
		for _, b := range m.BodySection {
			out = append(out, bytes.Clone(b.Bytes))
		}
	}
	return out
}

// The reply form can attach files; they travel as a mail client sends
// them, and the service reads them back with their names.
func TestInboxReplyWithAFile(t *testing.T) {
	opts, w, srv := inboxWithNotice(t, "Could you send the receipt?")
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	mw.WriteField("who", "dana@client.test")
	mw.WriteField("uid", "1")
	mw.WriteField("text", "Here it is.")
	fw, _ := mw.CreateFormFile("files", "Recibo de caja.pdf")
	fw.Write([]byte("%PDF-1.4 receipt"))
	mw.Close()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Post(srv.URL+"/demo/inbox/reply", mw.FormDataContentType(), &form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply: %s", resp.Status)
	}
	sent := inboxRaw(t, w, opts.BotUser)
	if len(sent) != 1 {
		t.Fatalf("%d mails reached the reply mailbox, want 1", len(sent))
	}
	m, err := inbound.Parse(sent[0], inbound.Limits{})
	if err != nil || len(m.Files) != 1 || m.Files[0].Name != "Recibo de caja.pdf" || string(m.Files[0].Data) != "%PDF-1.4 receipt" {
		t.Fatalf("sent mail's files = %+v, %v", m.Files, err)
	}
	if !strings.HasPrefix(m.Text, "Here it is.") {
		t.Errorf("text = %q", m.Text)
	}
}
