package meta

import (
	"context"
	"time"

	"warta.dev/warta/internal/channel"
)

// Await polls a media container until check reports it ready, waiting 1, 2, 4 … up to 60 s
// between polls and no more than five minutes in all, as Meta recommends for container status
// ("query a container's status once per minute, for no more than 5 minutes").
func Await(ctx context.Context, env channel.Env, check func(context.Context) (bool, error)) error {
	delay, waited := time.Second, time.Duration(0)
	for {
		done, err := check(ctx)
		if err != nil || done {
			return err
		}
		if waited >= 5*time.Minute {
			// Nothing was published: a later attempt makes a new container.
			return &channel.Error{Kind: channel.Temporary, Reason: "IN_PROGRESS"}
		}
		if err := env.Wait(ctx, delay); err != nil {
			return channel.TransportError(err)
		}
		waited += delay
		delay = min(delay*2, time.Minute)
	}
}
