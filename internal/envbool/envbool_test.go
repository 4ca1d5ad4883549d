package envbool

import "testing"

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in    string
		v, ok bool
	}{
		{"true", true, true}, {"TRUE", true, true}, {"1", true, true}, {"yes", true, true},
		{"Yes", true, true}, {"on", true, true}, {" ON ", true, true},
		{"false", false, true}, {"False", false, true}, {"0", false, true}, {"no", false, true},
		{"NO", false, true}, {"off", false, true}, {"Off\n", false, true},
		{"", false, false}, {"maybe", false, false}, {"y", false, false}, {"t", false, false},
		{"2", false, false}, {"enabled", false, false}, {"yes please", false, false},
	} {
		if v, ok := Parse(c.in); v != c.v || ok != c.ok {
			t.Errorf("Parse(%q) = %v, %v; want %v, %v", c.in, v, ok, c.v, c.ok)
		}
	}
}
