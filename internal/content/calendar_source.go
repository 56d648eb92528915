package content

import (
	"context"
	"database/sql"
	"time"

	"warta.dev/warta/internal/channel"
)

// Dated is an item as the calendar shows it: at the time it was published, or until then at the
// time it is scheduled for.
type Dated struct {
	ID         int64
	Title      string
	Status     Status
	At         time.Time
	Published  bool
	Channels   []channel.Network
	Labels     []string
	CampaignID int64
	OwnerID    int64
	OwnerName  string
	// Link is the item's page inside the workspace: "/content/12".
	Link string
}

// datedWhere picks the items whose calendar time falls in [from, to); archived items are put away.
const datedWhere = ` WHERE i.workspace_id = ? AND i.status <> ?
	AND COALESCE(i.published_at, i.scheduled_at) >= ? AND COALESCE(i.published_at, i.scheduled_at) < ?`

// Dated lists the workspace's items published or scheduled in [from, to), earliest first.
func (s *Service) Dated(ctx context.Context, wsID int64, from, to time.Time) ([]Dated, error) {
	args := []any{wsID, string(Archived), from.UTC(), to.UTC()}
	rows, err := s.d.Query(ctx, `SELECT i.id, i.title, i.status, i.scheduled_at, i.published_at, COALESCE(i.campaign_id, 0),
		COALESCE(i.owner_id, 0), COALESCE(u.name, ''), i.labels`+itemFrom+datedWhere, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Dated
	idx := map[int64]int{}
	for rows.Next() {
		var d Dated
		var scheduled, published sql.NullTime
		var labels string
		if err := rows.Scan(&d.ID, &d.Title, &d.Status, &scheduled, &published, &d.CampaignID, &d.OwnerID, &d.OwnerName, &labels); err != nil {
			return nil, err
		}
		d.At, d.Published = scheduled.Time.UTC(), published.Valid
		if published.Valid {
			d.At = published.Time.UTC()
		}
		d.Labels = splitList(labels)
		d.Link = itemLink(&Item{ID: d.ID})
		idx[d.ID] = len(out)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The channels of the same items in one query.
	vrows, err := s.d.Query(ctx, `SELECT v.item_id, v.network FROM content_variants v JOIN content_items i ON i.id = v.item_id AND i.workspace_id = v.workspace_id`+
		datedWhere+` ORDER BY v.item_id, v.network`, args...)
	if err != nil {
		return nil, err
	}
	defer vrows.Close()
	for vrows.Next() {
		var id int64
		var n channel.Network
		if err := vrows.Scan(&id, &n); err != nil {
			return nil, err
		}
		if i, ok := idx[id]; ok {
			out[i].Channels = append(out[i].Channels, n)
		}
	}
	return out, vrows.Err()
}
