package mailout

import (
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	texttemplate "text/template"

	"mailbot/i18n"
	"mailbot/threads"
)

// emailTemplates are one language's email templates, parsed with its words.
type emailTemplates struct {
	lang   *i18n.Lang
	text   *texttemplate.Template
	html   *htmltemplate.Template
	notice *texttemplate.Template
}

// parseTemplates reads the catalogue and parses the templates once for
// each of its languages: a language is a catalogue file, not code.
func parseTemplates(templates fs.FS) (map[string]emailTemplates, error) {
	cat, err := i18n.Load(templates, "files/i18n")
	if err != nil {
		return nil, fmt.Errorf("mailout: %w", err)
	}
	out := map[string]emailTemplates{}
	for _, code := range cat.Codes() {
		l := cat.Lang(code)
		et := emailTemplates{lang: l}
		if et.text, err = texttemplate.New("notification.txt").Funcs(l.Funcs()).ParseFS(templates, "files/email/notification.txt"); err != nil {
			return nil, fmt.Errorf("mailout: templates: %w", err)
		}
		if et.html, err = htmltemplate.New("notification.html").Funcs(l.Funcs()).ParseFS(templates, "files/email/notification.html"); err != nil {
			return nil, fmt.Errorf("mailout: templates: %w", err)
		}
		if et.notice, err = texttemplate.New("notice.txt").Funcs(l.Funcs()).ParseFS(templates, "files/email/notice.txt"); err != nil {
			return nil, fmt.Errorf("mailout: templates: %w", err)
		}
		out[code] = et
	}
	return out, nil
}

// reason words why a mail was refused, in the reader's language.
func reason(l *i18n.Lang, v threads.Verdict) string {
	if key := "verdict." + string(v); l.Has(key) {
		return l.T(key)
	}
	return v.Explain()
}
