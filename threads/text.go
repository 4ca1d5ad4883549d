package threads

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// externalIDPattern keeps ledger ids safe to put in URL paths and logs.
var externalIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`)

func checkExternalID(field, id string) error {
	if !externalIDPattern.MatchString(id) {
		return invalid(field, "id_format", "must be 1-128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit")
	}
	return nil
}

// checkText refuses text Postgres cannot store (invalid UTF-8, NUL bytes) and
// text longer than max bytes.
func checkText(field, s string, max int) error {
	switch {
	case !utf8.ValidString(s):
		return invalid(field, "not_utf8", "is not valid UTF-8 text")
	case strings.IndexByte(s, 0) >= 0:
		return invalid(field, "nul", "contains a NUL character")
	case len(s) > max:
		return invalid(field, "too_long_bytes", "is longer than {limit} bytes", "limit", strconv.Itoa(max))
	}
	return nil
}

// checkLine is checkText for one-line values such as names: no control
// characters at all, so they can never break a header or a layout.
func checkLine(field, s string, max int) error {
	if err := checkText(field, s, max); err != nil {
		return err
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' {
			return invalid(field, "control_char", "contains a control character or line break")
		}
	}
	return nil
}

// lineEnds turns CRLF and a lone CR into LF.
var lineEnds = strings.NewReplacer("\r\n", "\n", "\r", "\n")

// normalizeLineEnds makes every line end an LF, whatever wrote the text: a
// browser's textarea sends CRLF, mail has CRLF and sometimes a lone CR, and
// a lone CR shown on a page or in an email can become a line break or none.
func normalizeLineEnds(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	return lineEnds.Replace(s)
}
