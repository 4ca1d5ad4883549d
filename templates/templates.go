// Package templates holds the embedded email templates and web pages.
package templates

import "embed"

// FS holds every template file, so the binary is self-contained.
//
//go:embed all:files
var FS embed.FS
