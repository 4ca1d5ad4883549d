package demomail

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-smtp"

	"mailbot/i18n"
	"mailbot/mailbot/inbound"
	"mailbot/web/msgtext"
)

// Inbox serves /demo/inbox: each demo person's mailbox, read over IMAP, and
// a Reply form that sends a reply over SMTP the way a mail client would.
type Inbox struct {
	w     *World
	names map[string]string // address -> name
	order []string
}

// NewInbox returns the demo inbox pages for people (address -> name).
func NewInbox(w *World, people map[string]string) *Inbox {
	in := &Inbox{w: w, names: people}
	for addr := range people {
		in.order = append(in.order, addr)
	}
	slices.Sort(in.order)
	return in
}

// Register adds the pages to mux.
func (in *Inbox) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /demo/inbox", in.list)
	mux.HandleFunc("POST /demo/inbox/reply", in.reply)
}

// mail is one received message as the page shows it.
type mail struct {
	UID                          imap.UID
	From, Subject, Date, ReplyTo string
	MessageID, References        string
	Text                         string
	When                         time.Time
	Files                        []fileLine
}

// fileLine is an attachment of a received mail.
type fileLine struct {
	Name string
	Size int64
}

func (in *Inbox) read(who string) ([]mail, error) {
	c, err := imapclient.DialInsecure(in.w.opts.IMAPAddr, nil)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := c.Login(who, in.w.opts.Password).Wait(); err != nil {
		return nil, err
	}
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil || sel.NumMessages == 0 {
		return nil, err
	}
	var all imap.SeqSet
	all.AddRange(1, 0)
	msgs, err := c.Fetch(all, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
	if err != nil {
		return nil, err
	}
	var out []mail
	for i := len(msgs) - 1; i >= 0; i-- {
		var raw []byte
		for _, b := range msgs[i].BodySection {
			raw = b.Bytes
		}
		m, err := inbound.Parse(raw, inbound.Limits{})
		if err != nil {
			continue
		}
		out = append(out, mail{UID: msgs[i].UID, From: m.Header.Get("From"), Subject: m.Subject,
			Date: m.Date.Format(time.RFC1123Z), ReplyTo: firstAddress(m, "Reply-To", "From"),
			When: m.Date, MessageID: m.MessageID, References: strings.Join(m.References, " "), Text: m.Text, Files: fileLines(m)})
	}
	return out, nil
}

func fileLines(m *inbound.Message) []fileLine {
	var out []fileLine
	for _, p := range m.Files {
		out = append(out, fileLine{p.FileName(), p.Size})
	}
	return out
}

func firstAddress(m *inbound.Message, keys ...string) string {
	for _, k := range keys {
		if a := m.Addresses(k); len(a) > 0 {
			return a[0]
		}
	}
	return ""
}

// inboxPages are the page in each language of the message catalogue.
var inboxPages = sync.OnceValues(func() (map[string]*template.Template, error) {
	cat, err := i18n.Shipped()
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, code := range cat.Codes() {
		l := cat.Lang(code)
		t, err := template.New("inbox").Funcs(l.Funcs()).Funcs(template.FuncMap{"text": msgtext.HTML, "when": l.DateTime}).Parse(inboxHTML)
		if err != nil {
			return nil, err
		}
		out[code] = t
	}
	return out, nil
})

const inboxHTML = `<!DOCTYPE html>
<html lang="{{lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{t "demo.inbox.title"}}</title>
<style>
*, *::before, *::after { box-sizing: border-box; }
body { font-family: system-ui, sans-serif; margin: 0; color: #1d2733; background: #f6f7f9; line-height: 1.45; }
header { background: #1d3557; color: #fff; padding: 8px 16px; display: flex; flex-wrap: wrap; gap: 4px 16px; align-items: center; }
header a { color: #fff; text-decoration: none; font-weight: 600; padding: 10px 0; }
main { max-width: 860px; margin: 20px auto; padding: 0 12px; overflow-wrap: anywhere; }
.card, .mail { background: #fff; border-radius: 8px; padding: 16px 20px; margin-bottom: 16px; box-shadow: 0 1px 2px #0001; }
.meta { color: #56616c; font-size: 14px; }
.mail h2 { font-size: 1.15em; margin: 6px 0 10px; }
.text p { margin: 0 0 0.7em; white-space: pre-wrap; }
.text blockquote { margin: 0 0 0.7em; padding: 2px 0 2px 12px; border-left: 3px solid #ced4da; color: #56616c; }
.pick { display: flex; flex-wrap: wrap; gap: 8px; }
select, textarea, input[type=file] { font: inherit; max-width: 100%; }
select { padding: 8px; min-height: 44px; flex: 1 1 240px; }
textarea { width: 100%; min-height: 100px; padding: 8px; margin: 8px 0; }
label { display: block; margin: 6px 0; }
button { min-height: 44px; padding: 8px 16px; border-radius: 6px; background: #3a6b8a; color: #fff; border: 0; font: inherit; cursor: pointer; }
.flash { background: #d8f3dc; padding: 10px 14px; border-radius: 6px; }
@media (max-width: 600px) { main { padding: 0 8px; margin: 12px auto; } .card, .mail { padding: 12px; } }
</style></head><body>
<header><a href="/">Mailbot</a><span>{{t "demo.inbox.title"}}</span></header>
<main>
<div class="card">
<h1>{{t "demo.inbox.title"}}</h1>
<p>{{t "demo.inbox.intro"}}</p>
<form method="get" action="/demo/inbox" class="pick"><label for="who">{{t "demo.inbox.person"}}</label><select name="who" id="who">
{{range .People}}<option value="{{.Addr}}"{{if eq .Addr $.Who}} selected{{end}}>{{.Name}} &lt;{{.Addr}}&gt;</option>{{end}}
</select> <button type="submit" id="open-inbox">{{t "demo.inbox.open"}}</button></form>
</div>
{{with .Sent}}<p id="flash" class="flash"><strong>{{t "demo.inbox.sent" "address" .}}</strong></p>{{end}}
{{range .Mail}}<div class="mail" id="mail-{{.UID}}">
<div class="meta">{{t "demo.inbox.from" "from" .From}} · {{when .When}} · {{t "demo.inbox.reply_to"}} <code class="reply-to">{{.ReplyTo}}</code></div><h2>{{.Subject}}</h2><div class="text">{{text .Text}}</div>
{{with .Files}}<p class="files">{{t "demo.inbox.attached"}} {{range $i, $f := .}}{{if $i}}, {{end}}{{$f.Name}} ({{size $f.Size}}){{end}}</p>{{end}}
<form method="post" action="/demo/inbox/reply" enctype="multipart/form-data"><input type="hidden" name="who" value="{{$.Who}}"><input type="hidden" name="uid" value="{{.UID}}">
<label>{{t "demo.inbox.your_reply"}}<textarea name="text" placeholder="{{t "demo.inbox.placeholder"}}"></textarea></label>
<label>{{t "demo.inbox.attach"}} <input type="file" name="files" multiple></label>
<button type="submit" class="reply">{{t "demo.inbox.reply"}}</button></form></div>
{{else}}{{if .Who}}<p class="card">{{t "demo.inbox.empty"}}</p>{{end}}{{end}}
</main>
</body></html>`

type person struct{ Addr, Name string }

func (in *Inbox) list(w http.ResponseWriter, r *http.Request) {
	who := strings.ToLower(r.URL.Query().Get("who"))
	pages, err := inboxPages()
	if err != nil {
		http.Error(w, "the page could not be made: "+err.Error(), http.StatusInternalServerError)
		return
	}
	cat, err := i18n.Shipped()
	if err != nil {
		http.Error(w, "the page could not be made: "+err.Error(), http.StatusInternalServerError)
		return
	}
	l := cat.Accept(r.Header.Get("Accept-Language"))
	data := map[string]any{"Who": who, "Sent": r.URL.Query().Get("sent")}
	var people []person
	for _, a := range in.order {
		people = append(people, person{a, in.names[a]})
	}
	data["People"] = people
	if _, ok := in.names[who]; ok {
		mails, err := in.read(who)
		if err != nil {
			http.Error(w, "reading the mailbox failed: "+err.Error(), http.StatusBadGateway)
			return
		}
		data["Mail"] = mails
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", l.Code())
	pages[l.Code()].Execute(w, data)
}

func (in *Inbox) reply(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 32<<20)
	if err := r.ParseMultipartForm(8 << 20); err != nil && err != http.ErrNotMultipart {
		http.Error(w, "the reply could not be read: "+err.Error(), http.StatusBadRequest)
		return
	}
	files, err := formFiles(r)
	if err != nil {
		http.Error(w, "an attached file could not be read: "+err.Error(), http.StatusBadRequest)
		return
	}
	who := strings.ToLower(r.PostFormValue("who"))
	uid, _ := strconv.ParseUint(r.PostFormValue("uid"), 10, 32)
	if _, ok := in.names[who]; !ok {
		http.Error(w, "no such demo person", http.StatusNotFound)
		return
	}
	mails, err := in.read(who)
	if err != nil {
		http.Error(w, "reading the mailbox failed: "+err.Error(), http.StatusBadGateway)
		return
	}
	i := slices.IndexFunc(mails, func(m mail) bool { return m.UID == imap.UID(uid) })
	if i < 0 {
		http.Error(w, "no such mail", http.StatusNotFound)
		return
	}
	raw := composeReply(who, in.names[who], mails[i], r.PostFormValue("text"), files...)
	if err := in.send(who, mails[i].ReplyTo, raw); err != nil {
		http.Error(w, "sending failed: "+err.Error(), http.StatusBadGateway)
		return
	}
	q := url.Values{"who": {who}, "sent": {mails[i].ReplyTo}}
	http.Redirect(w, r, "/demo/inbox?"+q.Encode(), http.StatusSeeOther)
}

// attachment is a file sent with a reply.
type attachment struct {
	name string
	data []byte
}

func formFiles(r *http.Request) ([]attachment, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var out []attachment
	for _, fh := range r.MultipartForm.File["files"] {
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, attachment{name: fh.Filename, data: data})
	}
	return out, nil
}

