// Package templates holds the embedded email templates and web pages.
package templates

import (
	"embed"
	"sync"

	"mailbot/i18n"
)

// FS holds every template file, so the binary is self-contained.
//
//go:embed all:files
var FS embed.FS

// Catalogue is the message catalogue shipped in FS, read once for the
// whole process.
var Catalogue = sync.OnceValues(func() (*i18n.Catalogue, error) {
	return i18n.Load(FS, "files/i18n")
})
