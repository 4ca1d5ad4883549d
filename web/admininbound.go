package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"mailbot/i18n"
	"mailbot/threads"
)

func (a *Admin) registerInbound(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/inbound", a.staff(a.inboundPage))
	mux.HandleFunc("GET /admin/inbound/{id}", a.staff(a.raw))
	mux.HandleFunc("GET /admin/inbound/{id}/download", a.staff(a.download))
	mux.HandleFunc("POST /admin/inbound/{id}/reprocess", a.staff(a.reprocess))
}

// verdictView is a verdict as staff read it: a short name, why a mail gets
// it and what can be done, and whether reprocessing is worth offering.
type verdictView struct {
	Code  threads.Verdict
	Class string
	Name  string
	Why   string
	Rerun bool
}

// verdictOf words v in the reader's language; a verdict the catalogue does
// not know yet shows as its code with the domain's English explanation.
func verdictOf(l *i18n.Lang, v threads.Verdict) verdictView {
	key := "admin.verdict." + string(v)
	out := verdictView{Code: v, Class: v.Class(), Name: string(v), Why: v.Explain(), Rerun: v.MayChange()}
	if l.Has(key) {
		out.Name, out.Why = l.T(key), l.T(key+".why")
	}
	return out
}

// verdictLink is one entry of the verdict filter: a class with its
// verdicts, or one verdict, with how many mails it finds.
type verdictLink struct {
	Label, URL string
	Count      int
	Current    bool
	Verdicts   []verdictLink
}

// verdictLinks groups the counts by class, in the order of
// threads.Verdicts (verdicts it does not list come last), each link keeping
// the sender and date filters.
func verdictLinks(l *i18n.Lang, counts []threads.VerdictCount, f threads.InboundFilter, date string) (all verdictLink, classes []verdictLink) {
	link := func(verdict string) string {
		q := url.Values{}
		for k, v := range map[string]string{"verdict": verdict, "sender": f.Sender, "date": date} {
			if v != "" {
				q.Set(k, v)
			}
		}
		if len(q) == 0 {
			return "/admin/inbound"
		}
		return "/admin/inbound?" + q.Encode()
	}
	byVerdict := map[threads.Verdict]int{}
	order := threads.Verdicts()
	total := 0
	for _, c := range counts {
		if !slices.Contains(order, c.Verdict) {
			order = append(order, c.Verdict)
		}
		byVerdict[c.Verdict] = c.Count
		total += c.Count
	}
	all = verdictLink{Label: l.T("admin.inbound.all"), URL: link(""), Count: total, Current: f.Verdict == ""}
	index := map[string]int{}
	for _, v := range order {
		n := byVerdict[v]
		if n == 0 {
			continue
		}
		class := v.Class()
		i, ok := index[class]
		if !ok {
			i, index[class] = len(classes), len(classes)
			classes = append(classes, verdictLink{Label: className(l, class), URL: link(class), Current: f.Verdict == class})
		}
		classes[i].Count += n
		if string(v) != class { // "posted" is a class of one
			classes[i].Verdicts = append(classes[i].Verdicts, verdictLink{Label: verdictOf(l, v).Name, URL: link(string(v)),
				Count: n, Current: f.Verdict == string(v)})
		}
	}
	return all, classes
}

func className(l *i18n.Lang, class string) string {
	if key := "admin.class." + class; l.Has(key) {
		return l.T(key)
	}
	return class
}

// inboundRow is a line of the inbound log with its verdict in words.
type inboundRow struct {
	threads.InboundRow
	V        verdictView
	Received string
	ISO      string
}

func (a *Admin) inboundPage(w http.ResponseWriter, r *http.Request) {
	v, _ := viewerFrom(r.Context())
	q := r.URL.Query()
	f := threads.InboundFilter{Verdict: q.Get("verdict"), Sender: q.Get("sender")}
	if d, err := time.ParseInLocation(time.DateOnly, q.Get("date"), v.Clock.loc); err == nil {
		f.Since, f.Until = d, d.AddDate(0, 0, 1)
	}
	log, err := a.store.InboundLog(r.Context(), f)
	if err != nil {
		a.web.fail(w, r, err)
		return
	}
	counts, err := a.store.InboundVerdictCounts(r.Context(), f)
	if err != nil {
		a.web.fail(w, r, err)
		return
	}
	rows := make([]inboundRow, len(log))
	for i, m := range log {
		rows[i] = inboundRow{InboundRow: m, V: verdictOf(v.Lang, m.Verdict), Received: v.Clock.DateTime(m.ReceivedAt),
			ISO: v.Clock.ISO(m.ReceivedAt)}
	}
	all, classes := verdictLinks(v.Lang, counts, f, q.Get("date"))
	a.show(w, r, "admininbound", "inbound", map[string]any{"Rows": rows, "All": all, "Classes": classes,
		"Filter": f, "Date": q.Get("date"), "CanReprocess": a.opts.Reprocess != nil})
}

// raw shows a logged mail's source as plain text, never as HTML.
func (a *Admin) raw(w http.ResponseWriter, r *http.Request) {
	a.source(w, r, "inline")
}

// download hands a logged mail's source over as a file to open in a mail
// program.
func (a *Admin) download(w http.ResponseWriter, r *http.Request) {
	a.source(w, r, "attachment")
}

func (a *Admin) source(w http.ResponseWriter, r *http.Request, disposition string) {
	id, err := pathID(r, "id")
	var raw []byte
	if err == nil {
		raw, _, err = a.store.InboundRaw(r.Context(), id)
	}
	if err != nil {
		a.web.fail(w, r, err)
		return
	}
	if disposition == "attachment" {
		w.Header().Set("Content-Type", "message/rfc822")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="mail-%d.eml"`, id))
	} else {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Content-Disposition", "inline")
	}
	w.Write(raw)
}

func (a *Admin) reprocess(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil && a.opts.Reprocess == nil {
		err = fmt.Errorf("reprocessing needs the mail intake: %w", threads.ErrNotFound)
	}
	var verdict string
	if err == nil {
		verdict, err = a.opts.Reprocess(r.Context(), id)
	}
	a.done(w, r, err, "/admin/inbound", "reprocessed", "id", strconv.FormatInt(id, 10), "verdict", verdict)
}
