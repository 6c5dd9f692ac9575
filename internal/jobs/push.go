package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/riverqueue/river"

	tp "github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/sqldb"
)

// MaxPush bounds one push: an opportunity list, not the customer base.
const MaxPush = 100000

// pushWorker posts a segment's opportunity list (its scored members, the
// likeliest to leave first, with reasons, value and the next best offer) to
// the segment's webhook in signed pages, as alert webhooks are signed.
type pushWorker struct {
	river.WorkerDefaults[tp.PushSegment]
	db     *sqldb.Store
	client *http.Client
}

func (w *pushWorker) Timeout(*river.Job[tp.PushSegment]) time.Duration { return 10 * time.Minute }

func (w *pushWorker) Work(ctx context.Context, job *river.Job[tp.PushSegment]) error {
	return w.push(ctx, job.Args.SegmentID)
}

func (w *pushWorker) push(ctx context.Context, id int64) error {
	h, err := w.db.Push.WebhookForPush(ctx, id)
	if err != nil || h == nil {
		return err // removed since: nothing to do
	}
	seg, err := w.db.Segments.FindSegment(ctx, id)
	if err != nil {
		return err
	}
	list, err := w.db.Risk.SegmentScores(ctx, id, MaxPush)
	if err != nil {
		return err
	}
	now := w.db.Now()
	pages := max(1, (len(list)+tp.PushPageSize-1)/tp.PushPageSize)
	status := ""
	for p := range pages {
		page := tp.PushPage{Event: "segment.opportunities", SegmentID: id, Segment: seg.Name, Page: p + 1, Pages: pages, GeneratedAt: now,
			Customers: list[p*tp.PushPageSize : min(len(list), (p+1)*tp.PushPageSize)]}
		body, err := json.Marshal(page)
		if err != nil {
			return err
		}
		code, err := postSigned(ctx, w.client, h.URL, h.Secret, "touchpoint-segments", "segment.opportunities", w.db.Now(), body)
		if err != nil {
			_ = w.db.Push.MarkPushed(ctx, id, now, fmt.Sprintf("page %d of %d: %v", p+1, pages, err))
			return err // retried with back-off; the receiver sees page numbers and the generation time
		}
		status = fmt.Sprintf("%d: %d pages, %d customers", code, pages, len(list))
	}
	return w.db.Push.MarkPushed(ctx, id, now, status)
}

// pushAllWorker is the daily push of every segment with a webhook; one
// failing receiver does not keep the others from theirs.
type pushAllWorker struct {
	river.WorkerDefaults[tp.PushAllSegments]
	pusher *pushWorker
}

func (w *pushAllWorker) Timeout(*river.Job[tp.PushAllSegments]) time.Duration { return time.Hour }

func (w *pushAllWorker) Work(ctx context.Context, job *river.Job[tp.PushAllSegments]) error {
	ids, err := w.pusher.db.Push.PushedSegments(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range ids {
		if err := w.pusher.push(ctx, id); err != nil {
			errs = append(errs, fmt.Errorf("segment %d: %w", id, err))
		}
	}
	return errors.Join(errs...)
}
