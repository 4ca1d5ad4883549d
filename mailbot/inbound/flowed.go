package inbound

import "strings"

// Unflow reads a format=flowed text (RFC 3676), as Thunderbird, Apple Mail
// and others send plain text: a line that ends with a space goes on in the
// next line of the same quote depth, so the paragraph is joined back into
// one line as its author typed it. Quoted lines come out as "> " (">> " …)
// and a signature separator "-- " stays a line of its own. With delSp the
// space that marked the soft break was added by the sender and is dropped.
func Unflow(text string, delSp bool) string {
	text = normalizeNewlines(text)
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	var b strings.Builder
	b.Grow(len(text))
	open := false // the last line written goes on in the next one
	openDepth := 0
	for _, line := range lines {
		depth := 0
		for depth < len(line) && line[depth] == '>' {
			depth++
		}
		body := line[depth:]
		body = strings.TrimPrefix(body, " ") // space-stuffing, or the space after the quote marks
		if open && (depth != openDepth || body == "-- ") {
			b.WriteByte('\n') // a soft break never crosses quote depths, nor joins the signature separator
			open = false
		}
		if !open {
			if depth > 0 {
				b.WriteString(strings.Repeat(">", depth))
				b.WriteByte(' ')
			}
		}
		flowed := strings.HasSuffix(body, " ") && body != "-- "
		if flowed && delSp {
			body = body[:len(body)-1]
		}
		b.WriteString(body)
		if flowed {
			open, openDepth = true, depth
			continue
		}
		b.WriteByte('\n')
		open = false
	}
	out := b.String()
	if open {
		out += "\n"
	}
	if !strings.HasSuffix(text, "\n") {
		out = strings.TrimSuffix(out, "\n")
	}
	return out
}
