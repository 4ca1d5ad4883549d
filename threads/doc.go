// Package threads is the domain of the service: companies, people,
// transactions and the conversations attached to them, with their Postgres
// store. It imports nothing else from this repository.
package threads
