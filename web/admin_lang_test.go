package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"mailbot/threads"
	"mailbot/web"
)

// A Spanish-speaking staff person reads the admin pages in Spanish.
func TestAdminInSpanish(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	pipe := adminSite(t, f, web.AdminOptions{})
	f.store.PostMessage(ctx, threads.NewMessage{TransactionID: f.invoice.ID, AuthorID: f.accountant.ID, RecipientID: f.ana.ID,
		Body: "Receipt?", Source: threads.SourceWeb})
	ingest(t, pipe, mail("stranger@elsewhere.test", "reply+abcdefghijklmnopqrstuvwxyz234567@reply.example.test", "x@elsewhere.test", "Hola"),
		threads.VerdictRejectedBadToken)
	f.db.Exec(`UPDATE outbox SET status = 'failed', last_error = '550 no such user'`)
	f.store.CreateAPIKey(ctx, "ledger")
	admin := f.staffClient(t, f.accountant, "es")

	english := []string{"Inbound mail", "Outbox", "People", "API keys", "Health", "Verdict", "Reprocess", "View source", "Waiting"}
	for path, want := range map[string][]string{
		"/admin":                     {"Estado", "Entrada IMAP", "sin configurar", "Últimas 24 horas", "1 correo fallido", "Administración"},
		"/admin/inbound":             {"Correo entrante", "Dirección de respuesta desconocida", "no pertenece a ninguna conversación", "Ver original", "Descargar", "Rechazados"},
		"/admin/outbox":              {"Bandeja de salida", "Notificación", "Factura INV-1", "Fallido", "Reintentar", "creado el"},
		"/admin/people":              {"Personas", "Añadir o editar una persona", "Revocar direcciones de respuesta…", "Nueva contraseña"},
		"/admin/keys":                {"Claves de API", "Crear clave", "nunca"},
		"/admin/outbox/retry-failed": {"¿Reintentar todos los correos fallidos?", "1 correo fallido vuelve a la cola", "Cancelar"},
		fmt.Sprintf("/admin/people/%d/revoke-tokens", f.ana.ID): {"¿Revocar las direcciones de respuesta de Ana Client?"},
	} {
		code, body, _ := admin.do("GET", path, nil)
		if code != http.StatusOK {
			t.Errorf("%s: %d", path, code)
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s does not say %q", path, w)
			}
		}
		text := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(body, " ")
		for _, w := range english {
			if strings.Contains(text, w) {
				t.Errorf("%s says %q in English", path, w)
			}
		}
	}
	var id int64
	f.db.Get(&id, `SELECT min(id) FROM outbox`)
	_, _, h := admin.do("POST", fmt.Sprintf("/admin/outbox/%d/retry", id), url.Values{})
	if _, body, _ := admin.do("GET", h.Get("Location"), nil); !strings.Contains(body, fmt.Sprintf("Correo n.º %d de nuevo en la cola.", id)) {
		t.Error("the outbox page does not say in Spanish what retrying did")
	}
	// What a form refuses is said in Spanish too.
	for _, c := range []struct {
		path string
		form url.Values
		want string
	}{
		{"/admin/keys", url.Values{"name": {"ledger"}}, "Nombre de la clave: ya hay una clave activa llamada &#34;ledger&#34;. Revóquela antes o elija otro nombre."},
		{"/admin/people", url.Values{"external_id": {"dee"}, "name": {"Dee Dune"}, "emails": {"dee@dune.test"}, "time_zone": {"Mars/Olympus"}, "locale": {"es"}},
			"Zona horaria: &#34;Mars/Olympus&#34; no es una zona horaria conocida"},
	} {
		code, body, _ := admin.do("POST", c.path, c.form)
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, c.want) {
			t.Errorf("POST %s: %d; want 422 saying %q", c.path, code, c.want)
		}
	}
}
