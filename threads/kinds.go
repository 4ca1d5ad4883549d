package threads

import (
	"strings"

	"github.com/lib/pq"
)

// Kind is a ledger transaction kind, such as "invoice".
type Kind string

// The kinds the service knows. Conversations exist only on posting kinds.
const (
	KindInvoice          Kind = "invoice"
	KindBill             Kind = "bill"
	KindCustomerPayment  Kind = "customer_payment"
	KindCheck            Kind = "check"
	KindCreditCardCharge Kind = "credit_card_charge"
	KindCreditCardCredit Kind = "credit_card_credit"

	KindSalesReceipt    Kind = "sales_receipt"
	KindExpense         Kind = "expense"
	KindBillableExpense Kind = "billable_expense"
	KindDelayedCharge   Kind = "delayed_charge"
	KindCreditMemo      Kind = "credit_memo"
	KindPaycheck        Kind = "paycheck"
)

type kindInfo struct {
	singular, plural string
	allowed          bool
}

var kinds = map[Kind]kindInfo{
	KindInvoice:          {"invoice", "invoices", true},
	KindBill:             {"bill", "bills", true},
	KindCustomerPayment:  {"customer payment", "customer payments", true},
	KindCheck:            {"check", "checks", true},
	KindCreditCardCharge: {"credit card charge", "credit card charges", true},
	KindCreditCardCredit: {"credit card credit", "credit card credits", true},
	KindSalesReceipt:     {"sales receipt", "sales receipts", false},
	KindExpense:          {"expense", "expenses", false},
	KindBillableExpense:  {"billable expense charge", "billable expense charges", false},
	KindDelayedCharge:    {"delayed charge", "delayed charges", false},
	KindCreditMemo:       {"credit memo", "credit memos", false},
	KindPaycheck:         {"paycheck", "paychecks", false},
}

// Kinds lists every known kind, allowed ones first.
func Kinds() []Kind {
	return []Kind{
		KindInvoice, KindBill, KindCustomerPayment, KindCheck,
		KindCreditCardCharge, KindCreditCardCredit,
		KindSalesReceipt, KindExpense, KindBillableExpense,
		KindDelayedCharge, KindCreditMemo, KindPaycheck,
	}
}

// Known reports whether the service knows this kind.
func (k Kind) Known() bool { _, ok := kinds[k]; return ok }

// Label is the kind in words, for people: "customer payment".
func (k Kind) Label() string {
	if info, ok := kinds[k]; ok {
		return info.singular
	}
	return strings.ReplaceAll(string(k), "_", " ")
}

// Plural is the kind in words, plural: "sales receipts".
func (k Kind) Plural() string {
	if info, ok := kinds[k]; ok {
		return info.plural
	}
	return "transactions of kind " + strings.ReplaceAll(string(k), "_", " ")
}

// AllowsConversation returns nil when the kind allows conversations and a
// *KindError saying why not otherwise. Unknown kinds are refused.
func (k Kind) AllowsConversation() error {
	if info, ok := kinds[k]; ok && info.allowed {
		return nil
	}
	return &KindError{Kind: k}
}

// allowedKinds lists the kinds that allow conversations, for queries.
var allowedKinds = func() any {
	var out []string
	for k, info := range kinds {
		if info.allowed {
			out = append(out, string(k))
		}
	}
	return pq.Array(out)
}()
