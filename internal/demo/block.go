package demo

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Block is what the demo prints when it is ready.
type Block struct {
	WebURL, APIKey, SMTP, IMAP string
	World                      World
}

// PrintBlock says where everything is and what to try first.
func PrintBlock(out io.Writer, d Block) {
	var b strings.Builder
	w := d.World
	fmt.Fprintf(&b, "\nmailbot demo is running (Ctrl-C stops it)\n\n")
	fmt.Fprintf(&b, "  web          %s    demo inbox: %s/demo/inbox    admin: %s/admin\n", d.WebURL, d.WebURL, d.WebURL)
	fmt.Fprintf(&b, "  firm         %s\n", Firm)
	fmt.Fprintf(&b, "  sign in      with any address below and the password %s\n", Password)
	for _, p := range w.People {
		fmt.Fprintf(&b, "  person %-3d   %-16s %-26s %s\n", p.Person.ID, p.Person.Name, p.Person.PrimaryEmail(), p.Role)
	}
	for _, c := range w.Companies {
		var allowed, refused []string
		for _, t := range w.Transactions {
			if t.CompanyID != c.ID {
				continue
			}
			entry := strconv.FormatInt(t.ID, 10) + " " + t.Kind.Label()
			if t.Kind.AllowsConversation() == nil {
				allowed = append(allowed, entry)
			} else {
				refused = append(refused, entry)
			}
		}
		fmt.Fprintf(&b, "  company %-3d  %s (API id %s)\n", c.ID, c.Name, c.ExternalID)
		fmt.Fprintf(&b, "    txns       %s\n    refused    %s\n", strings.Join(allowed, ", "), strings.Join(refused, ", "))
	}
	fmt.Fprintf(&b, "  API key      %s   (Authorization: Bearer …, see README)\n", d.APIKey)
	fmt.Fprintf(&b, "  mail client  IMAP %s and SMTP %s, no TLS; user = a person's address, password %s\n", d.IMAP, d.SMTP, Password)
	fmt.Fprintf(&b, "\n  try first    open %s/companies/%d/transactions/%d, sign in as %s, post to Dana;\n",
		d.WebURL, w.Transactions[0].CompanyID, w.Transactions[0].ID, w.People[0].Person.PrimaryEmail())
	fmt.Fprintf(&b, "               then open the demo inbox as Dana and reply to the email: it lands in Activities.\n\n")
	io.WriteString(out, b.String())
}
