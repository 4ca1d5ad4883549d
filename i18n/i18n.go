// Package i18n is the one message catalogue of the pages and the emails:
// words in each language, read from one JSON file per language, and the
// formats of numbers, amounts and dates that go with them.
package i18n

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"golang.org/x/text/language"
)

// Fallback is the language used when a reader's is not in the catalogue;
// every other language must have each of its keys.
const Fallback = "en"

// Catalogue holds every language of the files it was loaded from.
type Catalogue struct {
	langs   map[string]*Lang
	codes   []string
	matcher language.Matcher
}

// file is one language's JSON file.
type file struct {
	Name     string                     `json:"name"`
	Format   Format                     `json:"format"`
	Messages map[string]json.RawMessage `json:"messages"`
}

// Format is how a language writes numbers and dates.
type Format struct {
	Thousands   string     `json:"thousands"`
	Decimal     string     `json:"decimal"`
	Months      [12]string `json:"months"`
	MonthsShort [12]string `json:"months_short"`
	// Date and DateTime are patterns with {day}, {month}, {mon} (short
	// month), {year} and, in DateTime, {time}; Time is a Go time layout.
	Date     string `json:"date"`
	DateTime string `json:"date_time"`
	Time     string `json:"time"`
}

// Load reads every dir/<code>.json of fsys, a file per language named by its
// BCP 47 code ("en.json", "es.json", "pt-BR.json"). It fails when a
// language lacks a key the fallback has, has one the fallback lacks, or
// lacks a plural form its language needs.
func Load(fsys fs.FS, dir string) (*Catalogue, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("i18n: %w", err)
	}
	c := &Catalogue{langs: map[string]*Lang{}}
	for _, name := range names {
		l, err := loadLang(fsys, name)
		if err != nil {
			return nil, err
		}
		c.langs[l.code] = l
	}
	base, ok := c.langs[Fallback]
	if !ok {
		return nil, fmt.Errorf("i18n: no %s.json in %s", Fallback, dir)
	}
	c.codes = []string{Fallback}
	for code, l := range c.langs {
		if err := sameKeys(base, l); err != nil {
			return nil, err
		}
		if code != Fallback {
			c.codes = append(c.codes, code)
		}
	}
	sort.Strings(c.codes[1:])
	tags := make([]language.Tag, len(c.codes))
	for i, code := range c.codes {
		tags[i] = c.langs[code].tag
	}
	c.matcher = language.NewMatcher(tags)
	return c, nil
}

func loadLang(fsys fs.FS, name string) (*Lang, error) {
	code := strings.TrimSuffix(path.Base(name), ".json")
	tag, err := language.Parse(code)
	if err != nil {
		return nil, fmt.Errorf("i18n: %s: the file name is not a language code: %w", name, err)
	}
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("i18n: %w", err)
	}
	var f file
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("i18n: %s: %w", name, err)
	}
	l := &Lang{code: code, tag: tag, name: f.Name, format: f.Format, text: map[string]string{}, plural: map[string]map[string]string{}}
	for key, raw := range f.Messages {
		if err := l.add(key, raw); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
	}
	if err := f.Format.check(); err != nil {
		return nil, fmt.Errorf("i18n: %s: format: %w", name, err)
	}
	return l, nil
}

// add stores a message: a string, or an object of plural forms.
func (l *Lang) add(key string, raw json.RawMessage) error {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		l.text[key] = s
		return nil
	}
	var forms map[string]string
	if err := json.Unmarshal(raw, &forms); err != nil {
		return fmt.Errorf("message %q is neither a string nor an object of plural forms", key)
	}
	if _, ok := forms["other"]; !ok {
		return fmt.Errorf("message %q has no \"other\" form", key)
	}
	for form := range forms {
		if !slices.Contains(pluralForms, form) {
			return fmt.Errorf("message %q: %q is not a plural form (%s)", key, form, strings.Join(pluralForms, ", "))
		}
	}
	l.plural[key] = forms
	return nil
}

func (f Format) check() error {
	switch {
	case f.Decimal == "":
		return fmt.Errorf("no decimal mark")
	case f.Date == "" || f.DateTime == "" || f.Time == "":
		return fmt.Errorf("date, date_time and time are needed")
	case slices.Contains(f.Months[:], "") || slices.Contains(f.MonthsShort[:], ""):
		return fmt.Errorf("twelve months and twelve short months are needed")
	}
	return nil
}

// sameKeys checks that l has exactly base's keys, each a plural where
// base has a plural.
func sameKeys(base, l *Lang) error {
	for _, k := range base.Keys() {
		if !l.Has(k) {
			return fmt.Errorf("i18n: %s lacks %q", l.code, k)
		}
		if _, plural := base.plural[k]; plural != (l.plural[k] != nil) {
			return fmt.Errorf("i18n: %q is a plural in one of %s and %s only", k, base.code, l.code)
		}
	}
	for _, k := range l.Keys() {
		if !base.Has(k) {
			return fmt.Errorf("i18n: %s has %q, which %s lacks", l.code, k, base.code)
		}
	}
	return nil
}

// Codes lists the catalogue's languages, the fallback first.
func (c *Catalogue) Codes() []string { return slices.Clone(c.codes) }

// Lang is the language with this code, or the fallback.
func (c *Catalogue) Lang(code string) *Lang {
	if l, ok := c.langs[code]; ok {
		return l
	}
	if base, _, ok := strings.Cut(code, "-"); ok {
		if l, ok := c.langs[base]; ok {
			return l
		}
	}
	return c.langs[Fallback]
}

// Accept is the language that best fits an Accept-Language header.
func (c *Catalogue) Accept(header string) *Lang {
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return c.langs[Fallback]
	}
	_, i, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return c.langs[Fallback]
	}
	return c.langs[c.codes[i]]
}
