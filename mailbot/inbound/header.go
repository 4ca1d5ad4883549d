package inbound

import (
	"bytes"
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

const maxHeaderBytes = 1 << 20

// splitHeader cuts the raw mail into its header block and body. Lines that
// are neither "Name: value" nor continuations are dropped, so one broken
// line does not make the whole header unreadable.
func splitHeader(raw []byte) (header, body []byte, problems []string) {
	end, sep := headerEnd(raw)
	block := raw[:end]
	body = raw[min(end+sep, len(raw)):]
	if len(block) > maxHeaderBytes {
		block = block[:maxHeaderBytes]
		problems = append(problems, "header longer than 1 MiB; the rest is ignored")
	}
	var out bytes.Buffer
	dropped := 0
	for _, line := range bytes.Split(block, []byte("\n")) {
		line = bytes.TrimRight(line, "\r")
		continuation := len(line) > 0 && (line[0] == ' ' || line[0] == '\t')
		colon := bytes.IndexByte(line, ':')
		if !continuation {
			// RFC 5322's obsolete syntax, which receivers must read, allows
			// blanks between a field's name and its colon ("From :").
			name := bytes.TrimRight(line[:max(colon, 0)], " \t")
			if colon <= 0 || len(name) == 0 || bytes.ContainsAny(name, " \t") {
				dropped++
				continue
			}
			line = append(append(name[:len(name):len(name)], ':'), line[colon+1:]...)
		}
		if continuation && out.Len() == 0 {
			dropped++
			continue
		}
		out.Write(line)
		out.WriteString("\r\n")
	}
	if dropped > 0 {
		problems = append(problems, "header lines that are not fields were ignored")
	}
	out.WriteString("\r\n")
	return out.Bytes(), body, problems
}

// HeaderLen is the length of raw's header block with the empty line that
// ends it (all of raw when there is none), found as Parse finds it.
func HeaderLen(raw []byte) int {
	end, sep := headerEnd(raw)
	return end + sep
}

// headerEnd finds the empty line that ends the header: the first line
// with nothing on it, whether lines end in CRLF or LF alone, as a server
// that takes either as a line end would see it. sep is the empty line's
// length with the line end before it.
func headerEnd(raw []byte) (end, sep int) {
	for i := 0; i < len(raw); {
		nl := bytes.IndexByte(raw[i:], '\n')
		if nl < 0 {
			break
		}
		next := i + nl + 1
		switch {
		case next < len(raw) && raw[next] == '\n':
			return i + nl, 2
		case next+1 < len(raw) && raw[next] == '\r' && raw[next+1] == '\n':
			return i + nl, 3
		}
		i = next
	}
	return len(raw), 0
}

// toUTF8 keeps valid UTF-8 as it is and reads anything else as Windows-1252,
// the usual charset of 8-bit text that does not say its charset.
func toUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	s, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(s)
}

// text returns a header field decoded to UTF-8 text on one line.
func (m *Message) text(key string) string {
	raw := m.Header.Get(key)
	s, err := wordDecoder.DecodeHeader(raw)
	if err != nil {
		s = raw
	}
	s = toUTF8([]byte(s))
	return strings.Join(strings.Fields(s), " ")
}

var msgIDPattern = regexp.MustCompile(`<([^<>\s]+)>`)

// msgIDs lists the ids in a Message-ID, In-Reply-To or References field.
func (m *Message) msgIDs(key string) []string {
	var ids []string
	for _, v := range m.Header.Values(key) {
		for _, sub := range msgIDPattern.FindAllStringSubmatch(v, 50) {
			ids = append(ids, sub[1])
		}
	}
	return ids
}

var addrPattern = regexp.MustCompile(`[^\s<>,;:"'()\[\]]+@[^\s<>,;:"'()\[\]]+`)

// Addresses lists every address in the named fields, as written, lower-cased.
// It reads even fields net/mail refuses, since routing headers are often
// written loosely.
func (m *Message) Addresses(keys ...string) []string {
	var out []string
	for _, key := range keys {
		for _, v := range m.Header.Values(key) {
			for _, a := range addrPattern.FindAllString(v, 100) {
				out = append(out, strings.ToLower(strings.Trim(a, ".")))
			}
		}
	}
	return out
}

func (m *Message) readEnvelope() {
	if ids := m.msgIDs("Message-Id"); len(ids) > 0 {
		m.MessageID = ids[0]
	}
	m.InReplyTo = m.msgIDs("In-Reply-To")
	m.References = m.msgIDs("References")
	m.Subject = m.text("Subject")
	if d, err := mail.ParseDate(m.Header.Get("Date")); err == nil {
		m.Date = d
	}
	m.readFrom()
}

// readFrom takes the From field strictly when it parses, else the first
// thing that looks like an address. A mail with several From fields counts
// the addresses of all of them, so it never passes for one sender whichever
// field a reader would take.
func (m *Message) readFrom() {
	raw := m.Header.Get("From")
	if raw == "" {
		return
	}
	defer m.countFromFields()
	list, err := (&mail.AddressParser{WordDecoder: wordDecoder}).ParseList(raw)
	if err == nil && len(list) > 0 {
		m.From, m.FromName, m.FromCount = strings.ToLower(list[0].Address), list[0].Name, len(list)
		return
	}
	m.problem("From field does not parse: %v", err)
	if addrs := m.Addresses("From"); len(addrs) > 0 {
		m.From, m.FromCount = addrs[0], len(addrs)
	}
}

func (m *Message) countFromFields() {
	fields := m.Header.Values("From")
	if len(fields) < 2 {
		return
	}
	m.problem("%d From fields", len(fields))
	m.FromCount = max(m.FromCount, len(fields), len(m.Addresses("From")))
}
