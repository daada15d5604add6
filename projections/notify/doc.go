// Package notify decides which notifications the domain's events cause: the
// relay.Rules behind the notification handler. A reviewer asked for an
// evaluation, an employee whose results were published, an employee whose
// appeal was resolved each get one row in the outbox.
package notify