// composeReply writes a reply as common mail clients do: the new text on
// top, an attribution line, the original quoted below, "Re:" and threading
// headers, and files as attachments.
func composeReply(from, name string, orig mail, text string, files ...attachment) []byte {
	subject := orig.Subject
	if !strings.HasPrefix(strings.ToLower(subject), "re:") {
		subject = "Re: " + subject
	}
	var quoted strings.Builder
	for _, line := range strings.Split(strings.TrimRight(lf(orig.Text), "\n"), "\n") {
		quoted.WriteString("> " + line + "\r\n")
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s <%s>\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\n", oneLine(name), from, orig.ReplyTo,
		mimeWord(subject), time.Now().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%d.demo@%s>\r\n", time.Now().UnixNano(), from[strings.IndexByte(from, '@')+1:])
	if orig.MessageID != "" {
		fmt.Fprintf(&b, "In-Reply-To: <%s>\r\nReferences: %s <%s>\r\n", orig.MessageID, refs(orig.References), orig.MessageID)
	}
	b.WriteString("MIME-Version: 1.0\r\n")
	const boundary = "demo-reply-boundary"
	if len(files) > 0 {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=%q\r\n\r\n--%s\r\n", boundary, boundary)
	}
	fmt.Fprintf(&b, "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(strings.ReplaceAll(strings.TrimSpace(lf(text)), "\n", "\r\n") + "\r\n\r\n")
	fmt.Fprintf(&b, "On %s, %s wrote:\r\n%s", orig.Date, oneLine(orig.From), quoted.String())
	for _, f := range files {
		disp := mime.FormatMediaType("attachment", map[string]string{"filename": f.name})
		fmt.Fprintf(&b, "\r\n--%s\r\nContent-Type: application/octet-stream\r\nContent-Disposition: %s\r\n"+
			"Content-Transfer-Encoding: base64\r\n\r\n", boundary, disp)
		enc := base64.StdEncoding.EncodeToString(f.data)
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n")
	}
	if len(files) > 0 {
		fmt.Fprintf(&b, "--%s--\r\n", boundary)
	}
	return b.Bytes()
}

// lf makes every line end an LF: a browser's textarea sends CRLF, and the
// mail is written with CRLF from LF lines.
func lf(s string) string { return strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(s) }

func refs(s string) string {
	var out []string
	for _, id := range strings.Fields(s) {
		out = append(out, "<"+id+">")
	}
	return strings.Join(out, " ")
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func mimeWord(s string) string {
	for _, r := range s {
		if r > 126 {
			return "=?utf-8?b?" + b64(s) + "?="
		}
	}
	return oneLine(s)
}

func (in *Inbox) send(from, to string, raw []byte) error {
	c, err := smtp.Dial(in.w.opts.SMTPAddr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		return err
	}
	if err := c.SendMail(from, []string{to}, bytes.NewReader(raw)); err != nil {
		return err
	}
	return c.Quit()
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
