package threads

import (
	"fmt"
	"strconv"
	"strings"
)

// minorDigits lists the currencies whose minor unit is not a hundredth.
var minorDigits = map[string]int{
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
	"PYG": 0, "RWF": 0, "UGX": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
}

// CurrencyDigits is the number of decimal places of the currency's minor unit.
func CurrencyDigits(currency string) int {
	if d, ok := minorDigits[currency]; ok {
		return d
	}
	return 2
}

// FormatAmount writes an amount in minor units as a plain decimal: "-1234.50".
func FormatAmount(minor int64, currency string) string {
	digits := CurrencyDigits(currency)
	sign := ""
	u := uint64(minor)
	if minor < 0 {
		sign, u = "-", uint64(-minor)
	}
	s := strconv.FormatUint(u, 10)
	if digits == 0 {
		return sign + s
	}
	if len(s) <= digits {
		s = strings.Repeat("0", digits-len(s)+1) + s
	}
	return sign + s[:len(s)-digits] + "." + s[len(s)-digits:]
}

// ParseAmount reads a plain decimal ("1234.5", "-20") into minor units of the
// currency, refusing more decimals than the currency has.
func ParseAmount(s, currency string) (int64, error) {
	digits := CurrencyDigits(currency)
	whole, frac, _ := strings.Cut(strings.TrimSpace(s), ".")
	neg := strings.HasPrefix(whole, "-")
	whole = strings.TrimPrefix(whole, "-")
	if whole == "" || len(frac) > digits || len(whole) > 15 || !allDigits(whole) || !allDigits(frac) {
		return 0, invalid("amount", "not_amount", "{value} is not a decimal amount in {currency}", "value", strconv.Quote(s), "currency", currency)
	}
	n, err := strconv.ParseInt(whole+frac+strings.Repeat("0", digits-len(frac)), 10, 64)
	if err != nil {
		return 0, invalid("amount", "out_of_range", "{value} is out of range", "value", strconv.Quote(s))
	}
	if neg {
		n = -n
	}
	return n, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// AmountString is FormatAmount followed by the currency: "1234.50 USD".
func (t Transaction) AmountString() string {
	return fmt.Sprintf("%s %s", FormatAmount(t.AmountMinor, t.Currency), t.Currency)
}
