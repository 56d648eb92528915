package crisis

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"warta.dev/warta/internal/audit"
	"warta.dev/warta/internal/platform/db"
)

// InjectKinds are what an exercise can script: a simulated story or post, or a message (a
// journalist's call, a regulator's letter).
var InjectKinds = []string{"mention", "message"}

// InjectInput is a scripted event of an exercise, released After the time it is added.
type InjectInput struct {
	Kind, Source, Text, Sentiment string
	After                         time.Duration
}

// AddInject scripts an event into an exercise.
func (s *Service) AddInject(ctx context.Context, a audit.Actor, wsID, id int64, in InjectInput) (*Inject, error) {
	c, err := s.openCrisis(ctx, wsID, id)
	if err != nil {
		return nil, err
	}
	if !c.Exercise {
		return nil, ErrNotExercise
	}
	in.Text, in.Source = strings.TrimSpace(in.Text), strings.TrimSpace(in.Source)
	fields := map[string]string{}
	if !slices.Contains(InjectKinds, in.Kind) {
		fields["kind"] = "crisis.error.inject_kind"
	}
	if in.Text == "" {
		fields["text"] = "crisis.error.inject_text"
	}
	if in.After < 0 || in.After > 7*24*time.Hour {
		fields["after"] = "crisis.error.inject_after"
	}
	if !slices.Contains([]string{"positive", "neutral", "negative"}, in.Sentiment) {
		in.Sentiment = "neutral"
	}
	if len(fields) > 0 {
		return nil, invalid(fields)
	}
	inj := &Inject{Kind: in.Kind, Source: clip(in.Source, 200), Text: clip(in.Text, 4000), Sentiment: in.Sentiment, DueAt: s.clock().Add(in.After)}
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO crisis_injects (crisis_id, kind, source, text, sentiment, due_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			id, inj.Kind, inj.Source, inj.Text, inj.Sentiment, inj.DueAt).Scan(&inj.ID)
	})
	return inj, err
}

// Injects lists an exercise's scripted events.
func (s *Service) Injects(ctx context.Context, wsID, id int64) ([]Inject, error) {
	rows, err := s.DB.Query(ctx, `SELECT i.id, i.kind, i.source, i.text, i.sentiment, i.due_at, i.released_at FROM crisis_injects i
		JOIN crises c ON c.id = i.crisis_id WHERE c.workspace_id = ? AND i.crisis_id = ? ORDER BY i.due_at, i.id`, wsID, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Inject
	for rows.Next() {
		var inj Inject
		var released sql.NullTime
		if err := rows.Scan(&inj.ID, &inj.Kind, &inj.Source, &inj.Text, &inj.Sentiment, &inj.DueAt, &released); err != nil {
			return nil, err
		}
		inj.ReleasedAt = timePtr(released)
		out = append(out, inj)
	}
	return out, rows.Err()
}

// releaseInjects puts an exercise's due injects on its timeline, each once.
func (s *Service) releaseInjects(ctx context.Context, id int64) error {
	t := s.clock()
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, kind, source, text, sentiment FROM crisis_injects WHERE crisis_id = ? AND released_at IS NULL AND due_at <= ?
			ORDER BY due_at, id`, id, t)
		if err != nil {
			return err
		}
		var due []Inject
		for rows.Next() {
			var inj Inject
			if err := rows.Scan(&inj.ID, &inj.Kind, &inj.Source, &inj.Text, &inj.Sentiment); err != nil {
				rows.Close()
				return err
			}
			due = append(due, inj)
		}
		rows.Close()
		for _, inj := range due {
			res, err := tx.Exec(ctx, `UPDATE crisis_injects SET released_at = ? WHERE id = ? AND released_at IS NULL`, t, inj.ID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue
			}
			if err := s.record(ctx, tx, id, system, "inject_"+inj.Kind, inj.Text, map[string]any{"Source": inj.Source, "Sentiment": inj.Sentiment},
				"inject", inj.ID); err != nil {
				return err
			}
		}
		return nil
	})
}
