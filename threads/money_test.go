package threads

import "testing"

func TestAmounts(t *testing.T) {
	cases := []struct {
		text     string
		currency string
		minor    int64
		format   string
	}{
		{"1234.56", "USD", 123456, "1234.56"},
		{"0.5", "USD", 50, "0.50"},
		{"-20", "EUR", -2000, "-20.00"},
		{"1500", "JPY", 1500, "1500"},
		{"1.234", "KWD", 1234, "1.234"},
		{"0.01", "USD", 1, "0.01"},
	}
	for _, c := range cases {
		got, err := ParseAmount(c.text, c.currency)
		if err != nil || got != c.minor {
			t.Errorf("ParseAmount(%q, %s) = %d, %v; want %d", c.text, c.currency, got, err, c.minor)
		}
		if f := FormatAmount(c.minor, c.currency); f != c.format {
			t.Errorf("FormatAmount(%d, %s) = %q, want %q", c.minor, c.currency, f, c.format)
		}
	}
	for _, bad := range []string{"", "1.234", "1,50", "abc", "1e5", "--1", "99999999999999999", "1.2.3"} {
		if _, err := ParseAmount(bad, "USD"); err == nil {
			t.Errorf("ParseAmount(%q) accepted", bad)
		}
	}
}
