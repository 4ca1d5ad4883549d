package i18n_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"mailbot/i18n"
	"mailbot/templates"
	"mailbot/threads"
)

func catalogue(t *testing.T) *i18n.Catalogue {
	t.Helper()
	c, err := i18n.Load(templates.FS, "files/i18n")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCatalogueHasEnglishAndSpanish(t *testing.T) {
	c := catalogue(t)
	if got := strings.Join(c.Codes(), " "); got != "en es" {
		t.Fatalf("languages %q, want en es", got)
	}
}

// A language file that lacks a key, or has one the fallback lacks, does
// not load: a missing translation fails at start and in this test.
func TestMissingKeyFails(t *testing.T) {
	en, _ := fs.ReadFile(templates.FS, "files/i18n/en.json")
	es, _ := fs.ReadFile(templates.FS, "files/i18n/es.json")
	for name, bad := range map[string][]byte{
		"es lacks a key":    []byte(strings.Replace(string(es), `"login.title": "Iniciar sesión",`, "", 1)),
		"es has an extra":   []byte(strings.Replace(string(es), `"login.title":`, `"login.nothing": "x", "login.title":`, 1)),
		"plural in en only": []byte(strings.Replace(string(es), `"login.try_again": {"one": "Vuelva a intentarlo dentro de un minuto.", "other": "Vuelva a intentarlo dentro de {n} minutos."}`, `"login.try_again": "x"`, 1)),
	} {
		if string(bad) == string(es) {
			t.Fatalf("%s: the test's edit did not apply", name)
		}
		_, err := i18n.Load(fstest.MapFS{"l/en.json": {Data: en}, "l/es.json": {Data: bad}}, "l")
		if err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
	if _, err := i18n.Load(fstest.MapFS{"l/es.json": {Data: es}}, "l"); err == nil {
		t.Error("a catalogue without en.json loaded")
	}
}

// A third language is a file: dropping one in makes it available.
func TestThirdLanguageIsAFile(t *testing.T) {
	en, _ := fs.ReadFile(templates.FS, "files/i18n/en.json")
	es, _ := fs.ReadFile(templates.FS, "files/i18n/es.json")
	pt := strings.Replace(string(es), `"name": "Español"`, `"name": "Português"`, 1)
	c, err := i18n.Load(fstest.MapFS{"l/en.json": {Data: en}, "l/es.json": {Data: es}, "l/pt-BR.json": {Data: []byte(pt)}}, "l")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Accept("pt-BR,pt;q=0.8").Name(); got != "Português" {
		t.Errorf("Accept-Language pt-BR picks %q", got)
	}
}

var (
	templateKey = regexp.MustCompile(`\{\{-?\s*(?:t|n)\s+"([a-z0-9_.]+)"`)
	goKey       = regexp.MustCompile(`\.(?:T|N)\("([a-z0-9_.]+)"`)
	// invalidCall is a validation error made in Go: its field (when a
	// literal) and its rule.
	invalidCall = regexp.MustCompile(`[iI]nvalid\((?:"([a-z ]+)"|[a-zA-Z.()]+), "([a-z0-9_]+)"`)
)

// Every key the templates and the Go code of the pages and emails use is
// in every language.
func TestEveryKeyUsedIsInEveryLanguage(t *testing.T) {
	c := catalogue(t)
	used := map[string]string{}
	fs.WalkDir(templates.FS, "files", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasSuffix(path, ".json") {
			data, _ := fs.ReadFile(templates.FS, path)
			for _, m := range templateKey.FindAllStringSubmatch(string(data), -1) {
				used[m[1]] = path
			}
		}
		return err
	})
	for _, dir := range []string{"../web", "../mailbot/mailout", "../internal/demomail"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			data, _ := os.ReadFile(f)
			for _, m := range goKey.FindAllStringSubmatch(string(data), -1) {
				used[m[1]] = f
			}
		}
	}
	// Validation errors are worded by their rule and field.
	rules := 0
	for _, dir := range []string{"../threads", "../web"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			data, _ := os.ReadFile(f)
			for _, m := range invalidCall.FindAllStringSubmatch(string(data), -1) {
				used["invalid."+m[2]], rules = f, rules+1
				if m[1] != "" && m[1] != "field" {
					used["field."+strings.ReplaceAll(m[1], " ", "_")] = f
				}
			}
		}
	}
	if len(used) < 50 || rules < 30 {
		t.Fatalf("found only %d keys and %d validation rules in use; the scan is broken", len(used), rules)
	}
	for _, code := range c.Codes() {
		l := c.Lang(code)
		for key, where := range used {
			if !l.Has(key) {
				t.Errorf("%s: %q (used in %s) is missing", code, key, where)
			}
		}
	}
	// The admin pages name every verdict and outbox status, with a reason for
	// each verdict.
	for _, code := range c.Codes() {
		for _, v := range threads.Verdicts() {
			for _, key := range []string{"admin.verdict." + string(v), "admin.verdict." + string(v) + ".why", "admin.class." + v.Class()} {
				if !c.Lang(code).Has(key) {
					t.Errorf("%s: %q is missing", code, key)
				}
			}
		}
		for _, s := range []string{threads.OutboxPending, threads.OutboxSent, threads.OutboxFailed, threads.OutboxMuted, threads.OutboxBounced} {
			if key := "admin.status." + s; !c.Lang(code).Has(key) {
				t.Errorf("%s: %q is missing", code, key)
			}
		}
	}
	for _, k := range threads.Kinds() {
		for _, code := range c.Codes() {
			for _, suffix := range []string{"", ".in_sentence", ".plural", ".party"} {
				if key := "kind." + string(k) + suffix; !c.Lang(code).Has(key) {
					t.Errorf("%s: %q is missing", code, key)
				}
			}
		}
	}
}

func TestFormats(t *testing.T) {
	c := catalogue(t)
	en, es := c.Lang("en"), c.Lang("es")
	madrid, _ := time.LoadLocation("Europe/Madrid")
	at := time.Date(2026, 3, 14, 15, 4, 0, 0, madrid)
	for _, tc := range []struct{ got, want string }{
		{en.Amount(125000, "EUR"), "1,250.00 EUR"},
		{es.Amount(125000, "EUR"), "1.250,00 EUR"},
		{en.Amount(-123456789, "JPY"), "-123,456,789 JPY"},
		{es.Amount(5, "KWD"), "0,005 KWD"},
		{en.Date(at), "Mar 14, 2026"},
		{es.Date(at), "14 de marzo de 2026"},
		{en.DateTime(at), "Mar 14, 2026 3:04 PM CET"},
		{es.DateTime(at), "14 mar 2026, 15:04 CET"},
		{es.Size(1234567), "1,2 MB"},
		{en.N("files.refused", 1, "list", "a.exe"), "1 file not accepted: a.exe"},
		{es.N("files.refused", 1234, "list", "…"), "1.234 archivos no aceptados: …"},
		{es.Kind(threads.KindInvoice), "Factura"},
		{en.Party(threads.KindBill), "Vendor"},
		{en.T("no.such.key"), "no.such.key"},
		{c.Lang("es-MX").Code(), "es"},
		{c.Lang("fr").Code(), "en"},
		{c.Accept("es-ES,es;q=0.9,en;q=0.8").Code(), "es"},
		{c.Accept("fr-FR").Code(), "en"},
		{c.Accept("").Code(), "en"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
