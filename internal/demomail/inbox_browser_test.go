package demomail

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mailbot/internal/browsertest"
)

// The inbox reads on a phone: no sideways scrolling with a long address in
// a mail, and the address is a link; axe-core finds nothing serious.
func TestInboxAtPhoneWidth(t *testing.T) {
	opts := testOptions(t)
	w := startWorld(t, opts, time.Now())
	long := "https://mailbot.example.com/companies/1/transactions/1#activities-with-a-very-long-fragment-that-does-not-wrap-by-itself"
	notice := "From: Avery Quill via Mailbot <notifications@bot.test>\r\nTo: dana@client.test\r\n" +
		"Reply-To: reply+k7d2q@reply.bot.test\r\nSubject: Invoice A-1001\r\nMessage-ID: <n1@bot.test>\r\n" +
		"Date: Tue, 03 Mar 2026 10:00:00 +0000\r\n\r\nWhat was this charge for?\r\n\r\nOpen the conversation: " + long + "\r\n"
	if err := w.Deliver("dana@client.test", []byte(notice)); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	NewInbox(w, map[string]string{"dana@client.test": "Dana Harbor"}).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	b := browsertest.New(t)
	browsertest.Width(t, b, 390)
	if err := chromedp.Do(b, chromedp.Navigate(srv.URL+"/demo/inbox?who=dana@client.test"), chromedp.WaitVisible("div.mail")); err != nil {
		t.Fatal(err)
	}
	if width := browsertest.ScrollWidth(t, b); width > 390 {
		t.Errorf("the inbox is %d px wide at 390 px", width)
	}
	href, err := chromedp.Run(b, chromedp.Evaluate[string](`document.querySelector('.mail .text a').getAttribute('href')`))
	if err != nil || !strings.HasPrefix(href, "https://mailbot.example.com/") {
		t.Errorf("the address in the mail is not a link: %q, %v", href, err)
	}
	for _, v := range browsertest.Axe(t, b) {
		t.Errorf("demo inbox: %s", v)
	}
	browsertest.Screenshot(t, b, "demo-inbox-390")
	browsertest.Width(t, b, 1280)
	browsertest.Screenshot(t, b, "demo-inbox-1280")
}
