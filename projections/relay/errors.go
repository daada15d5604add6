package relay

import "errors"

// Errors of the relay and its handlers.
var (
	// ErrBadMessage is a message that is not a relayed event.
	ErrBadMessage = errors.New("not a relayed event message")
	// ErrUnknownBus is a bus kind other than gochannel, sql or nats.
	ErrUnknownBus = errors.New("unknown bus kind")
)
