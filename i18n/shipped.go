package i18n

import (
	"sync"

	"mailbot/templates"
)

// Shipped is the catalogue built into the binary (templates/files/i18n),
// read once for the whole process.
var Shipped = sync.OnceValues(func() (*Catalogue, error) {
	return Load(templates.FS, "files/i18n")
})
