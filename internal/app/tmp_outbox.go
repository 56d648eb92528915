package app

import (
	"context"

	"warta.dev/warta/internal/platform/db"
	"warta.dev/warta/internal/platform/mail"
)

type outboxAdapter struct{ m *mail.Mailer }

func (o outboxAdapter) List(ctx context.Context, ws, before int64, limit int) ([]mail.Stored, error) {
	return o.m.List(ctx, 0, limit)
}
func (o outboxAdapter) Get(ctx context.Context, ws, id int64) (mail.Stored, error) {
	s, err := o.m.Get(ctx, id)
	if err == nil && ws != 0 && s.WorkspaceID != ws {
		return s, db.ErrNotFound
	}
	return s, err
}
