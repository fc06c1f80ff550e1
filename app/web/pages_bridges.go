package web

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/karyakram/karyakram/app/bridges"
	"github.com/karyakram/karyakram/app/pdf"
	"github.com/karyakram/karyakram/app/store"
	"github.com/karyakram/karyakram/schedule"
)

type bridgesPage struct {
	Base        basePage
	Title       string
	AddressID   int64
	Bridges     []store.BridgeRecord
	Levels      schedule.Levels
	Provisioned bool // a SIP side is configured
	Numbers     int
	Report      *store.BridgeReport
}

func (s *Server) loadBridges(c *gin.Context) (store.Address, []store.BridgeRecord, error) {
	id, err := paramID(c, "id")
	if err != nil {
		return store.Address{}, nil, err
	}
	return s.store.Bridges(c.Request.Context(), actor(c), id)
}

// renderBridges shows the bridges page, with the report of a set-up or
// the input error of one (then with its status: the page explains it).
func (s *Server) renderBridges(c *gin.Context, rep *store.BridgeReport, inputErr error) {
	a, list, err := s.loadBridges(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	levels, err := s.store.Levels(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	var below schedule.Levels
	for _, l := range levels {
		if l.Depth >= 1 {
			below = append(below, l)
		}
	}
	p := bridgesPage{Base: s.base(c), Title: a.DisplayTitle(s.lang(c)), AddressID: a.ID, Bridges: list, Levels: below,
		Provisioned: s.turn.cfg.Bridges != nil, Numbers: s.turn.cfg.Numbers.Size(), Report: rep}
	status := http.StatusOK
	if inputErr != nil {
		p.Base.Error, status = schedule.ErrorMessage(inputErr), addressStatus(inputErr)
	}
	s.renderStatus(c, status, "bridges", p)
}

func (s *Server) showBridges(c *gin.Context) { s.renderBridges(c, nil, nil) }

func (s *Server) provisionBridges(c *gin.Context) {
	id, err := paramID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	rep, err := bridges.Provision(c.Request.Context(), s.store, actor(c), id, c.PostForm("level"), s.turn.cfg.Numbers, s.turn.cfg.Bridges, s.turn.cfg.Now())
	if schedule.ErrorCode(err) == schedule.EINVALID {
		s.renderBridges(c, nil, err) // no numbers, or a level without units: said on the page
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.renderBridges(c, &rep, nil)
}

func (s *Server) deleteBridges(c *gin.Context) {
	id, err := paramID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	if _, err := bridges.Remove(c.Request.Context(), s.store, actor(c), id, s.turn.cfg.Bridges); err != nil {
		s.fail(c, err)
		return
	}
	s.flash(c, "bridges.deleted")
	c.Redirect(http.StatusSeeOther, "/addresses/"+strconv.FormatInt(id, 10)+"/bridges")
}

func (s *Server) bridgesCSV(c *gin.Context) {
	a, list, err := s.loadBridges(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	var buf bytes.Buffer
	w := schedule.NewCSVWriter(&buf)
	w.Write([]string{"unit_code", "unit_name", "unit_name_hi", "number", "pin", "room", "state"}) //nolint:errcheck // csv.Writer keeps the first error
	for _, b := range list {
		w.Write([]string{b.UnitCode, b.UnitName, b.UnitNameHi, b.Number, b.PIN, b.Room, b.State}) //nolint:errcheck // see above
	}
	w.Flush()
	if err := w.Error(); err != nil {
		s.fail(c, fmt.Errorf("write bridges CSV: %w", err))
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="bridges-%d.csv"`, a.ID))
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

func (s *Server) bridgesPDF(c *gin.Context) {
	a, list, err := s.loadBridges(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if len(list) == 0 {
		s.fail(c, schedule.Errorf(schedule.ENOTFOUND, "address %d has no audio bridges yet", a.ID))
		return
	}
	eng, err := s.pdfEngine()
	if err != nil {
		s.fail(c, err)
		return
	}
	lang := s.pdfLang(c)
	b := pdf.BridgeList{Lang: pdf.Lang(lang), Zone: s.zone(), Title: a.DisplayTitle(lang), Start: a.Start}
	for _, br := range list {
		// br.Room is the LiveKit room, an internal name: not for print.
		b.Entries = append(b.Entries, pdf.BridgeEntry{District: br.UnitDisplayName(lang), Number: schedule.FormatPhone(br.Number), PIN: br.PIN})
	}
	s.servePDF(c, "bridges", a.ID, lang, func(w io.Writer) error { return eng.WriteBridgeList(w, b) })
}
