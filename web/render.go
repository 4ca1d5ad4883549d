package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"mailbot/i18n"
	"mailbot/templates"
	"mailbot/threads"
)

var pageNames = []string{"login", "firm", "company", "transaction", "unsubscribe", "error", "admin", "admininbound", "adminoutbox",
	"adminpeople", "adminkeys", "adminconfirm"}

// parsePages parses every page once for each language of the catalogue,
// with that language's words and formats as template functions.
func parsePages(cat *i18n.Catalogue) (map[string]map[string]*template.Template, error) {
	out := map[string]map[string]*template.Template{}
	for _, code := range cat.Codes() {
		l := cat.Lang(code)
		pages := map[string]*template.Template{}
		for _, name := range pageNames {
			t, err := template.New("layout.html").Funcs(pageFuncs(l)).ParseFS(templates.FS,
				"files/web/layout.html", "files/web/"+name+".html")
			if err != nil {
				return nil, fmt.Errorf("web: templates: %w", err)
			}
			pages[name] = t
		}
		out[code] = pages
	}
	return out, nil
}

func pageFuncs(l *i18n.Lang) template.FuncMap {
	return template.FuncMap(l.Funcs())
}

// firstLine is the start of a message, for lists.
func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 120 {
		s = strings.ToValidUTF8(s[:120], "") + "…"
	}
	return s
}

// lang is the language of a request's reader: the signed-in person's, or
// the one an unsubscribe link names, else the best fit for the browser's
// Accept-Language.
func (s *Server) lang(r *http.Request) *i18n.Lang {
	if v, ok := viewerFrom(r.Context()); ok {
		return v.Lang
	}
	if l, ok := r.Context().Value(langKey{}).(*i18n.Lang); ok {
		return l
	}
	return s.cat.Accept(r.Header.Get("Accept-Language"))
}

// render writes page name with data; a failure before anything was written
// becomes a plain 500.
func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, data map[string]any) {
	if data == nil {
		data = map[string]any{}
	}
	if v, ok := viewerFrom(r.Context()); ok {
		data["Viewer"] = v
	} else {
		w.Header().Add("Vary", "Accept-Language")
	}
	l := s.lang(r)
	buf := s.pageBuf()
	defer s.putPageBuf(buf)
	if err := s.pages[l.Code()][name].Execute(buf, data); err != nil {
		s.log.Error("render", "page", name, "error", err.Error())
		http.Error(w, l.T("error.internal"), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.Write(buf.Bytes())
}

// pageBuf is a buffer to render a page into, kept from an earlier page: a
// long thread's page is tens of kilobytes, grown from nothing at every view
// otherwise.
func (s *Server) pageBuf() *bytes.Buffer {
	if b, ok := s.pageBufs.Get().(*bytes.Buffer); ok {
		return b
	}
	return new(bytes.Buffer)
}

// putPageBuf keeps a buffer for the next page, unless a page of everything
// (?all=1) made it too big to keep.
func (s *Server) putPageBuf(b *bytes.Buffer) {
	if b.Cap() <= 1<<20 {
		b.Reset()
		s.pageBufs.Put(b)
	}
}

// clock formats times for one viewer, in their time zone and language.
type clock struct {
	loc  *time.Location
	lang *i18n.Lang
}

func (s *Server) clockFor(p threads.Person, l *i18n.Lang) clock {
	return clock{loc: s.zones.get(p.TimeZone), lang: l}
}

// zones keeps the time zones people are in, loaded once each: loading one
// reads the zone database, and every signed-in page needs its viewer's.
type zones struct{ m sync.Map }

// get is the zone named, or UTC when there is none of that name.
func (z *zones) get(name string) *time.Location {
	if loc, ok := z.m.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = time.UTC
	}
	z.m.Store(name, loc)
	return loc
}

// DateTime is "Mar 14, 2026 3:04 PM EDT" or "14 mar 2026, 15:04 CET".
func (c clock) DateTime(t time.Time) string { return c.lang.DateTime(t.In(c.loc)) }

// Date is a calendar date: "Mar 14, 2026" or "14 de marzo de 2026".
func (c clock) Date(t time.Time) string { return c.lang.Date(t) }

// ISO is the machine-readable form for <time datetime>.
func (c clock) ISO(t time.Time) string { return t.In(c.loc).Format(time.RFC3339) }
