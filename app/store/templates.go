package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/karyakram/karyakram/schedule"
)

// StoredTemplate is a message template the state office saved.
type StoredTemplate struct {
	Key       schedule.TemplateKey
	Template  schedule.MessageTemplate
	UpdatedBy string
	UpdatedAt time.Time
}

// MessageTemplates returns the saved templates by key order.
func (s *Store) MessageTemplates(ctx context.Context) ([]StoredTemplate, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT event_type, kind, channel, lang, subject, body, updated_by, updated_at
		FROM message_templates ORDER BY event_type, kind, channel, lang`)
	if err != nil {
		return nil, fmt.Errorf("list message templates: %w", err)
	}
	defer rows.Close()
	var out []StoredTemplate
	for rows.Next() {
		var t StoredTemplate
		var kind, ch string
		if err := rows.Scan(&t.Key.EventType, &kind, &ch, &t.Key.Lang, &t.Template.Subject, &t.Template.Body, &t.UpdatedBy, &t.UpdatedAt); err != nil {
			return nil, fmt.Errorf("list message templates: %w", err)
		}
		t.Key.Kind, t.Key.Channel = schedule.MessageKind(kind), schedule.MessageChannel(ch)
		out = append(out, t)
	}
	return out, rows.Err()
}

// LoadTemplateSet returns the defaults with the saved templates applied.
// A saved template that no longer validates (the rules got stricter) is
// skipped with a warning, so one bad row never stops sending.
func (s *Store) LoadTemplateSet(ctx context.Context, cfg schedule.MessageConfig) (*schedule.TemplateSet, error) {
	ts, err := schedule.NewTemplateSet(cfg)
	if err != nil {
		return nil, err
	}
	saved, err := s.MessageTemplates(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range saved {
		if err := ts.Set(t.Key, t.Template); err != nil {
			s.log.Warn("saved message template is invalid; using the default", "key", t.Key.String(), "err", err)
		}
	}
	return ts, nil
}

// isStateOffice reports whether the actor's scope includes a whole
// organisation (a root unit): only the state office edits templates.
func isStateOffice(a schedule.Actor) bool {
	if a.System {
		return true
	}
	for _, r := range a.Scope.Roots {
		if strings.Count(r, "/") == 2 {
			return true
		}
	}
	return false
}

// SaveMessageTemplate validates t for k and stores it, then puts it in
// force in ts. Only the state office may; an invalid template is an
// EINVALID error naming the field, and nothing is stored.
func (s *Store) SaveMessageTemplate(ctx context.Context, actor schedule.Actor, ts *schedule.TemplateSet, k schedule.TemplateKey, t schedule.MessageTemplate) error {
	if !isStateOffice(actor) {
		return schedule.Errorf(schedule.EFORBIDDEN, "only the state office can edit message templates")
	}
	if err := ts.ValidateTemplate(k, t); err != nil {
		return err
	}
	err := s.inTx(ctx, func(tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO message_templates (event_type, kind, channel, lang, subject, body, updated_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_type, kind, channel, lang) DO UPDATE SET
			subject = EXCLUDED.subject, body = EXCLUDED.body, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
			k.EventType, string(k.Kind), string(k.Channel), k.Lang, t.Subject, t.Body, actor.Name, s.now().UTC())
		if err != nil {
			return mapErr(err, "message template")
		}
		return s.audit(ctx, tx, actor, "save", "message_template", 0, firstRoot(actor), k.String())
	})
	if err != nil {
		return err
	}
	return ts.Set(k, t)
}

// DeleteMessageTemplate removes a saved template: an event type's falls
// back to the default, a default's to the built-in text.
func (s *Store) DeleteMessageTemplate(ctx context.Context, actor schedule.Actor, ts *schedule.TemplateSet, cfg schedule.MessageConfig, k schedule.TemplateKey) error {
	if !isStateOffice(actor) {
		return schedule.Errorf(schedule.EFORBIDDEN, "only the state office can edit message templates")
	}
	err := s.inTx(ctx, func(tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM message_templates WHERE event_type = ? AND kind = ? AND channel = ? AND lang = ?",
			k.EventType, string(k.Kind), string(k.Channel), k.Lang); err != nil {
			return mapErr(err, "message template")
		}
		return s.audit(ctx, tx, actor, "delete", "message_template", 0, firstRoot(actor), k.String())
	})
	if err != nil {
		return err
	}
	if k.EventType != "" {
		return ts.Delete(k)
	}
	def, ok := schedule.DefaultMessageTemplates()[k]
	if !ok {
		return nil
	}
	return ts.Set(k, def)
}
