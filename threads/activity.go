package threads

import (
	"fmt"
	"strconv"
	"strings"
)

// ActivityChannel is the Postgres NOTIFY channel on which the database
// announces every new message, read mark and change of an email's delivery
// (triggers of migration 00013), so open pages on every instance follow
// their conversation live.
const ActivityChannel = "mailbot_activity"

// Activity is one announcement: something changed in a transaction's
// conversation.
type Activity struct {
	TransactionID, CompanyID int64
}

// ParseActivity reads an announcement's payload: "<transaction> <company>".
func ParseActivity(payload string) (Activity, error) {
	txn, company, ok := strings.Cut(payload, " ")
	t, err1 := strconv.ParseInt(txn, 10, 64)
	c, err2 := strconv.ParseInt(company, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return Activity{}, fmt.Errorf("activity %q: not \"<transaction> <company>\"", payload)
	}
	return Activity{TransactionID: t, CompanyID: c}, nil
}
