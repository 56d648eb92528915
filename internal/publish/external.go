package publish

import (
	"context"
	"fmt"

	"warta.dev/warta/internal/channel"
)

// AccessToken returns a connected account's network, server and a current access token (renewed
// when it is about to expire), for the parts of Warta that call a network as the account
// (monitoring's Mastodon and Bluesky searches).
func (s *Service) AccessToken(ctx context.Context, wsID, id int64) (channel.Network, string, string, error) {
	acct, err := s.Account(ctx, wsID, id)
	if err != nil {
		return "", "", "", err
	}
	conn, ok := s.Connector(acct.Network)
	if !ok {
		return "", "", "", fmt.Errorf("publish: no connector for %s", acct.Network)
	}
	ca, err := s.fresh(ctx, conn, acct)
	if err != nil {
		return "", "", "", err
	}
	return acct.Network, ca.Server, ca.Secret.AccessToken, nil
}

// SendText posts a plain text message as one of the workspace's accounts, outside the publishing
// calendar (monitoring alerts to a team chat). key names the message and stays the same if the
// caller tries again, so networks that take an idempotency key post it once.
func (s *Service) SendText(ctx context.Context, wsID, id int64, key, text string) error {
	acct, err := s.Account(ctx, wsID, id)
	if err != nil {
		return err
	}
	conn, ok := s.Connector(acct.Network)
	if !ok {
		return fmt.Errorf("publish: no connector for %s", acct.Network)
	}
	ca, err := s.fresh(ctx, conn, acct)
	if err != nil {
		return err
	}
	_, err = conn.Publish(ctx, ca, channel.Post{Key: key, Text: text})
	return err
}
