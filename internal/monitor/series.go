package monitor

import (
	"context"
	"time"
)

// Bucket is a topic's mentions in one span of time, each story once.
type Bucket struct {
	At                        time.Time
	Total, Negative, Positive int
}

// Series counts a topic's stories published in [from, to) in buckets of step, by sentiment
// (for the crisis room's panel and its review). Stories marked not relevant do not count.
func (s *Service) Series(ctx context.Context, wsID, topicID int64, from, to time.Time, step time.Duration) ([]Bucket, error) {
	if step <= 0 || !to.After(from) {
		return nil, nil
	}
	n := int((to.Sub(from) + step - 1) / step)
	out := make([]Bucket, n)
	for i := range out {
		out[i].At = from.Add(time.Duration(i) * step)
	}
	rows, err := s.DB.Query(ctx, `SELECT i.published_at, i.sentiment FROM monitor_mentions m JOIN monitor_items i ON i.id = m.item_id
		WHERE m.workspace_id = ? AND m.topic_id = ? AND m.state <> 'irrelevant' AND i.published_at >= ? AND i.published_at < ? AND `+leadOnly,
		wsID, topicID, from.UTC(), to.UTC())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var at time.Time
		var sentiment string
		if err := rows.Scan(&at, &sentiment); err != nil {
			return nil, err
		}
		i := int(at.Sub(from) / step)
		if i < 0 || i >= n {
			continue
		}
		out[i].Total++
		switch sentiment {
		case Negative:
			out[i].Negative++
		case Positive:
			out[i].Positive++
		}
	}
	return out, rows.Err()
}

// MentionsSince returns a topic's mentions with an id above afterID whose story was published
// since the given time, oldest first, each story once: what a crisis room puts on its timeline.
func (s *Service) MentionsSince(ctx context.Context, wsID, topicID, afterID int64, since time.Time, limit int) ([]Mention, error) {
	return s.Mentions(ctx, wsID, MentionFilter{TopicID: topicID, State: "any", After: afterID, ByID: true, From: since, Limit: limit})
}
