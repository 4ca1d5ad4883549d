// Package envbool reads on/off settings, from the environment or flags, in
// the spellings people use, so that none is silently taken for off.
package envbool

import "strings"

// Spellings names what Parse accepts, for error messages.
const Spellings = "true/false, 1/0, yes/no or on/off"

// Parse reads true, 1, yes, on and false, 0, no, off, in any case and with
// space around; ok is false for anything else, the empty string included.
func Parse(s string) (v, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes", "on":
		return true, true
	case "false", "0", "no", "off":
		return false, true
	}
	return false, false
}
