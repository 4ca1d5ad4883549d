// Package mailbot carries mail in and out of the conversations kept by package
// threads: notifications through an SMTP outbox, and replies read from IMAP,
// SMTP/LMTP or standard input.
package mailbot
