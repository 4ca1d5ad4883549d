package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"mailbot/templates"
	"mailbot/threads"
)

var pageNames = []string{"login", "firm", "company", "transaction", "unsubscribe", "error", "admin", "adminkeys"}

func parsePages() (map[string]*template.Template, error) {
	pages := map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templates.FS,
			"files/web/layout.html", "files/web/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: templates: %w", err)
		}
		pages[name] = t
	}
	return pages, nil
}

var funcs = template.FuncMap{
	"kindLabel": func(k threads.Kind) string { return k.Label() },
	"kindTitle": func(k threads.Kind) string {
		l := k.Label()
		return strings.ToUpper(l[:1]) + l[1:]
	},
	"firstLine": func(s string) string {
		s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
		if len(s) > 120 {
			s = strings.ToValidUTF8(s[:120], "") + "…"
		}
		return s
	},
}

// render writes page name with data; a failure before anything was written
// becomes a plain 500.
func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, data map[string]any) {
	if data == nil {
		data = map[string]any{}
	}
	if v, ok := viewerFrom(r.Context()); ok {
		data["Viewer"] = v
	}
	var buf bytes.Buffer
	if err := s.pages[name].Execute(&buf, data); err != nil {
		s.log.Error("render", "page", name, "error", err.Error())
		http.Error(w, "Something went wrong on our side; please try again.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}

var monthsES = [12]string{"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"}

// clock formats times for one viewer, in their time zone and locale.
type clock struct {
	loc    *time.Location
	locale string
}

func clockFor(p threads.Person) clock {
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	return clock{loc: loc, locale: p.Locale}
}

// DateTime is "Mar 14, 2026 3:04 PM EST" or "14 mar 2026 15:04 CET".
func (c clock) DateTime(t time.Time) string {
	t = t.In(c.loc)
	if c.locale == "es" {
		return fmt.Sprintf("%d %s %d %s", t.Day(), monthsES[t.Month()-1], t.Year(), t.Format("15:04 MST"))
	}
	return t.Format("Jan 2, 2006 3:04 PM MST")
}

// Date is a calendar date: "Mar 14, 2026" or "14 mar 2026".
func (c clock) Date(t time.Time) string {
	if c.locale == "es" {
		return fmt.Sprintf("%d %s %d", t.Day(), monthsES[t.Month()-1], t.Year())
	}
	return t.Format("Jan 2, 2006")
}

// ISO is the machine-readable form for <time datetime>.
func (c clock) ISO(t time.Time) string { return t.In(c.loc).Format(time.RFC3339) }
