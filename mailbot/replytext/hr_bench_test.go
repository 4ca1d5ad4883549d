package replytext

import (
	"strings"
	"testing"
)

// BenchmarkManyRules reads an HTML mail of 200,000 <hr>: every rule asks
// whether a header block follows it, which must not read to the end each
// time.
func BenchmarkManyRules(b *testing.B) {
	body := "<p>Paid.</p>" + strings.Repeat("<hr>", 200000)
	for b.Loop() {
		ExtractHTML(body)
	}
}
