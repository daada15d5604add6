package http

import (
	nethttp "net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/appraisal-hr/appraisal/domain"
)

// meRoutes tell callers who their token belongs to.
func (s *Server) meRoutes() []route {
	return []route{
		{method: "GET", path: "/api/v1/me", summary: "Who the bearer token belongs to", tag: "auth", access: bearer, resp: Me{}, handler: s.me},
	}
}

// Me is the authenticated caller.
type Me struct {
	ID   uuid.UUID   `json:"id"`
	Role domain.Role `json:"role"`
}

func (s *Server) me(c echo.Context) error {
	p, _ := principalOf(c)
	return c.JSON(nethttp.StatusOK, Me(p))
}
