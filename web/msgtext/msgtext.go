// Package msgtext shows a message's plain text as HTML people can read:
// paragraphs kept, runs of blank lines collapsed, quoted lines set apart and
// web addresses made into links. Everything else is escaped.
package msgtext

import (
	"html/template"
	"net/url"
	"strings"
)

// maxDepth bounds quotes within quotes; deeper ones stay as text.
const maxDepth = 4

// HTML renders text. Links open http and https addresses only, and carry
// rel="nofollow noopener ugc": what a message links to is not vouched for.
func HTML(text string) template.HTML {
	var b strings.Builder
	write(&b, strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n"), 0)
	return template.HTML(b.String())
}

// write renders lines as paragraphs and quotes.
func write(b *strings.Builder, lines []string, depth int) {
	for i := 0; i < len(lines); {
		switch {
		case strings.TrimSpace(lines[i]) == "":
			i++
		case depth < maxDepth && quoted(lines[i]):
			j := i
			var inner []string
			for ; j < len(lines) && quoted(lines[j]); j++ {
				inner = append(inner, unquote(lines[j]))
			}
			b.WriteString("<blockquote>")
			write(b, inner, depth+1)
			b.WriteString("</blockquote>")
			i = j
		default:
			j := i
			for j < len(lines) && strings.TrimSpace(lines[j]) != "" && !(depth < maxDepth && quoted(lines[j])) {
				j++
			}
			b.WriteString("<p>")
			for k, line := range lines[i:j] {
				if k > 0 {
					b.WriteByte('\n')
				}
				link(b, strings.TrimRight(line, " \t"))
			}
			b.WriteString("</p>")
			i = j
		}
	}
}

func quoted(line string) bool { return strings.HasPrefix(strings.TrimLeft(line, " "), ">") }

func unquote(line string) string {
	line = strings.TrimPrefix(strings.TrimLeft(line, " "), ">")
	return strings.TrimPrefix(line, " ")
}

// link writes a line escaped, with its web addresses as links.
func link(b *strings.Builder, line string) {
	for {
		start := urlStart(line)
		if start < 0 {
			b.WriteString(template.HTMLEscapeString(line))
			return
		}
		end := start + urlEnd(line[start:])
		u, err := url.Parse(line[start:end])
		if err != nil || u.Host == "" {
			b.WriteString(template.HTMLEscapeString(line[:end]))
			line = line[end:]
			continue
		}
		b.WriteString(template.HTMLEscapeString(line[:start]))
		href := template.HTMLEscapeString(u.String())
		b.WriteString(`<a href="` + href + `" rel="nofollow noopener ugc">` + template.HTMLEscapeString(line[start:end]) + "</a>")
		line = line[end:]
	}
}

// urlStart finds the next "http://" or "https://", in any case.
func urlStart(s string) int {
	lower := strings.ToLower(s)
	for off := 0; ; {
		i := strings.Index(lower[off:], "http")
		if i < 0 {
			return -1
		}
		i += off
		if rest := lower[i:]; strings.HasPrefix(rest, "http://") || strings.HasPrefix(rest, "https://") {
			if i == 0 || !isWordByte(lower[i-1]) {
				return i
			}
		}
		off = i + 4
	}
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
}

// urlEnd is where an address that starts s ends: at a space or a
// character that cannot be in one, less trailing punctuation that belongs
// to the sentence (a closing bracket stays when the address opened one).
func urlEnd(s string) int {
	end := strings.IndexFunc(s, func(r rune) bool {
		return r <= ' ' || r == '<' || r == '>' || r == '"' || r == '`' || r == 0x7f || r == '\u00a0'
	})
	if end < 0 {
		end = len(s)
	}
	for end > 0 {
		c := s[end-1]
		switch {
		case strings.IndexByte(".,;:!?'*", c) >= 0:
			end--
		case c == ')' && strings.Count(s[:end], "(") < strings.Count(s[:end], ")"),
			c == ']' && strings.Count(s[:end], "[") < strings.Count(s[:end], "]"):
			end--
		default:
			return end
		}
	}
	return end
}
