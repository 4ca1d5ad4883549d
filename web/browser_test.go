package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mailbot/internal/browsertest"
)

// TestBrowserConversation drives two real browsers through a conversation:
// the accountant follows a deep link, signs in, lands on the transaction and
// posts to the client; the client signs in, sees one waiting message, opens
// it and replies; the accountant then has one waiting.
func TestBrowserConversation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	deepLink := f.srv.URL + f.txnPath(f.acme, f.invoice)

	acc := browsertest.New(t)
	must(t, chromedp.Do(acc, chromedp.Navigate(deepLink), chromedp.WaitVisible("#sign-in")))
	if loc := run(t, acc, chromedp.Location()); !strings.Contains(loc, "/login?next=") {
		t.Fatalf("deep link while signed out went to %s", loc)
	}
	browsertest.Screenshot(t, acc, "login")
	signIn(t, acc, "avery@firm.test", "#activities")
	if loc := run(t, acc, chromedp.Location()); loc != deepLink {
		t.Fatalf("after sign-in the accountant is at %s, want %s", loc, deepLink)
	}
	must(t, chromedp.Do(acc,
		chromedp.SetValue("#recipient", fmt.Sprint(f.ana.ID)),
		chromedp.SendKeys("#body", "What was this charge for?"),
	))
	browsertest.Click(t, acc, "#post", "article.activity")
	activity := browsertest.Text(t, acc, "article.activity")
	if !strings.Contains(activity, "What was this charge for?") || !strings.Contains(activity, "2026") || !strings.Contains(activity, "on the web") {
		t.Errorf("posted activity reads %q; want the message with its date and time", activity)
	}
	browsertest.Screenshot(t, acc, "transaction-after-post")
	// Away from the page: with it open, the reply would show there live and
	// so be read.
	must(t, chromedp.Do(acc, chromedp.Navigate(f.srv.URL+"/"), chromedp.WaitVisible("#companies")))

	cli := browsertest.New(t)
	must(t, chromedp.Do(cli, chromedp.Navigate(f.srv.URL+"/"), chromedp.WaitVisible("#sign-in")))
	signIn(t, cli, "ana@acme.test", "#conversation")
	if n := browsertest.Text(t, cli, "#conversation-count"); n != "1" {
		t.Fatalf("client's Conversation count is %q, want 1", n)
	}
	browsertest.Screenshot(t, cli, "company-home")
	browsertest.Click(t, cli, "#waiting td a", "#activities")
	if text := browsertest.Text(t, cli, "article.activity"); !strings.Contains(text, "What was this charge for?") || !strings.Contains(text, "CET") {
		t.Errorf("client sees %q; want the message with a time in their own zone", text)
	}
	must(t, chromedp.Do(cli, chromedp.SendKeys("#body", "It was the spring stock order.")))
	browsertest.Click(t, cli, "#post", "#activities")
	waitText(t, cli, "#activities", "It was the spring stock order.")
	browsertest.Screenshot(t, cli, "transaction-reply")

	must(t, chromedp.Do(acc, chromedp.Navigate(f.srv.URL+"/"), chromedp.WaitVisible("#companies")))
	browsertest.Screenshot(t, acc, "firm")
	must(t, chromedp.Do(acc, chromedp.Navigate(fmt.Sprintf("%s/companies/%d", f.srv.URL, f.acme.ID)), chromedp.WaitVisible("#conversation")))
	if n := browsertest.Text(t, acc, "#conversation-count"); n != "1" {
		t.Errorf("accountant's Conversation count is %q after the reply, want 1", n)
	}
}

func signIn(t *testing.T, ctx context.Context, email, next string) {
	t.Helper()
	must(t, chromedp.Do(ctx,
		chromedp.SetValue("#email", email),
		chromedp.SetValue("#password", password),
	))
	browsertest.Click(t, ctx, "#sign-in", next)
}

func waitText(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		text := browsertest.Text(t, ctx, sel)
		if strings.Contains(text, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never showed %q; it reads %q", sel, want, text)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
